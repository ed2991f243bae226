"""Values kept per data version (app/services/per_version.py): read once while the data
stays the same, read again as soon as a load changes it. The response cache is off in
these tests, so every answer is computed."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.config import Settings, get_settings
from app.ingest.manifest import ReportSource
from app.ingest.reference import REFERENCE_DIR
from app.main import create_app
from app.store.catalogue import sync_catalogue
from app.store.report import load_document
from tests.reports import csv_rows, seed_document, write_csv_rows

CARD = "/v1/inspections/west-midlands-2018-19"
STRUCTURE_TABLES = ("FROM pillar", "FROM question")


@pytest.fixture
def client(db: Engine, seed_source: ReportSource) -> TestClient:
    load_document(db, seed_document(), seed_source)
    return TestClient(create_app(db, Settings(response_cache_bytes=0)))


class Statements(list[str]):
    """The SQL statements an engine runs inside the `with` block."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    def _seen(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.append(" ".join(statement.split()))

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def of_structure(self) -> list[str]:
        return [s for s in self if any(table in s for table in STRUCTURE_TABLES)]


def test_a_card_reads_its_frameworks_pillars_and_questions_once_per_data_version(
    client: TestClient,
) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Statements(engine) as first:
        first_card = client.get(CARD)
    with Statements(engine) as again:
        second_card = client.get(CARD)
    assert first_card.status_code == second_card.status_code == 200
    assert second_card.json() == first_card.json()
    assert len(first.of_structure()) == 2  # the pillars, then the questions
    assert again.of_structure() == []
    assert len(again) == len(first) - 2
    # The data version is read once per request, however many ask for it.
    assert len([s for s in again if "FROM data_version" in s]) == 1


@pytest.fixture
def renamed_question(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """A copy of reference/ with the 2018/19 framework's first question renamed, configured
    as REFERENCE_DIR; yields that question's row as it now reads."""
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    framework = directory / "peel-2018-19-framework.csv"
    rows = csv_rows(framework)
    rows[0] = {**rows[0], "name": rows[0]["name"] + " (renamed by a test)"}
    write_csv_rows(framework, rows)
    assert csv_rows(framework)[0]["name"].endswith("(renamed by a test)")
    monkeypatch.setenv("REFERENCE_DIR", str(directory))
    get_settings.cache_clear()
    yield rows[0]
    get_settings.cache_clear()


def _question_names(card: dict) -> dict[str, str]:
    return {q["question"]: q["name"] for p in card["pillars"] for q in p["questions"]}


def test_a_catalogue_change_is_on_the_very_next_card(
    client: TestClient, renamed_question: dict
) -> None:
    before = _question_names(client.get(CARD).json())
    question_id = renamed_question["question_id"]
    assert before[question_id] != renamed_question["name"]
    result = sync_catalogue(client.app.state.engine)  # type: ignore[attr-defined]
    assert result.updated >= 1
    after = _question_names(client.get(CARD).json())
    assert after[question_id] == renamed_question["name"]
    assert {k: v for k, v in after.items() if k != question_id} == {
        k: v for k, v in before.items() if k != question_id
    }
