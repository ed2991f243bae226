"""The response cache: answers from memory for the current data version, and only then."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.main import create_app
from app.store.report import load_document
from tests.api.conftest import StatementCounter
from tests.helpers import changed_report_text
from tests.reports import seed_document, seed_text

CARD = "/v1/inspections/west-midlands-2018-19"


@pytest.fixture
def loaded(db: Engine, seed_source: ReportSource) -> Engine:
    load_document(db, seed_document(), seed_source)
    return db


def _client(engine: Engine, **settings: object) -> TestClient:
    return TestClient(create_app(engine, Settings(**settings)))


def test_a_repeated_read_runs_no_statement(loaded: Engine) -> None:
    client = _client(loaded, version_check_seconds=60)
    first = client.get(CARD)
    with StatementCounter(loaded) as counter:
        again = client.get(CARD)
        not_modified = client.get(CARD, headers={"If-None-Match": first.headers["etag"]})
    assert counter.count == 0
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert not_modified.status_code == 304 and not_modified.content == b""


def test_each_format_is_cached_on_its_own(loaded: Engine) -> None:
    client = _client(loaded)
    as_json = client.get("/v1/judgments")
    as_csv = client.get("/v1/judgments", headers={"Accept": "text/csv"})
    assert client.get("/v1/judgments").content == as_json.content
    assert client.get("/v1/judgments", headers={"Accept": "text/csv"}).text == as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")


def test_a_load_by_another_process_is_served_after_the_version_check(
    loaded: Engine, seed_source: ReportSource
) -> None:
    client = _client(loaded, version_check_seconds=0)
    before = client.get("/v1/judgments", params={"grade": "outstanding"}).json()["count"]
    text, _, grade = changed_report_text(seed_document(), seed_text())
    load_document(loaded, parse(text), seed_source.with_text(text))  # not through the app
    after = client.get("/v1/judgments", params={"grade": grade}).json()["count"]
    assert after == before + 1


def test_errors_are_not_cached(loaded: Engine) -> None:
    client = _client(loaded)
    assert client.get("/v1/forces/atlantis").status_code == 404
    with StatementCounter(loaded) as counter:
        assert client.get("/v1/forces/atlantis").status_code == 404
    assert counter.count > 0


def test_the_cache_can_be_turned_off(loaded: Engine) -> None:
    client = _client(loaded, response_cache_bytes=0)
    client.get(CARD)
    with StatementCounter(loaded) as counter:
        client.get(CARD)
    assert counter.count > 0
