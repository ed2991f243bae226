"""Engine set-up: SQLite pragmas, serialised writers, readable connection errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, select, text

from app import db as db_module
from app.db import (
    POSTGRES_READ_SLOTS,
    POSTGRES_SPARE_CONNECTIONS,
    SQLITE_POOL_SIZE,
    WRITE_LOCK_KEY,
    DatabaseUnavailable,
    alembic_config,
    check_connection,
    current_revision,
    head_revision,
    location_of,
    make_engine,
    migrate,
    read_before_snapshot,
    read_snapshot,
    write_session,
)
from app.models import Force, Question
from tests.conftest import fresh_database
from tests.reports import ROOT


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'peel.db'}")  # directory made on demand
    with Session(engine) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_a_sqlite_checkout_never_waits_and_only_the_pool_stays_open(tmp_path: Path) -> None:
    """A request holds its connection between thread hops: a bounded pool could leave every
    thread waiting for connections that requests waiting for a thread hold."""
    engine = make_engine(f"sqlite:///{tmp_path / 'peel.db'}", pool_timeout=1)
    held = [engine.connect() for _ in range(2 * SQLITE_POOL_SIZE + 1)]  # no TimeoutError
    for connection in held:
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
    for connection in held:
        connection.close()
    assert engine.pool.checkedin() == SQLITE_POOL_SIZE  # the others were closed
    engine.dispose()


@pytest.mark.postgres
def test_postgres_keeps_a_connection_for_every_read_slot(tmp_path: Path) -> None:
    """A worker's reads at once (POSTGRES_READ_SLOTS) and two more each keep their
    connection when given back: with SQLAlchemy's default pool of 5, three of eight reads
    opened a connection (a fork on the server) and closed it again at every turn."""
    kept = POSTGRES_READ_SLOTS + POSTGRES_SPARE_CONNECTIONS
    with fresh_database("postgres", tmp_path) as url:
        engine = make_engine(url)
        try:
            held = [engine.connect() for _ in range(kept + 1)]
            for connection in held:
                connection.close()
            assert engine.pool.checkedin() == kept  # the one beyond them was closed
        finally:
            engine.dispose()


def test_the_head_revision_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def test_the_current_revision_is_alembics_at_every_step(engine: Engine) -> None:
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    steps = [None, *reversed([r.revision for r in script.walk_revisions()])]
    assert steps[-1] == head_revision()
    for revision in steps:
        if revision is not None:
            migrate(engine, revision)
        with engine.connect() as connection:
            alembic = MigrationContext.configure(connection).get_current_revision()
            assert current_revision(connection) == alembic == revision


def test_readiness_never_imports_alembic(database_url: str) -> None:
    """/readyz reads the revisions on every serving worker; Alembic (with Mako and Pygments)
    would cost each of them ~13 MB."""
    engine = make_engine(database_url)
    migrate(engine)
    engine.dispose()
    probe = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "from app.main import create_app\n"
        "detail = TestClient(create_app()).get('/readyz').json()['detail']\n"
        "print(detail)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    detail, imported = done.stdout.splitlines()[-2:]
    assert detail == "No inspection is loaded yet."  # the schema was found at the head
    assert imported == "[]"


def test_a_write_session_holds_the_write_lock_from_its_start(engine: Engine) -> None:
    """A second writer must wait for the first (SQLite: BEGIN IMMEDIATE; Postgres: lock)."""
    with write_session(engine) as session:
        if engine.dialect.name == "sqlite":
            # Another connection cannot even start a write while this one is open.
            other = make_engine(engine.url, connect_args={"timeout": 0})
            with pytest.raises(OperationalError, match="locked"), other.connect() as connection:
                connection.exec_driver_sql("PRAGMA busy_timeout=0")
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            other.dispose()
        else:
            other = make_engine(engine.url)
            with other.connect() as connection:
                query = text("SELECT pg_try_advisory_xact_lock(:key)")
                assert connection.execute(query, {"key": WRITE_LOCK_KEY}).scalar_one() is False
            other.dispose()
        session.execute(text("SELECT 1"))


@pytest.mark.postgres
def test_a_pooled_connection_is_pinged_only_after_sitting_idle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given back moments ago: reused as it is (no ping: one round trip fewer a read).
    Killed while it sat idle longer than PING_AFTER_IDLE_S: replaced before use."""
    with fresh_database("postgres", tmp_path) as url:
        engine, admin = make_engine(url), make_engine(url)
        pings: list[int] = []
        ping = engine.dialect.do_ping  # the real ping, counted
        monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi: pings.append(1) or ping(dbapi))
        backend = text("SELECT pg_backend_pid()")
        try:
            with engine.connect() as connection:
                first = connection.execute(backend).scalar_one()
            with engine.connect() as connection:
                assert connection.execute(backend).scalar_one() == first
            assert pings == []
            with admin.connect() as connection:
                killed = text("SELECT pg_terminate_backend(:pid)")
                assert connection.execute(killed, {"pid": first}).scalar_one() is True
            monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)  # as if a second went by
            with engine.connect() as connection:
                assert connection.execute(backend).scalar_one() != first
            assert pings == [1]
        finally:
            engine.dispose()
            admin.dispose()


def test_a_read_before_the_snapshot_opens_no_transaction(engine: Engine) -> None:
    """Postgres: read in autocommit on the session's connection (no BEGIN, no ROLLBACK),
    the snapshot begins afterwards as ever; a failed read never leaves the connection in
    autocommit for the next session. SQLite: not read there (None)."""
    statement = text("SELECT 1 AS one")
    session = read_snapshot(engine)
    try:
        rows = read_before_snapshot(session, statement)
        if engine.dialect.name == "sqlite":
            assert rows is None
            return
        assert rows is not None and [row.one for row in rows] == [1]
        dbapi_connection = session.connection().connection.dbapi_connection
        assert dbapi_connection.info.transaction_status == TransactionStatus.IDLE
        assert session.execute(text("SHOW transaction_isolation")).scalar_one() == (
            "repeatable read"
        )
        assert read_before_snapshot(session, statement) is None  # the snapshot has begun
    finally:
        session.close()
    session = read_snapshot(engine)
    with pytest.raises(DBAPIError):
        read_before_snapshot(session, text("SELECT 1 / 0"))
    session.close()
    with read_snapshot(engine) as session:  # a connection in autocommit would answer idle
        session.execute(text("SELECT 1"))
        dbapi_connection = session.connection().connection.dbapi_connection
        assert dbapi_connection.autocommit is False
        assert dbapi_connection.info.transaction_status == TransactionStatus.INTRANS


def test_a_read_snapshot_writes_nothing(db: Engine) -> None:
    """A snapshot ends with COMMIT (below), so it must write nothing: an object changed on
    it is never saved, and Postgres refuses a write statement in it (READ ONLY)."""
    with read_snapshot(db) as session:
        force = session.exec(select(Force).order_by(Force.id)).first()
        assert force is not None
        name = force.name
        force.name = name + " (changed on a read)"
    with read_snapshot(db) as session:
        assert session.get(Force, force.id).name == name
    if db.dialect.name == "postgresql":
        with read_snapshot(db) as session, pytest.raises(DBAPIError, match="read-only"):
            session.execute(text("UPDATE force SET name = name || '!'"))


def test_json_columns_read_back_as_written(db: Engine) -> None:
    """JSON columns are parsed by pydantic-core (make_engine), not json.loads: the text that
    comes back is the text written, quotes, backslashes, escapes and non-ASCII included."""
    texts = [
        'a "quoted" word',
        "a \\ backslash, \\u00e9 as text",
        "é – ‘curly’ 🚓",
        "two\nlines",
        "",
    ]
    with write_session(db) as session:
        question = session.exec(
            select(Question).order_by(Question.framework_id, Question.id)
        ).first()
        assert question is not None
        key = (question.framework_id, question.id)
        question.aliases = texts
    with read_snapshot(db) as session:
        assert session.get(Question, key).aliases == texts


@pytest.mark.postgres
def test_reads_repeated_on_a_connection_are_prepared_once(tmp_path: Path) -> None:
    """psycopg prepares a statement run five times on a connection, and forgets them all at
    every ROLLBACK: snapshots end with COMMIT, so Postgres parses and plans a request's
    statements once per connection, not once per request."""
    with fresh_database("postgres", tmp_path) as url:
        engine = make_engine(url, pool_size=1, max_overflow=0)  # one connection: the same
        probe = text("SELECT CAST(:n AS integer) AS peel_probe")
        prepared = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :like")
        try:
            for n in range(6):
                with read_snapshot(engine) as session:
                    assert session.execute(probe, {"n": n}).scalar_one() == n
            with read_snapshot(engine) as session:
                assert session.execute(prepared, {"like": "%peel_probe%"}).scalar_one() == 1
        finally:
            engine.dispose()


def test_an_unreachable_postgres_names_the_host_and_the_reason() -> None:
    engine = make_engine("postgresql+psycopg://peel:secret@127.0.0.1:5999/peel")
    with pytest.raises(DatabaseUnavailable) as raised:
        check_connection(engine)
    assert str(raised.value) == "cannot connect to database at 127.0.0.1:5999: connection refused"
    assert "secret" not in str(raised.value)


def test_location_never_shows_credentials() -> None:
    assert location_of("postgresql+psycopg://u:pw@db.example:6543/peel") == "db.example:6543"
    assert location_of("sqlite:////var/lib/peel.db") == "/var/lib/peel.db"
