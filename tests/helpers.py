"""Helpers for the storage tests: table dumps, an edited report, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from app.ingest.document import ReportDocument
from tests.reports import ROOT, SEED_DIR, SEED_REPORT

__all__ = ["ROOT", "SEED_DIR", "SEED_REPORT", "changed_report_text", "dump", "run_cli", "until"]


def dump(engine: Engine) -> dict[str, list[Any]]:
    """Every row of every table (and of the search index), in primary-key order."""
    rows: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(query)]
        rows["search_index"] = sorted(
            connection.exec_driver_sql(
                "SELECT kind, ref_id, inspection, question, pillar, title, body FROM search_index"
            ).all()
        )
    return rows


def changed_report_text(document: ReportDocument, text: str) -> tuple[str, str, str]:
    """The report with one question's grade changed, everywhere the report prints it.

    Returns (text, question id, new grade id). The grade is printed in the overall
    summary (the judgment's line) and under the question's own heading.
    """
    judgment = next(j for j in document.judgments if j.question and j.grade == "good")
    section = next(
        q for p in document.pillars for q in p.questions if q.question == judgment.question
    )
    lines = text.split("\n")
    lines[judgment.line - 1] = lines[judgment.line - 1].replace("Good", "Outstanding")
    for n in range(section.span.start_line - 1, section.span.end_line):
        if lines[n].strip() == "Good":
            lines[n] = lines[n].replace("Good", "Outstanding")
            break
    return "\n".join(lines), judgment.question, "outstanding"


def run_cli(
    *args: str, database_url: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess:
    """`peel ARGS` in a child process against `database_url` (and any other settings in
    `env`)."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def until(condition: Callable[[], object], seconds: float) -> bool:
    """Whether `condition()` comes true within `seconds` (polled every 10 ms)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
