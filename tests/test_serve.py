"""`peel serve` on an empty directory: migrates, seeds and answers over real HTTP; its
prestart (`peel prestart`) runs in a process of its own, so the serving process holds no
more than a bare worker."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.db import schema_revision
from app.models import Inspection
from tests.helpers import run_cli
from tests.reports import ROOT
from tests.server import LiveServer, free_port, start_server

# What two processes serving the same file may differ by: allocator noise, not a module
# set (the prestart's Alembic and a seed load were 15 MB before it had its own process).
RSS_SLACK_MB = 4


def _inspections(engine: Engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Inspection)).scalar_one()


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1]) / 1024


def test_serve_migrates_seeds_and_answers(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'data' / 'peel.db'}")
    try:
        server.wait_ready()
        card = httpx.get(f"{server.base}/v1/inspections/west-midlands-2018-19", timeout=5)
        assert card.status_code == 200
        assert len(card.json()["pillars"]) == 3
        assert httpx.get(f"{server.base}/docs", timeout=5).status_code == 200
    finally:
        server.stop()
    assert "created" in server.output  # the seed report was loaded on the way up


def test_prestart_migrates_and_seeds_only_an_empty_database(
    database_url: str, engine: Engine
) -> None:
    unseeded = run_cli("prestart", "--no-seed", database_url=database_url)
    assert unseeded.returncode == 0, unseeded.stderr
    current, head = schema_revision(engine)
    assert current == head
    assert _inspections(engine) == 0

    seeded = run_cli("prestart", database_url=database_url)
    assert seeded.returncode == 0, seeded.stderr
    assert "created" in seeded.stderr  # the seed's log lines (JSON, on stderr)
    loaded = _inspections(engine)
    assert loaded > 0

    again = run_cli("prestart", database_url=database_url)
    assert again.returncode == 0, again.stderr
    assert "created" not in again.stderr and "peel.seed" not in again.stderr
    assert _inspections(engine) == loaded


def test_the_serving_process_holds_no_more_than_a_bare_worker(tmp_path: Path) -> None:
    """`peel serve` (migrated and seeded on the way up) against `uvicorn app.main:app` on
    the same file: what the prestart imported and allocated is not in the process that
    serves."""
    url = f"sqlite:///{tmp_path / 'peel.db'}"
    server = start_server(url)
    port = free_port()
    bare = LiveServer(
        base=f"http://127.0.0.1:{port}",
        process=subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        log=tempfile.TemporaryFile(),  # noqa: SIM115 - stop() closes it
    )
    try:
        server.wait_ready()  # migrated and seeded first: the bare worker needs both
        bare.wait_ready()
        served, worker = _rss_mb(server.process.pid), _rss_mb(bare.process.pid)
    finally:
        bare.stop()
        server.stop()
    assert "created" in server.output  # it did seed, in its prestart
    assert served <= worker + RSS_SLACK_MB, (served, worker)


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [("READ_CONCURRENCY", "0", "read_concurrency"), ("API_KEYS", "bad", "API_KEYS entry 1")],
)
def test_a_bad_setting_is_said_once_and_nothing_starts(
    tmp_path: Path, setting: str, value: str, said: str
) -> None:
    database = tmp_path / "peel.db"
    result = run_cli(
        "serve",
        "--port",
        str(free_port()),
        database_url=f"sqlite:///{database}",
        **{setting: value},
    )
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()  # not once per process
    assert line.startswith("peel: ") and said in line
    assert not database.exists()  # no prestart ran
