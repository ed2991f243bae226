"""Conditional GET: the ETag changes when, and only when, an import changes the data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.auth import new_key_entry
from app.config import Settings
from app.main import create_app
from tests.helpers import changed_report_text
from tests.reports import seed_document, seed_text

KEY, ENTRY = new_key_entry("pipeline", ["import"])
CARD = "/v1/inspections/west-midlands-2018-19"


@pytest.fixture(params=["cache on", "cache off"])
def client(db: Engine, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """Cache on: a revalidation is answered from the response store when it holds the
    answer; cache off: by the app itself (the version read before the snapshot begins)."""
    cache = {"response_cache_bytes": 0} if request.param == "cache off" else {}
    settings = Settings(api_keys=ENTRY, cache_max_age=120, **cache)
    with TestClient(create_app(db, settings)) as client:
        response = _import(client, seed_text())
        assert response.status_code == 201
        yield client


def _import(client: TestClient, text: str):
    return client.post(
        "/v1/imports", content=text, headers={"Content-Type": "text/plain", "X-API-Key": KEY}
    )


def _revalidate(client: TestClient, etag: str, url: str = CARD):
    return client.get(url, headers={"If-None-Match": etag})


def test_unchanged_data_answers_304_with_no_body(client: TestClient) -> None:
    first = client.get(CARD)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["cache-control"] == "public, max-age=120"
    assert first.headers["last-modified"].endswith("GMT")
    again = _revalidate(client, etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_an_import_that_changes_data_changes_the_etag(client: TestClient) -> None:
    etag = client.get(CARD).headers["etag"]
    changed, _, _ = changed_report_text(seed_document(), seed_text())
    assert _import(client, changed).json()["status"] == "replaced"
    after = _revalidate(client, etag)
    assert after.status_code == 200
    assert after.headers["etag"] != etag


def test_an_import_that_changes_nothing_keeps_the_etag(client: TestClient) -> None:
    etag = client.get(CARD).headers["etag"]
    assert _import(client, seed_text()).json()["status"] == "unchanged"
    assert _revalidate(client, etag).status_code == 304


def test_each_url_and_representation_has_its_own_etag(client: TestClient) -> None:
    card = client.get(CARD).headers["etag"]
    judgments = client.get("/v1/judgments").headers["etag"]
    filtered = client.get("/v1/judgments", params={"grade": "good"}).headers["etag"]
    as_csv = client.get("/v1/judgments", headers={"Accept": "text/csv"}).headers["etag"]
    assert len({card, judgments, filtered, as_csv}) == 4
    assert _revalidate(client, card, "/v1/judgments").status_code == 200
    assert _revalidate(client, f"W/{judgments}, {card}", "/v1/judgments").status_code == 304


def test_errors_and_operations_carry_no_validators(client: TestClient) -> None:
    assert "etag" not in client.get("/v1/forces/atlantis").headers
    assert "etag" not in client.get("/readyz").headers
