"""`python3 tasks.py test` finds a local Postgres by itself (issue 16, item 8).

The detection runs against the real server here (the one TEST_POSTGRES_URL names; skipped
without it, like every Postgres test), against a port nothing listens on, and against a
port where something that is not Postgres listens.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

import tasks
from tests.conftest import POSTGRES_SKIP

PYTHON = Path(sys.executable)  # the venv's, with psycopg


def _free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def local_postgres() -> tuple[str, int]:
    """Host and port of the real server, when it is the default user and database."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip(POSTGRES_SKIP)
    parsed = make_url(url)
    if (parsed.username, parsed.database) != (tasks.POSTGRES_USER, tasks.POSTGRES_DATABASE):
        pytest.skip("TEST_POSTGRES_URL is not user postgres, database test")
    return parsed.host or "127.0.0.1", parsed.port or 5432


@pytest.fixture
def not_postgres() -> Iterator[int]:
    """A port where something listens that closes every connection at once."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.close()
    thread.join(timeout=5)


@pytest.mark.postgres
def test_the_real_server_is_found(
    local_postgres: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    host, port = local_postgres
    assert tasks.postgres_unavailable(host, port, python=PYTHON) is None

    environ = tasks.postgres_for_tests({"PATH": "/bin"}, host, port)
    assert environ == {
        "PATH": "/bin",
        "TEST_POSTGRES_URL": f"postgresql+psycopg://postgres@{host}:{port}/test",
    }
    assert (
        capsys.readouterr().err == f"tasks.py: Postgres answers at {host}:{port}: its tests run\n"
    )


def test_the_default_address_is_the_one_the_brief_names() -> None:
    assert (tasks.POSTGRES_HOST, tasks.POSTGRES_PORT) == ("127.0.0.1", 5432)
    assert tasks.postgres_url() == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_a_port_nothing_listens_on_is_not_a_server(capsys: pytest.CaptureFixture[str]) -> None:
    port = _free_port()
    reason = tasks.postgres_unavailable("127.0.0.1", port, python=PYTHON)
    assert reason is not None and reason.startswith(f"nothing answers at 127.0.0.1:{port}")

    environ = tasks.postgres_for_tests({"PATH": "/bin"}, "127.0.0.1", port)
    assert environ == {"PATH": "/bin"}  # no TEST_POSTGRES_URL: the Postgres tests skip
    err = capsys.readouterr().err
    assert err.startswith("tasks.py: the Postgres tests skip: TEST_POSTGRES_URL is unset and ")
    assert f"nothing answers at 127.0.0.1:{port}" in err and err.count("\n") == 1


def test_a_listener_that_is_not_postgres_is_not_a_server(not_postgres: int) -> None:
    reason = tasks.postgres_unavailable("127.0.0.1", not_postgres, python=PYTHON)
    assert reason is not None
    assert reason.startswith(f"something listens at 127.0.0.1:{not_postgres} but user postgres")


def test_a_given_test_postgres_url_is_left_alone(capsys: pytest.CaptureFixture[str]) -> None:
    given = {"TEST_POSTGRES_URL": "postgresql+psycopg://someone@elsewhere/db"}
    assert tasks.postgres_for_tests(dict(given), "127.0.0.1", _free_port()) == given
    assert "TEST_POSTGRES_URL is set" in capsys.readouterr().err
