"""`peel --help` and every sub-command's help show examples; progress reads on a pipe."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from app.cli import build_parser
from app.progress import Progress, bar
from tests.reports import ROOT

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_has_examples(command: str | None) -> None:
    args = [sys.executable, "-m", "app.cli", *([command] if command else []), "--help"]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "example" in result.stdout
    assert f"peel {command or ''}".strip() in result.stdout.split("example", 1)[1]


def test_progress_on_a_pipe_is_one_plain_line_a_step() -> None:
    out = io.StringIO()  # not a terminal: no bar redrawn in place
    progress = Progress(out, errors=io.StringIO())
    for n in (1, 2):
        progress.step(n, 2, f"file-{n}")
        progress.done(n, 2, f"file-{n}", "created")
    assert out.getvalue().splitlines() == ["[1/2] file-1 ... created", "[2/2] file-2 ... created"]


def test_the_bar_fills_in_proportion() -> None:
    assert bar(0, 4).startswith("[" + "." * 24 + "]")
    assert bar(2, 4).startswith("[" + "#" * 12 + "." * 12 + "]")
    assert bar(4, 4) == "[" + "#" * 24 + "] 4/4"
