"""Scaling out: two workers (two `peel serve` processes) on one Postgres and one Redis.

- A load through worker A is served by worker B at once: B hears the load's NOTIFY
  (VersionClock's listener), not its polling (VERSION_CHECK_SECONDS=30 here).
- The import rate limit is one limit over both workers: the buckets are in Redis.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import Engine, text

from app.api.auth import new_key_entry
from app.api.version_clock import LISTENER_NAME
from app.db import make_engine, migrate
from app.ingest.document import ReportDocument
from app.ingest.manifest import ReportSource
from app.store.catalogue import sync_catalogue
from app.store.report import load_document
from tests.conftest import fresh_database
from tests.helpers import changed_report_text
from tests.reports import seed_text
from tests.server import LiveServer, start_server

pytestmark = pytest.mark.postgres

REDIS_URL = "redis://127.0.0.1:6379/11"
CARD = "/v1/inspections/west-midlands-2018-19"
POLLING_S = 30  # the workers' VERSION_CHECK_SECONDS: far longer than "at once"
AT_ONCE_S = 5


def redis_answers(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class Workers:
    a: LiveServer
    b: LiveServer
    load_key: str
    limited_key: str


def _listeners(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = :name"
            ),
            {"name": LISTENER_NAME},
        ).scalar_one()


@pytest.fixture(scope="module")
def workers(
    tmp_path_factory: pytest.TempPathFactory,
    seed_source: ReportSource,
    seed_document: ReportDocument,
) -> Iterator[Workers]:
    with fresh_database("postgres", Path(tmp_path_factory.mktemp("scale"))) as url:
        if not redis_answers():
            pytest.skip(f"Redis does not answer at {REDIS_URL}: scale-out tests skipped")
        direct = make_engine(url)
        migrate(direct)
        sync_catalogue(direct)
        load_document(direct, seed_document, seed_source)
        # Keys of this run only: their buckets in Redis are no other run's.
        run = secrets.token_hex(4)
        load_key, load_entry = new_key_entry(f"scale-load-{run}", ["import"])
        limited_key, limited_entry = new_key_entry(f"scale-limited-{run}", ["import"])
        settings = {
            "API_KEYS": f"{load_entry},{limited_entry}",
            "IMPORT_RATE_LIMIT": "2",
            "VERSION_CHECK_SECONDS": str(POLLING_S),
            "REDIS_URL": REDIS_URL,
        }
        a = start_server(url, **settings)
        b = start_server(url, **settings)
        try:
            a.wait_ready()
            b.wait_ready()
            deadline = time.monotonic() + 10
            while _listeners(direct) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _listeners(direct) == 2, "each worker LISTENs on a connection of its own"
            yield Workers(a, b, load_key, limited_key)
        finally:
            a.stop()
            b.stop()
            direct.dispose()
        for server in (a, b):
            assert "Traceback" not in server.output, server.output[-3000:]
            assert "rate limits: Redis" not in server.output  # never fell back


def _import(server: LiveServer, key: str, body: str, **params: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/v1/imports",
        params=params,
        content=body.encode(),
        headers={"Content-Type": "text/plain", "X-API-Key": key},
        timeout=30,
    )


def _version(response: httpx.Response) -> int:
    return int(response.headers["etag"].strip('"').split("-")[0])


def test_a_load_through_one_worker_is_served_by_the_other_at_once(
    workers: Workers, seed_document: ReportDocument
) -> None:
    before = httpx.get(workers.b.base + CARD, timeout=10)
    assert before.status_code == 200
    assert httpx.get(workers.b.base + CARD, timeout=10).content == before.content  # cached

    changed, _, _ = changed_report_text(seed_document, seed_text())
    loaded = _import(workers.a, workers.load_key, changed)
    assert loaded.status_code in (200, 201), loaded.text
    assert loaded.json()["status"] == "replaced"
    loaded_at = time.monotonic()

    after = before
    while after.headers["etag"] == before.headers["etag"]:
        assert time.monotonic() - loaded_at < AT_ONCE_S, "worker B still serves the old version"
        time.sleep(0.02)
        after = httpx.get(workers.b.base + CARD, timeout=10)
    assert after.status_code == 200 and after.content != before.content
    assert _version(after) > _version(before)
    # ... and it is the same answer worker A (which made the load) gives.
    assert httpx.get(workers.a.base + CARD, timeout=10).headers["etag"] == after.headers["etag"]


def test_the_import_rate_limit_holds_across_workers(workers: Workers) -> None:
    # IMPORT_RATE_LIMIT=2: two imports a minute per key, whichever worker takes them.
    statuses = [
        _import(server, workers.limited_key, "not a report", dry_run="true").status_code
        for server in (workers.a, workers.b)
    ]
    assert statuses == [422, 422]  # spent a token each, on different workers
    for server in (workers.a, workers.b):
        refused = _import(server, workers.limited_key, "not a report", dry_run="true")
        assert refused.status_code == 429, refused.text
        assert 1 <= int(refused.headers["retry-after"]) <= 30
