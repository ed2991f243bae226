"""`peel parse` on the command line: JSON on success, PATH:LINE: message (and what to do) and exit 2 on failure."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.reports import SEED_REPORT, expected_document


def _peel(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=60
    )


def test_parse_prints_the_document_as_json() -> None:
    result = _peel("parse", str(SEED_REPORT))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected_document()


def test_parse_of_bad_input_exits_2_with_path_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-report.txt"
    bad.write_text("Nothing to see here.\n", encoding="utf-8")
    result = _peel("parse", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{bad}:")
    assert "Traceback" not in result.stderr
    # The place, then what to do next.
    _where, next_step = result.stderr.strip().splitlines()
    assert next_step.startswith("peel: ") and "--force" in next_step


def test_parse_of_a_missing_file_exits_2_without_traceback(tmp_path: Path) -> None:
    result = _peel("parse", str(tmp_path / "missing.txt"))
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr
