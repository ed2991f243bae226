"""Shared fixtures: real databases (a SQLite file, and Postgres when TEST_POSTGRES_URL is set).

`database_url` runs a test once per backend. Each Postgres test gets a database of its
own (peel_test_<hex>), created through an AUTOCOMMIT admin connection and dropped after.
If TEST_POSTGRES_URL is set but the server cannot be reached the test fails: a CI that
asked for Postgres must not go green by skipping it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from app.db import make_engine, migrate
from app.ingest.document import ReportDocument
from app.ingest.manifest import ReportSource, read_manifest
from app.ingest.parse import parse
from app.store.catalogue import sync_catalogue
from tests.helpers import SEED_DIR, SEED_REPORT

POSTGRES_SKIP = "TEST_POSTGRES_URL not set: Postgres tests skipped"


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file in `directory`, or a new Postgres one."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'peel.db'}"
        return
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip(POSTGRES_SKIP)
    name = f"peel_test_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except OperationalError as error:
        admin.dispose()
        pytest.fail(f"TEST_POSTGRES_URL is set but Postgres is unreachable: {error.orig}")
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file in tmp_path, or a fresh Postgres database."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty test database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Engine:
    """A migrated database holding the reference catalogue and no inspections."""
    migrate(engine)
    sync_catalogue(engine)
    return engine


@pytest.fixture(scope="session")
def seed_source() -> ReportSource:
    (source,) = [s for s in read_manifest(SEED_DIR) if s.path == SEED_REPORT]
    return source


@pytest.fixture(scope="session")
def seed_document(seed_source: ReportSource) -> ReportDocument:
    return parse(SEED_REPORT.read_text(encoding="utf-8"), force_id=seed_source.force)


@pytest.fixture
def loaded(db: Engine, seed_source: ReportSource) -> Engine:
    """The migrated, catalogued database holding the seed report."""
    from app.store.report import load_document
    from tests.reports import seed_document

    load_document(db, seed_document(), seed_source)
    return db
