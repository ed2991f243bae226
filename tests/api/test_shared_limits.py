"""Rate limits shared through Redis (REDIS_URL): one limit over every worker using it, and
each worker's own limit, never a 500, while Redis cannot be reached."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.auth import new_key_entry
from app.config import Settings
from app.main import create_app
from tests.test_scale_out import REDIS_URL, redis_answers

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _workers(engine: Engine, n: int, **settings: object) -> Iterator[list[TestClient]]:
    """`n` apps ("workers") on one database, with their lifespans running."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(TestClient(create_app(engine, Settings(**settings))))
            for _ in range(n)
        ]


def _import(client: TestClient, key: str) -> int:
    return client.post(
        "/v1/imports?dry_run=true",
        content="not a report",
        headers={"Content-Type": "text/plain", "X-API-Key": key},
    ).status_code


@pytest.fixture
def redis_url() -> str:
    if not redis_answers():
        pytest.skip(f"Redis does not answer at {REDIS_URL}: shared rate limits not tested")
    return REDIS_URL


def test_the_import_limit_is_one_limit_over_every_worker(db: Engine, redis_url: str) -> None:
    key, entry = new_key_entry(f"shared-{secrets.token_hex(4)}", ["import"])
    for a, b in _workers(db, 2, api_keys=entry, import_rate_limit=2, redis_url=redis_url):
        assert [_import(a, key), _import(b, key)] == [422, 422]
        assert [_import(a, key), _import(b, key)] == [429, 429]


def test_the_read_limit_is_one_limit_over_every_worker(db: Engine, redis_url: str) -> None:
    client = {"X-Forwarded-For": f"192.0.2.{secrets.randbelow(250)}, 10.{secrets.token_hex(2)}"}
    settings = {"read_rate_limit": 1, "trust_forwarded_for": True, "redis_url": redis_url}
    for a, b in _workers(db, 2, **settings):
        assert a.get("/v1/forces", headers=client).status_code == 200
        refused = b.get("/v1/forces", headers=client)
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "1"


def test_without_redis_each_worker_counts_its_own_and_says_so(
    db: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    key, entry = new_key_entry("offline", ["import"])
    caplog.set_level(logging.WARNING, logger="peel.api")
    for a, b in _workers(db, 2, api_keys=entry, import_rate_limit=2, redis_url=DEAD_REDIS):
        # Never a 500: each worker's own buckets stand in, two imports a minute each.
        assert [_import(a, key) for _ in range(3)] == [422, 422, 429]
        assert [_import(b, key) for _ in range(3)] == [422, 422, 429]
    warnings = [r.getMessage() for r in caplog.records if "rate limits: Redis" in r.getMessage()]
    assert len(warnings) == 2  # once per worker, not once per request
    assert "127.0.0.1:1" in warnings[0] and "each worker counts its own" in warnings[0]
