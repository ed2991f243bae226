"""Database faults: a Postgres that goes away under a running service, and slow queries.

The Postgres tests run `peel serve` with its database behind a loopback proxy the test
cuts and restores (tests/faults_proxy.py); the response cache is off so every read
really reaches the database. They need TEST_POSTGRES_URL (skipped without it, failed if
it is set and unreachable). The SQLite tests check the statement timeout and the
version clock directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.api.auth import new_key_entry
from app.api.problems import PROBLEM_MEDIA_TYPE, install_problem_handlers
from app.api.version_clock import VersionClock
from app.db import WRITE_LOCK_KEY, _unlimited, make_engine, migrate
from app.ingest.document import ReportDocument
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.store.catalogue import sync_catalogue
from app.store.report import load_document
from tests.conftest import fresh_database
from tests.faults_proxy import FaultProxy
from tests.helpers import SEED_REPORT, changed_report_text, dump, until
from tests.server import LiveServer, start_server

BOUND_S = 10  # no request may take longer than this while the database is away
CARD = "/v1/inspections/west-midlands-2018-19"
SEARCH = "/v1/search?q=vetting"


@dataclass
class Live:
    server: LiveServer
    proxy: FaultProxy
    direct: Engine  # the same database, not through the proxy
    key: str
    proxied_url: str

    def get(self, path: str) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = httpx.get(self.server.base + path, timeout=BOUND_S + 5)
        return response, time.monotonic() - started

    def post_import(self, body: str) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = httpx.post(
            f"{self.server.base}/v1/imports",
            content=body.encode(),
            headers={"Content-Type": "text/plain", "X-API-Key": self.key},
            timeout=BOUND_S + 20,
        )
        return response, time.monotonic() - started


def _serve(database_url: str, **settings: str) -> LiveServer:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("VERSION_CHECK_SECONDS", "0.2")
        env.setenv("DATABASE_STATEMENT_TIMEOUT_MS", "5000")
        for name, value in settings.items():
            env.setenv(name, value)  # RESPONSE_CACHE_BYTES=0: every read reaches the database
        return start_server(database_url)


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory,
    seed_source: ReportSource,
    seed_document: ReportDocument,
) -> Iterator[Live]:
    with fresh_database("postgres", tmp_path_factory.mktemp("faults")) as url:
        direct = make_engine(url)
        migrate(direct)
        sync_catalogue(direct)
        load_document(direct, seed_document, seed_source)
        target = make_url(url)
        proxy = FaultProxy((target.host or "127.0.0.1", target.port or 5432))
        key, entry = new_key_entry("faults", ["import"])
        server = _serve(proxy.url(url), RESPONSE_CACHE_BYTES="0", API_KEYS=entry)
        try:
            server.wait_ready()
            yield Live(server, proxy, direct, key, proxy.url(url))
        finally:
            server.stop()
            proxy.close()
            direct.dispose()
        # Every fault was answered, none escaped as an unhandled error.
        assert "Traceback" not in server.output, server.output[-3000:]


def assert_unavailable(response: httpx.Response, seconds: float) -> None:
    assert seconds < BOUND_S, f"took {seconds:.1f} s"
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["type"] in ("/problems/database-unavailable", "/problems/not-ready")
    for leak in ("psycopg", "SELECT", "connection to server", "127.0.0.1"):
        assert leak not in response.text


@pytest.mark.postgres
def test_reads_in_flight_when_the_database_goes_away_answer_503(live: Live) -> None:
    live.proxy.delay = 0.05  # each round trip >= 0.1 s: the reads are certainly in flight
    paths = [SEARCH, CARD] * 4
    try:
        with ThreadPoolExecutor(len(paths)) as pool:
            futures = [pool.submit(live.get, path) for path in paths]
            time.sleep(0.4)
            live.proxy.cut()
            results = [future.result() for future in futures]
        for response, seconds in results:
            assert_unavailable(response, seconds)
            assert response.json()["type"] == "/problems/database-unavailable"
        # New reads while it is away: 503 at once too (connect is refused), not a hang.
        for path in (SEARCH, CARD, "/v1/forces"):
            assert_unavailable(*live.get(path))
        # /readyz says not ready; /healthz (no database) is still up.
        assert_unavailable(*live.get("/readyz"))
        assert httpx.get(f"{live.server.base}/healthz", timeout=5).status_code == 200
    finally:
        live.proxy.delay = 0
        live.proxy.restore()
    assert live.server.process.poll() is None


@pytest.mark.postgres
def test_the_same_process_recovers_once_the_database_is_back(live: Live) -> None:
    live.proxy.cut()
    try:
        assert_unavailable(*live.get(CARD))
    finally:
        live.proxy.restore()
    # The pool's dead connections are replaced: the very first read after is a 200.
    response, seconds = live.get(CARD)
    assert response.status_code == 200, response.text
    assert seconds < BOUND_S
    with ThreadPoolExecutor(12) as pool:  # more than the pool holds: all of it is sound
        statuses = list(pool.map(lambda p: live.get(p)[0].status_code, [SEARCH, CARD] * 12))
    assert statuses == [200] * 24
    assert live.get("/readyz")[0].status_code == 200
    assert live.server.process.poll() is None


@pytest.mark.postgres
def test_a_postgres_statement_over_budget_is_a_503_timeout(live: Live) -> None:
    engine = make_engine(live.direct.url, statement_timeout_ms=200)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/slow")
    def slow() -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1 FROM pg_sleep(20)").scalar_one()

    client = TestClient(app, raise_server_exceptions=False)
    started = time.monotonic()
    try:
        response = client.get("/slow")
    finally:
        engine.dispose()
    # Far below the 20 s the statement asks for, with room for a loaded machine (a bound
    # of 3 s against a 5 s sleep once failed at 3.47 s under a parallel test suite).
    assert time.monotonic() - started < 10
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/database-timeout"
    assert "pg_sleep" not in response.text


@pytest.mark.postgres
def test_cached_reads_go_on_while_the_version_cannot_be_read(live: Live) -> None:
    server = _serve(live.proxied_url)  # the response cache on (its default size)
    try:
        server.wait_ready()
        assert httpx.get(server.base + CARD, timeout=5).status_code == 200  # now cached
        live.proxy.cut()
        try:
            time.sleep(0.3)  # the version is due for a re-read, which fails
            for _ in range(3):
                started = time.monotonic()
                cached = httpx.get(server.base + CARD, timeout=BOUND_S + 5)
                assert cached.status_code == 200, cached.text  # the last known version's
                assert time.monotonic() - started < BOUND_S
            assert_unavailable(*_timed(server.base + SEARCH))  # not cached: the database
        finally:
            live.proxy.restore()
        assert httpx.get(server.base + SEARCH, timeout=5).status_code == 200
    finally:
        server.stop()
    assert "Traceback" not in server.output


def _timed(url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(url, timeout=BOUND_S + 5)
    return response, time.monotonic() - started


def _write_lock_held(direct: Engine) -> bool:
    with direct.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname ="
                    " current_database()) AND objid = :key"
                ),
                {"key": WRITE_LOCK_KEY},
            ).scalar_one()
        )


@pytest.mark.postgres
def test_an_import_cut_off_half_way_leaves_old_or_new_never_a_mix(live: Live) -> None:
    seed = SEED_REPORT.read_text("utf-8")
    changed, question, grade = changed_report_text(parse(seed), seed)
    before = dump(live.direct)
    live.proxy.delay = 0.01  # the load's many statements take seconds: a wide window
    try:
        with ThreadPoolExecutor(1) as pool:
            sent = pool.submit(live.post_import, changed)
            # Cut while the loader holds the write lock: its transaction is under way.
            in_transaction = until(lambda: _write_lock_held(live.direct), 20)
            live.proxy.cut()
            response, seconds = sent.result()
    finally:
        live.proxy.delay = 0
        live.proxy.restore()
    assert in_transaction, "the import finished before the cut"
    assert seconds < BOUND_S, f"took {seconds:.1f} s"
    assert response.status_code in (201, 503), response.text
    # The server rolls the dead session back (or has committed it): wait for that.
    assert until(lambda: not _write_lock_held(live.direct), 10)
    faulted = dump(live.direct)

    # A clean import of the same report through the recovered service.
    again, _ = live.post_import(changed)
    after = dump(live.direct)
    assert after != before
    if faulted == before:  # rolled back: nothing of it was written
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert again.status_code == 201 and again.json()["status"] == "replaced"
    else:  # committed before the cut: all of it is there, the same as a clean load's
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        records = after.pop("import_record")
        assert faulted.pop("import_record") == records[:-1]  # the clean one's record
        assert faulted == after
    judgments = httpx.get(
        f"{live.server.base}/v1/judgments", params={"question": question}, timeout=5
    ).json()["items"]
    assert {j["grade"] for j in judgments if j["inspection"] == "west-midlands-2018-19"} == {grade}


# --- SQLite: the statement timeout -----------------------------------------------------

ENDLESS = "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"


def test_a_sqlite_statement_over_budget_is_interrupted(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'peel.db'}", statement_timeout_ms=200)
    try:
        started = time.monotonic()
        with engine.connect() as connection, pytest.raises(OperationalError, match="interrupt"):
            connection.exec_driver_sql(ENDLESS)
        assert time.monotonic() - started < 3
        # The deadline is per statement: the same pooled connection answers again.
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
            time.sleep(0.3)  # idle longer than the budget is fine too
            assert connection.exec_driver_sql("SELECT 2").scalar_one() == 2
    finally:
        engine.dispose()


def test_migrations_run_without_the_statement_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'peel.db'}", statement_timeout_ms=100)
    bounded = ENDLESS.replace("FROM n)", "FROM n WHERE x < 1500000)")  # ~0.5 s
    try:
        with engine.begin() as connection:
            _unlimited(connection)  # what migrate() does before Alembic runs
            assert connection.exec_driver_sql(bounded).scalar_one() == 1_500_000
        with engine.connect() as connection, pytest.raises(OperationalError, match="interrupt"):
            connection.exec_driver_sql(bounded)  # the limit is back on other connections' work
        migrate(engine)
    finally:
        engine.dispose()


def test_a_timed_out_query_is_a_503_problem_without_sql(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'peel.db'}", statement_timeout_ms=200)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/heavy")
    def heavy() -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql(ENDLESS).scalar_one()

    try:
        response = TestClient(app, raise_server_exceptions=False).get("/heavy")
    finally:
        engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/database-timeout"
    assert "RECURSIVE" not in response.text and "interrupted" not in response.text


def test_an_unreachable_database_is_a_503_problem() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", statement_timeout_ms=1000)
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/read")
    def read() -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT 1").scalar_one()

    response = TestClient(app, raise_server_exceptions=False).get("/read")
    engine.dispose()
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/database-unavailable"
    assert response.headers["retry-after"] == "5"
    assert "127.0.0.1" not in response.text and "refused" not in response.text


# --- the version clock during an outage --------------------------------------------------


def test_the_version_clock_keeps_the_last_version_while_the_database_is_away(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'peel.db'}")
    migrate(engine)
    reachable = True

    def engine_of() -> Engine:
        if not reachable:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return engine

    async def scenario() -> None:
        nonlocal reachable
        clock = VersionClock(engine_of, interval=0)
        assert await clock.current() == 0
        reachable = False
        assert await clock.current() == 0  # the last known version, no error, no wait
        never_read = VersionClock(engine_of, interval=0)
        assert await never_read.current() is None  # no version yet: the app answers itself
        reachable = True
        assert await never_read.current() == 0

    try:
        asyncio.run(scenario())
    finally:
        engine.dispose()
