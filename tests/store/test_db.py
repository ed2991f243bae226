"""Engine set-up: SQLite pragmas, serialised writers, readable connection errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, text

from app.db import (
    WRITE_LOCK_KEY,
    DatabaseUnavailable,
    check_connection,
    location_of,
    make_engine,
    write_session,
)


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'peel.db'}")  # directory made on demand
    with Session(engine) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000
        assert session.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


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


def test_an_unreachable_postgres_names_the_host_and_the_reason() -> None:
    engine = make_engine("postgresql+psycopg://peel:secret@127.0.0.1:5999/peel")
    with pytest.raises(DatabaseUnavailable) as raised:
        check_connection(engine)
    assert str(raised.value) == "cannot connect to database at 127.0.0.1:5999: connection refused"
    assert "secret" not in str(raised.value)


def test_location_never_shows_credentials() -> None:
    assert location_of("postgresql+psycopg://u:pw@db.example:6543/peel") == "db.example:6543"
    assert location_of("sqlite:////var/lib/peel.db") == "/var/lib/peel.db"
