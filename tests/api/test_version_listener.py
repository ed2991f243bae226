"""The version listener (Postgres): a load committed by another process is served at once,
and a dropped listener connection is survived (a warning, polling, reconnection)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.api.version_clock import LISTENER_NAME, VersionClock
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.store.changes import record_change
from tests.helpers import until

CARD = "/v1/inspections/west-midlands-2018-19"
AT_ONCE_S = 5


def _bump_elsewhere(url: str) -> None:
    """A committed version bump by another engine (another process, as far as the app's
    commit events can tell)."""
    other = make_engine(url)
    try:
        with Session(other) as session:
            record_change(session, "test.bump")
            session.commit()
    finally:
        other.dispose()


def test_another_processs_load_is_served_at_once_and_a_dropped_listener_recovers(
    loaded: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="peel.api")
    url = loaded.url.render_as_string(hide_password=False)
    app = create_app(loaded, Settings(version_check_seconds=60))  # polling: once a minute
    clock: VersionClock = app.state.version_clock
    with TestClient(app) as client:
        if loaded.dialect.name != "postgresql":
            assert not clock.listening  # SQLite: polling and the app's own commits only
            return
        assert until(lambda: clock.listening, AT_ONCE_S)
        first = client.get(CARD).headers["etag"]
        _bump_elsewhere(url)
        assert until(lambda: client.get(CARD).headers["etag"] != first, AT_ONCE_S)
        second = client.get(CARD).headers["etag"]

        # The listener's connection dies: it says so, and comes back by itself.
        with loaded.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name = :name"
                ),
                {"name": LISTENER_NAME},
            ).scalar_one()
        assert killed == 1
        assert until(
            lambda: any("listener lost" in r.getMessage() for r in caplog.records), AT_ONCE_S
        )
        assert until(lambda: clock.listening, AT_ONCE_S)
        _bump_elsewhere(url)
        assert until(lambda: client.get(CARD).headers["etag"] != second, AT_ONCE_S)
    assert not clock.listening  # stopped with the app
    messages = [record.getMessage() for record in caplog.records]
    assert any("listener lost" in message for message in messages), messages
    assert any("reconnected" in message for message in messages), messages
