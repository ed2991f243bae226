"""Engine and sessions: SQLite by default, Postgres when DATABASE_URL says so.

Every SQLite connection gets WAL (readers never block the one writer), a busy timeout
(a second writer waits instead of failing) and enforced foreign keys. Writers use
`write_session`, which serialises them: BEGIN IMMEDIATE on SQLite, a transaction-scoped
advisory lock on Postgres.
"""

from __future__ import annotations

import ast
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, Row, make_url
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    OperationalError,
    PendingRollbackError,
)
from sqlalchemy.sql import Executable
from sqlmodel import Session

from app.config import PROJECT_ROOT, Settings, get_settings

SQLITE_BUSY_TIMEOUT_MS = 5000
# SQLite connections kept open for reuse; more are opened when needed (a checkout never
# waits) and closed when given back. A request holds its connection between thread hops
# (dependencies, endpoint), so a bounded pool can deadlock: every thread waiting for a
# connection held by requests that wait for a thread. Reads are computed a few at a time
# (READ_CONCURRENCY, app/api/read_gate.py), so a worker uses a handful; each has its own
# page cache (up to 2 MB), which is why there are not 40 of them any more (bench/README.md,
# RSS).
SQLITE_POOL_SIZE = 8
# Reads a worker computes at once by default (Settings.read_concurrency; app/api/read_gate.py
# holds the others back), measured (bench/README.md, RSS): SQLite's run in the worker,
# CPU-bound, so two keep its core busy (one computes while the other hops threads);
# Postgres's wait on the server, so four (as many req/s as eight once each kept its
# connection and prepared statements, and 2 MB less held after a run).
SQLITE_READ_SLOTS = 2
POSTGRES_READ_SLOTS = 4
# Postgres connections kept open beyond one per read slot (the version clock's, a
# writer's). With SQLAlchemy's default pool of 5, three of eight reads (the slots then)
# opened a connection and closed it again at every turn: 60 new server sessions in 4 s of
# report cards, each a fork on the server and its statements prepared again
# (bench/README.md).
POSTGRES_SPARE_CONNECTIONS = 2
# Postgres: seconds to wait for a connection before the request fails (a 503).
CONNECT_TIMEOUT_S = 3
# Postgres: a pooled connection unused for this long is pinged before it is handed out.
# One given back moments ago is not: on a busy worker the ping was a tenth of a report
# card's round trips (bench/README.md). A server that goes away under traffic fails the
# reads in flight, and SQLAlchemy then replaces every connection pooled before the error.
PING_AFTER_IDLE_S = 1.0
# SQLite: how many VM instructions run between two checks of the statement's deadline.
_PROGRESS_STEPS = 10_000
# Execution option that makes the next SQLite transaction BEGIN IMMEDIATE.
_WRITE_OPTION = "peel_write"
# Execution option that lifts the statement timeout (migrations may rewrite big tables).
_UNLIMITED_OPTION = "peel_unlimited"
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


class _Deadline:
    """When the running SQLite statement must stop (None: no limit); one per connection."""

    def __init__(self, budget_s: float) -> None:
        self.budget_s = budget_s
        self.at: float | None = None

    def exceeded(self) -> int:
        # sqlite3 aborts the statement (OperationalError 'interrupted') on a non-zero return.
        return int(self.at is not None and time.monotonic() > self.at)


def _limit_sqlite_statements(engine: Engine, budget_ms: int) -> None:
    """Abort any SQLite statement still running after `budget_ms` (its rows fetched too).

    The deadline starts at each execute and is cleared at commit, rollback and check-in,
    so an idle connection or a transaction's end is never interrupted.
    """

    def connect(dbapi_connection: Any, record: Any) -> None:
        deadline = record.info["peel_deadline"] = _Deadline(budget_ms / 1000)
        dbapi_connection.set_progress_handler(deadline.exceeded, _PROGRESS_STEPS)

    def start(connection: Any, *_args: Any) -> None:
        deadline = connection.connection.info.get("peel_deadline")
        if deadline is not None:
            unlimited = connection.get_execution_options().get(_UNLIMITED_OPTION)
            deadline.at = None if unlimited else time.monotonic() + deadline.budget_s

    def clear(connection: Any) -> None:
        deadline = connection.connection.info.get("peel_deadline")
        if deadline is not None:
            deadline.at = None

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and "peel_deadline" in record.info:
            record.info["peel_deadline"].at = None

    event.listen(engine, "connect", connect)
    event.listen(engine, "before_cursor_execute", start)
    event.listen(engine, "commit", clear)
    event.listen(engine, "rollback", clear)
    event.listen(engine, "checkin", checkin)


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat unused PING_AFTER_IDLE_S or more
    (the server may have restarted, or a proxy dropped it, meanwhile); one that fails is
    replaced before the request sees it (the pool retries on DisconnectionError)."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_S:
            return  # just connected, or given back moments ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(f"pooled connection failed its ping: {error}") from error

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


# A Connection execution option: the commit ending this transaction is a read snapshot's,
# which wrote nothing (app/api/version_clock.py re-reads the data version after others).
READ_ONLY_OPTION = "peel_read_only"
_IDLE_SINCE = "peel_idle_since"  # on a pooled connection's info: when it was given back


def read_slots(settings: Settings, backend: str) -> int:
    """How many reads a worker on `backend` computes at once (app/api/read_gate.py; the
    Postgres pool keeps a connection for each)."""
    if settings.read_concurrency is not None:
        return settings.read_concurrency
    return SQLITE_READ_SLOTS if backend == "sqlite" else POSTGRES_READ_SLOTS


def _on_sqlite_begin(connection: Any) -> None:
    immediate = connection.get_execution_options().get(_WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def as_utc(moment: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite returns them naive)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def make_engine(
    url: str | URL | None = None, *, statement_timeout_ms: int | None = None, **kwargs: Any
) -> Engine:
    """An engine for `url` (default: Settings.database_url) with this project's setup.

    Every statement is aborted after `statement_timeout_ms` (default
    Settings.database_statement_timeout_ms; 0: never): OperationalError, a 503 in the API.
    """
    settings = get_settings()
    url = make_url(url or settings.database_url)
    if statement_timeout_ms is None:
        statement_timeout_ms = settings.database_statement_timeout_ms
    backend = url.get_backend_name()
    # JSON columns (a finding's paragraphs) parsed by pydantic-core: 5x json.loads's speed,
    # the same values (bench/README.md).
    kwargs.setdefault("json_deserializer", from_json)
    if backend == "sqlite":
        if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
            try:
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                reason = (error.strerror or str(error)).lower()
                raise DatabaseUnavailable(url.database, reason) from None
        if url.database and url.database != ":memory:":
            # A checkout never waits (no overflow limit; see SQLITE_POOL_SIZE). LIFO: the
            # connections used last are reused, and no others are opened while they do.
            kwargs.setdefault("pool_size", SQLITE_POOL_SIZE)
            kwargs.setdefault("max_overflow", -1)
            kwargs.setdefault("pool_use_lifo", True)
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        if statement_timeout_ms:
            _limit_sqlite_statements(engine, statement_timeout_ms)
        return engine
    if backend == "postgresql":
        kwargs.setdefault("pool_size", read_slots(settings, backend) + POSTGRES_SPARE_CONNECTIONS)
        connect_args = kwargs.setdefault("connect_args", {})
        if "connect_timeout" not in url.query:
            # An unroutable host or a dead server fails in seconds, not the OS's TCP timeout.
            connect_args.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
        if statement_timeout_ms and "options" not in url.query:
            options = connect_args.get("options", "")
            connect_args["options"] = f"{options} -c statement_timeout={statement_timeout_ms}"
    # A pooled connection that died with the server (or a proxy) while idle is replaced
    # before use, so the process recovers by itself once the database is back.
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


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


class _ReadSession(Session):
    """A read-only session whose close() survives a connection that died meanwhile.

    Closing ends the read transaction with COMMIT: it wrote nothing (READ ONLY on
    Postgres), and psycopg forgets the statements it has prepared at every ROLLBACK, so a
    read ended by one would have Postgres parse and plan each of its statements again
    (bench/README.md: 0.7 of a Postgres report card's 2.3 ms). If the database went away
    after the reads (often after the response was sent), there is nothing to lose: the
    dead connection is already invalidated, so the error is dropped instead of failing the
    request's teardown.
    """

    def close(self) -> None:
        # A snapshot that failed, or whose connection died, is rolled back below instead.
        with suppress(DBAPIError, PendingRollbackError):
            self._commit_reads()
        try:
            super().close()
        except DBAPIError as error:
            if not (error.connection_invalidated or isinstance(error, OperationalError)):
                raise
            super().close()  # the failed transaction is discarded; release what is left

    def _commit_reads(self) -> None:
        transaction = self.get_transaction()
        if transaction is None or not transaction.is_active:
            return
        if self.new or self.dirty or self.deleted:
            return  # objects added or changed on a read session: never written (rolled back)
        self.connection().execution_options(**{READ_ONLY_OPTION: True})
        self.commit()


def read_snapshot(engine: Engine) -> Session:
    """A session whose reads all see one committed state (close it when done).

    SQLite's read transaction is a snapshot already (WAL); Postgres needs REPEATABLE READ,
    its default READ COMMITTED lets each statement see newer commits.
    """
    session = _ReadSession(engine, expire_on_commit=False)
    if engine.dialect.name == "postgresql":
        session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
    return session


def read_before_snapshot(session: Session, statement: Executable) -> list[Row] | None:
    """The rows of `statement`, read on `session`'s connection before its snapshot begins;
    None if not read here (SQLite, the snapshot has begun, or `session` is not one of
    `read_snapshot`'s): read it in the snapshot.

    Postgres: in autocommit, outside any transaction: one round trip instead of BEGIN, the
    read and ROLLBACK (a revalidation answered 304 from it never begins the snapshot).
    SQLite's read transaction costs no round trips: it is read in the snapshot there.
    """
    if not isinstance(session, _ReadSession) or session.get_bind().dialect.name != "postgresql":
        return None
    connection = session.connection()
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None or dbapi_connection.info.transaction_status != _PG_IDLE:
        return None  # the snapshot has begun
    # Left in autocommit if the read fails: the session's isolation level (so autocommit
    # too) is set back when it gives the connection back, as after every snapshot.
    dbapi_connection.autocommit = True
    rows = list(connection.execute(statement))
    dbapi_connection.autocommit = False
    return rows


_PG_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction open on the connection


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


def _unlimited(connection: Any) -> Any:
    """`connection` with no statement timeout for the rest of its transaction."""
    connection.execution_options(**{_UNLIMITED_OPTION: True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
    return connection


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` in one transaction (no statement timeout)."""
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(_unlimited(connection)), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(alembic_config(_unlimited(connection)), revision)


# Where Alembic finds the migrations (alembic.ini's script_location, its default
# version location) and keeps a database's revision (Alembic's default table name).
MIGRATIONS_DIR = PROJECT_ROOT / "migrations" / "versions"
VERSION_TABLE = "alembic_version"


def _revision_names(path: Path) -> dict[str, Any]:
    """A migration file's module-level `revision` and `down_revision` values, read without
    running it (they are literals: a string, None, or a tuple of strings for a merge)."""
    names: dict[str, Any] = {}
    for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            names[target.id] = ast.literal_eval(node.value) if node.value else None
    return names


@cache
def head_revision() -> str | None:
    """The code's head migration (read once: the migration files do not change).

    Read from the migration files themselves, not through Alembic: readiness asks on every
    serving worker, and importing Alembic (with Mako and Pygments) costs a worker ~13 MB.
    tests/store/test_db.py checks the answer against Alembic's own.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in MIGRATIONS_DIR.glob("*.py"):
        names = _revision_names(path)
        if "revision" not in names:
            continue
        revisions.add(names["revision"])
        down = names.get("down_revision")
        parents.update([down] if isinstance(down, str) else down or ())
    heads = revisions - parents
    if len(heads) > 1:
        raise RuntimeError(f"the migrations have several heads: {', '.join(sorted(heads))}")
    return next(iter(heads), None)


def current_revision(connection: Any) -> str | None:
    """The revision the database's schema is at (None: not migrated).

    Alembic's version table read directly, for the reason head_revision gives.
    """
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(found) > 1:
        raise RuntimeError(f"the database is at several revisions: {', '.join(sorted(found))}")
    return found[0] if found else None


def schema_revision(engine: Engine) -> tuple[str | None, str | None]:
    """(the database's revision, the code's head revision)."""
    with engine.connect() as connection:
        return current_revision(connection), head_revision()
