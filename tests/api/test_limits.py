"""Limits (query string length, rate limits) and bad input: always a 4xx problem, never a 5xx."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.auth import new_key_entry
from app.api.security import TokenBuckets
from app.config import Settings
from app.main import create_app
from tests.api.conftest import Api
from tests.helpers import dump
from tests.reports import seed_text

KEY_A, ENTRY_A = new_key_entry("pipeline", ["import"])
KEY_B, ENTRY_B = new_key_entry("backfill", ["import"])


def _assert_problem(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    body = response.text
    assert "Traceback" not in body and "SELECT" not in body and "sqlalchemy" not in body


def test_an_over_long_query_string_is_a_414(api: Api) -> None:
    response = api.client.get("/v1/search", params={"q": "x" * 2100})
    _assert_problem(response, 414)
    assert "2,048" in response.json()["detail"]
    assert api.client.get("/v1/search", params={"q": "police"}).status_code == 200


def test_the_query_string_cap_is_configurable(db: Engine) -> None:
    client = TestClient(create_app(db, Settings(max_query_bytes=10)))
    _assert_problem(client.get("/v1/forces?limit=100000"), 414)
    assert client.get("/v1/forces?limit=10").status_code == 200


@pytest.fixture
def limited(db: Engine) -> Iterator[TestClient]:
    settings = Settings(api_keys=f"{ENTRY_A},{ENTRY_B}", import_rate_limit=2)
    with TestClient(create_app(db, settings)) as client:
        yield client


def _import(client: TestClient, key: str | None) -> object:
    headers = {"Content-Type": "text/plain"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    return client.post("/v1/imports?dry_run=true", content="not a report", headers=headers)


def test_imports_over_the_rate_limit_are_a_429_with_retry_after(limited: TestClient) -> None:
    assert [_import(limited, KEY_A).status_code for _ in range(2)] == [422, 422]
    response = _import(limited, KEY_A)
    _assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 30  # 2 a minute: one every 30 s
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_import_rate_limit_is_per_key(limited: TestClient) -> None:
    for _ in range(2):
        _import(limited, KEY_A)
    assert _import(limited, KEY_A).status_code == 429
    assert _import(limited, KEY_B).status_code == 422  # another key has its own bucket
    # Without a (valid) key the client's address is limited: no unbounded key guessing.
    assert [_import(limited, None).status_code for _ in range(2)] == [401, 401]
    assert _import(limited, None).status_code == 429
    assert _import(limited, "wrong").status_code == 429


def test_reads_are_not_rate_limited_by_default(api: Api) -> None:
    assert {api.client.get("/v1/forces?limit=1").status_code for _ in range(30)} == {200}


def test_reads_are_rate_limited_when_configured(db: Engine) -> None:
    # One read every 10 s: a slow first request on a busy machine cannot refill it.
    client = TestClient(create_app(db, Settings(read_rate_limit=0.1)))
    assert client.get("/v1/forces").status_code == 200
    response = client.get("/v1/forces")  # cached, but still counted
    _assert_problem(response, 429)
    assert 1 <= int(response.headers["retry-after"]) <= 10
    assert response.headers["access-control-allow-origin"] == "*"


def test_token_buckets_are_bounded() -> None:
    buckets = TokenBuckets(rate=1, burst=1, max_keys=3)
    for client in ("a", "b", "c", "d"):
        assert buckets.take(client) == 0
    assert buckets.take("d") > 0
    assert buckets.take("a") == 0  # forgotten: the oldest of four went first
    assert len(buckets._buckets) == 3


BAD_READS = [
    "/v1/judgments?grade=%ff",
    "/v1/search?q=%ff",
    "/v1/forces?sort=%ff",
    "/v1/forces/%ff",
    "/v1/judgments?force=%00",
    "/v1/search?q=%00",
    f"/v1/forces?limit={10**30}",
    f"/v1/forces?offset={10**30}",
    f"/v1/changes?since={10**30}",
    "/v1/judgments?limit=-1",
    "/v1/findings?offset=-1",
    "/v1/judgments?level=nope",
    "/v1/recommendations?kind=nope",
    "/v1/judgments?carried_over=maybe",
    "/v1/forces?format=xml",
    "/v1/forces/..%2F..%2Fetc%2Fpasswd",
    "/v1/findings/../../x",
    "/v1/findings/..%2F..%2Fx",
    "/v1/inspections/%00",
    "/v1/forces?%ff=1",
]


@pytest.mark.parametrize("url", BAD_READS)
def test_bad_input_is_a_4xx_problem(api: Api, url: str) -> None:
    _assert_problem(api.client.get(url), 400, 404)


@pytest.fixture
def importer(db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(db, Settings(api_keys=ENTRY_A))) as client:
        yield client


@pytest.mark.parametrize(
    ("query", "body", "content_type"),
    [
        ("", "café".encode("latin-1"), "text/plain; charset=utf-8"),
        ("", b'{"text": "caf\xe9"}', "application/json"),
        ("", b'{"text": ', "application/json"),
        ("", seed_text().replace("Good", "Go\x00od", 1).encode(), "text/plain"),
        ("?force=%ff", seed_text().encode(), "text/plain"),
        ("?force=..%2Fetc", seed_text().encode(), "text/plain"),
        ("?published=2019-13-45", seed_text().encode(), "text/plain"),
        (f"?published={10**30}", seed_text().encode(), "text/plain"),
        ("?dry_run=maybe", seed_text().encode(), "text/plain"),
        ("?filename=..%2F..%2Fetc%2Fpasswd", seed_text().encode(), "text/plain"),
    ],
)
def test_a_bad_import_is_a_4xx_problem_and_writes_nothing(
    importer: TestClient, db: Engine, query: str, body: bytes, content_type: str
) -> None:
    before = dump(db)
    response = importer.post(
        f"/v1/imports{query}",
        content=body,
        headers={"Content-Type": content_type, "X-API-Key": KEY_A},
    )
    _assert_problem(response, 400, 415, 422)
    assert dump(db) == before
