"""No miss storm after a load: concurrent identical GETs at one data version are computed
once (HttpCache's single flight); the others answer with what the first kept."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import httpx
from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import Engine
from sqlmodel import Session

from app.api.http_cache import HttpCache, conditional_get
from app.config import Settings
from app.main import create_app
from app.store.changes import record_change
from tests.api.conftest import StatementCounter

CARD = "/v1/inspections/west-midlands-2018-19"
N = 20


def _counting_app(engine: Engine) -> tuple[FastAPI, Counter[str]]:
    """The API (version re-read only after a commit) with a slow route counting its calls."""
    app = create_app(engine, Settings(version_check_seconds=60))
    calls: Counter[str] = Counter()

    @app.get("/v1/slow", dependencies=[Depends(conditional_get)])
    def slow(name: str = "storm") -> dict[str, str]:
        calls[name] += 1
        time.sleep(0.2)  # the others certainly arrive while it computes
        if name == "missing":
            raise HTTPException(404)
        return {"name": name}

    return app, calls


def _storm(app: FastAPI, url: str, n: int = N) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return list(await asyncio.gather(*(client.get(url) for _ in range(n))))

    return asyncio.run(run())


def _bump(engine: Engine) -> None:
    """A committed change of the data version on the app's engine (what a load does)."""
    with Session(engine) as session:
        record_change(session, "test.bump")
        session.commit()


def _same_answer(responses: list[httpx.Response]) -> None:
    assert {r.status_code for r in responses} == {200}
    assert len({r.headers["etag"] for r in responses}) == 1
    assert len({r.content for r in responses}) == 1


def test_concurrent_identical_misses_are_computed_once(loaded: Engine) -> None:
    app, calls = _counting_app(loaded)
    responses = _storm(app, "/v1/slow")
    _same_answer(responses)
    assert calls["storm"] == 1

    # After a load: once more, for the new version, however many ask at once.
    _bump(loaded)
    _storm(app, "/v1/slow?name=other", 1)  # the first request after it reads the version
    after = _storm(app, "/v1/slow")
    _same_answer(after)
    assert after[0].headers["etag"] != responses[0].headers["etag"]
    assert calls["storm"] == 2


def test_a_storm_on_a_real_route_runs_the_statements_of_one_request(loaded: Engine) -> None:
    app, _ = _counting_app(loaded)
    _storm(app, CARD, 1)
    _bump(loaded)
    _storm(app, "/v1/forces", 1)  # reads the new version
    with StatementCounter(loaded) as one:
        _storm(app, CARD, 1)
    _bump(loaded)
    _storm(app, "/v1/forces", 1)
    with StatementCounter(loaded) as storm:
        _same_answer(_storm(app, CARD))
    assert one.count > 0
    assert storm.count == one.count


def test_what_is_not_kept_is_not_shared(loaded: Engine) -> None:
    # An error is never stored: each waiting request gets its own answer from the app.
    app, calls = _counting_app(loaded)
    responses = _storm(app, "/v1/slow?name=missing", 5)
    assert {r.status_code for r in responses} == {404}
    assert calls["missing"] == 5
    layer = app.middleware_stack
    while not isinstance(layer, HttpCache):
        layer = layer.app
    assert layer._flights == {}  # every flight ended: nothing left waiting


def test_a_waiting_request_revalidates_against_the_shared_answer(loaded: Engine) -> None:
    app, calls = _counting_app(loaded)
    (first,) = _storm(app, "/v1/slow", 1)
    _bump(loaded)
    _storm(app, "/v1/slow?name=other", 1)

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            leader = asyncio.create_task(client.get("/v1/slow"))
            await asyncio.sleep(0.05)
            follower = client.get("/v1/slow", headers={"If-None-Match": first.headers["etag"]})
            return [await leader, await follower]

    leader, follower = asyncio.run(run())
    assert calls["storm"] == 2
    assert leader.status_code == 200
    # The old version's tag does not match the new answer: the follower gets the body.
    assert follower.status_code == 200 and follower.content == leader.content
