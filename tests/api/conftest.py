"""API fixtures: one seeded database per backend and module, and a client on it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from app.config import Settings
from app.db import make_engine, migrate
from app.ingest.manifest import ReportSource
from app.main import create_app
from app.store.catalogue import sync_catalogue
from app.store.report import load_document
from tests.conftest import BACKENDS, fresh_database
from tests.helpers import run_cli, until
from tests.reports import seed_document


@dataclass
class Api:
    client: TestClient
    engine: Engine
    backend: str

    def get(self, url: str, **params: object) -> object:
        return self.client.get(url, params=params or None)

    def json(self, url: str, **params: object) -> dict:
        response = self.client.get(url, params=params or None)
        assert response.status_code == 200, response.text
        return response.json()


def seeded_engine(url: str, source: ReportSource) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    sync_catalogue(engine)
    load_document(engine, seed_document(), source)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    seed_source: ReportSource,
) -> Iterator[Api]:
    """A client on a database holding the catalogue and the seed report."""
    with fresh_database(request.param, tmp_path_factory.mktemp("api")) as url:
        engine = seeded_engine(url, seed_source)
        with TestClient(create_app(engine)) as client:
            if request.param == "postgres":
                listening(client)
            yield Api(client=client, engine=engine, backend=request.param)
        engine.dispose()


def listening(client: TestClient, seconds: float = 10.0) -> None:
    """Wait until the app's version listener (Postgres) is connected: on connecting it
    makes the next request re-read the data version, which a test counting a cached
    answer's statements must not race (it did, on a fast machine)."""
    clock = client.app.state.version_clock
    assert until(lambda: clock.listening, seconds), "the version listener did not connect"


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """`peel seed` as a user runs it (the report and every grade file of the manifest):
    (client with the response cache off, engine, database URL, the seed's run)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("seeded")) as url:
        result = run_cli("seed", database_url=url)
        assert result.returncode == 0, result.stderr
        engine = make_engine(url)
        app = create_app(engine, Settings(database_url=url, response_cache_bytes=0))
        with TestClient(app) as client:
            if request.param == "postgres":
                listening(client)
            yield client, engine, url, result
        engine.dispose()


class StatementCounter:
    """Counts the SQL statements an engine runs while the counter is active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.count = 0

    def _count(self, *_args: object) -> None:
        self.count += 1

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)
