"""Engine and sessions: SQLite by default, Postgres when DATABASE_URL says so.

Every SQLite connection gets WAL (readers never block the one writer), a busy timeout
(a second writer waits instead of failing) and enforced foreign keys. Writers use
`write_session`, which serialises them: BEGIN IMMEDIATE on SQLite, a transaction-scoped
advisory lock on Postgres.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_SIZE = 40
# Execution option that makes the next SQLite transaction BEGIN IMMEDIATE.
_WRITE_OPTION = "peel_write"
# Key of the Postgres advisory lock every loader takes (any constant bigint; "PEEL").
WRITE_LOCK_KEY = 0x5045454C


class DatabaseUnavailable(RuntimeError):
    """The database could not be reached or opened; `str()` is one line for people."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"cannot connect to database at {location}: {reason}")


def location_of(url: str | URL) -> str:
    """Where a URL points, without credentials: 'host:port[/db]' or the SQLite file."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    port = url.port or {"postgresql": 5432}.get(url.get_backend_name())
    host = url.host or "localhost"
    return f"{host}:{port}" if port else host


def _short_reason(error: BaseException) -> str:
    """The driver's message cut to its last clause: 'connection refused'."""
    original = getattr(error, "orig", None) or error
    first_line = (str(original).strip().splitlines() or ["unknown error"])[0]
    reason = re.split(r"failed: |: (?=\[Errno)", first_line)[-1]
    reason = re.sub(r"^(FATAL|ERROR):\s+|^\[Errno [-\d]+\]\s*", "", reason).strip()
    return reason[:1].lower() + reason[1:] if reason[1:2].islower() else reason


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so that BEGIN is ours to emit
    # (it would otherwise BEGIN lazily, only before DML, and never IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL is a property of the file, kept once set; switching takes a lock that
        # readers opening connections would queue on, so only switch when needed.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite returns them naive)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_engine(url: str | URL | None = None, **kwargs: Any) -> Engine:
    """An engine for `url` (default: Settings.database_url) with this project's setup."""
    url = make_url(url or get_settings().database_url)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise DatabaseUnavailable(url.database, reason) from None
        if url.database and url.database != ":memory:":
            # As many pooled connections as the threadpool has threads (anyio's default,
            # 40): a request never waits for one, none is opened and closed per request.
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", 0)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    if backend == "postgresql" and "connect_timeout" not in url.query:
        # An unroutable host should fail in seconds, not after the OS's TCP timeout.
        kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", 10)
    return create_engine(url, pool_pre_ping=True, **kwargs)


@cache
def get_engine() -> Engine:
    """The process-wide engine for Settings.database_url."""
    return make_engine()


def check_connection(engine: Engine) -> None:
    """Connect once; raise DatabaseUnavailable (one readable line) if that fails."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except DBAPIError as error:
        raise DatabaseUnavailable(location_of(engine.url), _short_reason(error)) from None


def read_snapshot(engine: Engine) -> Session:
    """A session whose reads all see one committed state (close it when done).

    SQLite's read transaction is a snapshot already (WAL); Postgres needs REPEATABLE READ,
    its default READ COMMITTED lets each statement see newer commits.
    """
    session = Session(engine)
    if engine.dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return session


def begin_write(session: Session) -> None:
    """Start `session`'s transaction as the only writer (waits for any other writer).

    Call before the session has run anything. SQLite: BEGIN IMMEDIATE takes the write
    lock up front, so two loaders queue on busy_timeout instead of one failing when it
    upgrades a read lock. Postgres: a transaction-scoped advisory lock, released on
    commit, rollback or a dropped connection.
    """
    connection = session.connection(execution_options={_WRITE_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one serialised write transaction: committed on exit, else rolled back."""
    with Session(engine, expire_on_commit=False) as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def writing(target: Engine | Session) -> Iterator[Session]:
    """One serialised write transaction on an engine, or on a caller's session.

    A caller's session is committed on success and rolled back on failure too: what is
    written here is one unit (one report, or the catalogue), never half of one.
    """
    if not isinstance(target, Session):
        with write_session(target) as session:
            yield session
        return
    if not target.in_transaction():
        begin_write(target)
    elif target.get_bind().dialect.name == "postgresql":
        target.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
    try:
        yield target
        target.commit()
    except BaseException:
        target.rollback()
        raise


# --- migrations -----------------------------------------------------------------------


def alembic_config(connection: Any = None) -> Any:
    """The project's Alembic config, bound to `connection` if one is given."""
    from alembic.config import Config  # alembic is only needed by commands that migrate

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["configure_logger"] = False  # leave the caller's logging alone
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` in one transaction."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def schema_revision(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's revision, the code's head revision)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head
