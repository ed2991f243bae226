"""The HTTP cache's wiring: a FastAPI app with its layers as middleware, ETags, invalidation
by commit, and errors going out through every layer."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

import app.main
from app.api.http_cache import ETag
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


def test_the_asgi_app_is_the_fastapi_application() -> None:
    assert isinstance(app.main.app, FastAPI)
    # Outermost first: observe, guard (limits, CORS, headers), the cache, the gate on
    # computed reads, then the 500s.
    layers = [m.cls.__name__ for m in app.main.app.user_middleware]
    assert layers == ["Observer", "Guard", "HttpCache", "ReadGate"]


def test_an_etag_names_its_version_and_matches_weakly_and_in_lists() -> None:
    etag = ETag.of(7, "/v1/forces", "limit=2", None)
    assert etag.text.startswith('"7-') and etag.version == 7
    assert etag == ETag.of(7, "/v1/forces", "limit=2", "*/*")  # the format, not the header
    assert etag != ETag.of(7, "/v1/forces", "limit=2", "text/csv")
    assert etag != ETag.of(8, "/v1/forces", "limit=2", None)
    assert etag == ETag.of(7, "/v1/forces", "limit=2", None, "other.example")  # JSON: no links
    csv = ETag.of(7, "/v1/forces", "format=csv", None, "a.example")
    assert csv != ETag.of(7, "/v1/forces", "format=csv", None, "b.example")  # absolute links
    assert etag.matches(f'"0-x", W/{etag.text}') and etag.matches("*")
    assert not etag.matches('"7-0000000000000000"')


def test_a_commit_on_the_apps_engine_is_served_at_once(
    loaded: Engine, seed_source: ReportSource
) -> None:
    # The version is otherwise re-read once a minute; a commit says it changed.
    client = TestClient(create_app(loaded, Settings(version_check_seconds=60)))
    before = client.get(CARD)
    with StatementCounter(loaded) as counter:
        assert client.get(CARD).headers["etag"] == before.headers["etag"]
    assert counter.count == 0  # a read commits nothing: still from memory
    text, _, _ = changed_report_text(seed_document(), seed_text())
    load_document(loaded, parse(text), seed_source.with_text(text))  # not through the app
    after = client.get(CARD)
    assert after.status_code == 200 and after.content != before.content
    assert after.headers["etag"] != before.headers["etag"]
    assert client.get(CARD, headers={"If-None-Match": before.headers["etag"]}).status_code == 200


def test_an_unexpected_error_goes_out_through_every_layer(loaded: Engine) -> None:
    api = create_app(loaded)

    @api.get("/v1/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    response = TestClient(api, raise_server_exceptions=False).get("/v1/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "boom" not in response.text
    assert response.headers["x-request-id"]
    assert response.headers["x-content-type-options"] == "nosniff"
