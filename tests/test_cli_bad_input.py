"""`peel` on input it cannot read (issue 16, item 6): one line `PATH: what is wrong`, exit 2,
nothing written; a closed output pipe ends quietly; no traceback ever reaches the user.

`peel load` and `peel seed` run in a child process against a real database (SQLite and
Postgres), which is dumped before and after: a file that cannot be read writes nothing.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app import cli
from tests.helpers import ROOT, SEED_REPORT, dump, run_cli
from tests.reports import seed_manifest_row, seed_text

PEEL = Path(sys.executable).parent / "peel"  # the installed command, as a user runs it
PEEL_COMMAND = [str(PEEL)] if PEEL.exists() else [sys.executable, "-m", "app.cli"]
PIPE_CLOSED = 141
HEAD = shutil.which("head")


# --- files that are not UTF-8 text ------------------------------------------------------

PREFIX = seed_text()[:1500]  # a report's opening, then Windows-1252 curly quotes


def windows_1252(path: Path) -> tuple[Path, str]:
    """A report's text saved as Windows-1252: UTF-8 up to its first curly quote (0x93)."""
    head = PREFIX.encode("utf-8")
    path.write_bytes(head + b"The force\x92s \x93good\x94 grade\n" + b"more text\n" * 50)
    offset = len(head) + len("The force")
    return path, f"{path}: not UTF-8 text (byte 0x92 at offset {offset}); save it as UTF-8"


def random_bytes(path: Path) -> tuple[Path, str]:
    data = os.urandom(8192)
    path.write_bytes(data)
    if b"\x00" in data:
        nul = data.index(b"\x00")
        return (
            path,
            f"{path}: binary data, not text (a NUL byte at offset {nul}); give a UTF-8 text file",
        )
    try:  # no NUL byte in 8 KiB (a chance of one in ~10^14): then it is not UTF-8 either
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return path, (
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02X} at offset {error.start}); "
            "save it as UTF-8"
        )
    raise AssertionError("os.urandom gave valid UTF-8")


def directory(path: Path) -> tuple[Path, str]:
    path.mkdir()
    return path, f"{path}: cannot read: it is a directory, not a file"


def missing(path: Path) -> tuple[Path, str]:
    return path, f"{path}: cannot read: no such file"


BAD_FILES: dict[str, Callable[[Path], tuple[Path, str]]] = {
    "windows-1252": windows_1252,
    "random-bytes": random_bytes,
    "directory": directory,
    "missing": missing,
}


def _one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def _peel(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PEEL_COMMAND, *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("suffix", [".txt", ".csv"])
@pytest.mark.parametrize("kind", BAD_FILES)
def test_parse_of_a_file_that_is_not_utf8_text_is_one_line_and_2(
    tmp_path: Path, kind: str, suffix: str
) -> None:
    path, expected = BAD_FILES[kind](tmp_path / f"bad{suffix}")
    result = _peel("parse", str(path))
    assert result.returncode == 2
    assert _one_line(result.stderr) == expected
    assert result.stdout == ""


@pytest.mark.parametrize("suffix", [".txt", ".csv"])  # a report's text; grade records
@pytest.mark.parametrize("kind", BAD_FILES)
def test_load_of_a_file_that_is_not_utf8_text_is_one_line_2_and_writes_nothing(
    tmp_path: Path, database_url: str, db: Engine, kind: str, suffix: str
) -> None:
    path, expected = BAD_FILES[kind](tmp_path / f"bad{suffix}")
    before = dump(db)
    result = run_cli("load", str(path), database_url=database_url)
    assert result.returncode == 2
    assert _one_line(result.stderr) == expected
    assert result.stdout == ""
    assert dump(db) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_one_line_and_2(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(seed_text(), encoding="utf-8")
    path.chmod(0)
    result = _peel("parse", str(path))
    assert result.returncode == 2
    assert _one_line(result.stderr) == f"{path}: cannot read: permission denied"


def test_seed_reports_a_source_that_is_not_utf8_text_and_loads_the_rest(
    tmp_path: Path, database_url: str, db: Engine
) -> None:
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    bad, expected = windows_1252(seed_dir / "cp1252-report.txt")
    good = seed_manifest_row() | {"file": str(SEED_REPORT)}
    with (seed_dir / "manifest.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(good))
        writer.writeheader()
        writer.writerow({k: "" for k in good} | {"file": bad.name, "kind": "report"})
        writer.writerow(good)

    result = run_cli("seed", "--seed-dir", str(seed_dir), database_url=database_url)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == expected
    assert f"[1/2] {bad.name} ... failed" in result.stdout
    assert f"[2/2] {SEED_REPORT.name} ... created" in result.stdout
    assert [row[0] for row in dump(db)["inspection"]] == ["west-midlands-2018-19"]


def test_seed_with_a_manifest_that_is_not_utf8_text_is_one_line_and_writes_nothing(
    tmp_path: Path, database_url: str, db: Engine
) -> None:
    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    (seed_dir / "manifest.csv").write_bytes(b"file,kind\n\x93report\x94.txt,report\n")
    before = dump(db)
    result = run_cli("seed", "--seed-dir", str(seed_dir), database_url=database_url)
    assert result.returncode == 2
    manifest = seed_dir / "manifest.csv"
    assert _one_line(result.stderr) == (
        f"{manifest}: not UTF-8 text (byte 0x93 at offset 10); save it as UTF-8"
    )
    assert dump(db) == before


# --- a closed output pipe ---------------------------------------------------------------


def _into_closed_pipe(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    """`peel ARGS` whose stdout is a pipe nobody reads any more: every write fails."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = {**os.environ, **({"DATABASE_URL": database_url} if database_url else {})}
    try:
        return subprocess.run(
            [*PEEL_COMMAND, *args],
            cwd=ROOT,
            env=env,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)


def _into_head(*args: str, database_url: str | None = None) -> tuple[int, bytes, str]:
    """`peel ARGS | head -c 10`: (peel's status, what head printed, peel's stderr)."""
    assert HEAD, "head is not installed"
    env = {**os.environ, **({"DATABASE_URL": database_url} if database_url else {})}
    peel = subprocess.Popen(
        [*PEEL_COMMAND, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    head = subprocess.Popen([HEAD, "-c", "10"], stdin=peel.stdout, stdout=subprocess.PIPE)
    assert peel.stdout is not None and peel.stderr is not None
    peel.stdout.close()  # head alone reads it now, and leaves after 10 bytes
    shown, _ = head.communicate(timeout=120)
    stderr = peel.stderr.read().decode()
    peel.stderr.close()
    return peel.wait(timeout=120), shown, stderr


@pytest.mark.parametrize("args", [("parse", str(SEED_REPORT)), ("openapi",)], ids=lambda a: a[0])
def test_a_closed_pipe_ends_quietly_with_141(args: tuple[str, ...]) -> None:
    result = _into_closed_pipe(*args)
    assert result.returncode == PIPE_CLOSED
    assert result.stderr == ""  # no BrokenPipeError, no "Exception ignored"


def test_help_into_a_closed_pipe_ends_quietly() -> None:
    result = _into_closed_pipe("--help")
    assert result.returncode == 0  # argparse drops help it cannot write, and exits 0
    assert result.stderr == ""


@pytest.mark.parametrize("args", [("parse", str(SEED_REPORT)), ("openapi",)], ids=lambda a: a[0])
def test_peel_piped_into_head_ends_quietly(args: tuple[str, ...]) -> None:
    status, shown, stderr = _into_head(*args)
    assert len(shown) == 10
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert stderr == ""
    assert status in (0, PIPE_CLOSED)  # 0 only if peel wrote everything before head left


def test_load_and_export_into_a_closed_pipe_end_quietly(
    tmp_path: Path, database_url: str, db: Engine
) -> None:
    result = _into_closed_pipe("load", str(SEED_REPORT), database_url=database_url)
    assert result.returncode == PIPE_CLOSED
    assert result.stderr == ""
    # The load committed before its line was printed: the report is stored.
    assert [row[0] for row in dump(db)["inspection"]] == ["west-midlands-2018-19"]

    result = _into_closed_pipe("export", str(tmp_path / "dump"), database_url=database_url)
    assert result.returncode == PIPE_CLOSED
    assert result.stderr == ""

    status, shown, stderr = _into_head("export", str(tmp_path / "dump2"), database_url=database_url)
    assert shown and "Traceback" not in stderr and stderr == ""
    assert status in (0, PIPE_CLOSED)


def test_load_of_a_bad_file_into_a_closed_pipe_still_says_what_is_wrong(
    tmp_path: Path, database_url: str, db: Engine
) -> None:
    path, expected = windows_1252(tmp_path / "report.txt")
    before = dump(db)
    result = _into_closed_pipe("load", str(path), database_url=database_url)
    assert result.returncode == 2
    assert _one_line(result.stderr) == expected
    assert dump(db) == before


# --- no traceback from anything unexpected ----------------------------------------------


def _failing(_args: object) -> int:
    raise RuntimeError("the disk caught fire\nin two lines")


def test_an_unexpected_error_is_one_line_and_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PEEL_DEBUG", raising=False)
    monkeypatch.setattr(cli, "_cmd_openapi", _failing)
    assert cli.main(["openapi"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert _one_line(captured.err) == (
        "peel: internal error: RuntimeError: the disk caught fire in two lines "
        "(run with PEEL_DEBUG=1 for the traceback)"
    )


def test_peel_debug_prints_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PEEL_DEBUG", "1")
    monkeypatch.setattr(cli, "_cmd_openapi", _failing)
    assert cli.main(["openapi"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "_failing" in err
    assert err.splitlines()[-1].startswith("peel: internal error: RuntimeError:")


def test_the_real_command_reports_an_unexpected_error_in_one_line() -> None:
    # A DATABASE_URL naming no SQLAlchemy dialect fails deep inside the engine's creation.
    result = _peel("migrate", DATABASE_URL="nonsense://")
    assert result.returncode == 1
    line = _one_line(result.stderr)
    assert line.startswith("peel: internal error: NoSuchModuleError: ")
    assert line.endswith("(run with PEEL_DEBUG=1 for the traceback)")
    debug = _peel("migrate", DATABASE_URL="nonsense://", PEEL_DEBUG="1")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
