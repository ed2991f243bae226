"""The seed report and small helpers for editing copies of it in tests."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path

from app.ingest.document import ReportDocument
from app.ingest.parse import parse

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "seed"
SEED_REPORT = SEED_DIR / "west-midlands-peel-2018-19.txt"
EXPECTED_JSON = Path(__file__).parent / "data" / "west-midlands-peel-2018-19.expected.json"

# A grid cell no source states: what `/v1/frameworks/{id}/grades` answers for it.
EMPTY_GRID_CELL = {
    "grade": None,
    "grade_rank": None,
    "status": "not-available",
    "carried_over": None,
    "last_inspected": None,
    "source_url": None,
    "source_kind": None,
    "source_date": None,
    "inspection": None,
}


@cache
def seed_text() -> str:
    return SEED_REPORT.read_text(encoding="utf-8")


@cache
def seed_document() -> ReportDocument:
    return parse(seed_text())


def csv_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a CSV file (a reference file, or a test's copy of one)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write_csv_rows(path: Path, rows: list[dict[str, str]]) -> None:
    """Write `rows` (the first one's keys as the header): a test's copy of a CSV file."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def seed_manifest_row() -> dict[str, str]:
    with (SEED_DIR / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["file"] == SEED_REPORT.name)


def expected_document() -> dict:
    return json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))


def lines_of(text: str) -> list[str]:
    return text.split("\n")


def join_lines(lines: list[str]) -> str:
    return "\n".join(lines)
