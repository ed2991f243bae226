"""ReadGate (app/main.py): a worker computes a few reads at once; the others wait in the
event loop, holding no thread or database connection. A burst of misses is answered in
full (no request waits for a connection that a request waiting for a thread holds) and
holds no more connections than the gate has slots."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, event

from app.api.read_gate import read_slots
from app.config import Settings
from app.db import POSTGRES_READ_SLOTS, SQLITE_READ_SLOTS
from app.main import create_app

CARD = "/v1/inspections/west-midlands-2018-19"
READS = [CARD, "/v1/search?q=vetting", "/v1/judgments?force=west-midlands", "/v1/findings"]


class PeakConnections:
    """The most connections of `engine`'s pool checked out at once while active."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.now = self.peak = 0
        self._lock = threading.Lock()

    def _checkout(self, *_args: Any) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def _checkin(self, *_args: Any) -> None:
        with self._lock:
            self.now -= 1

    def __enter__(self) -> PeakConnections:
        event.listen(self.engine, "checkout", self._checkout)
        event.listen(self.engine, "checkin", self._checkin)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "checkout", self._checkout)
        event.remove(self.engine, "checkin", self._checkin)


def _burst(app: FastAPI, urls: list[str]) -> list[tuple[str, int, float]]:
    """Every URL at once: (url, status, seconds until answered), in the order given."""

    async def run() -> list[tuple[str, int, float]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=60
        ) as client:
            started = time.monotonic()

            async def get(url: str) -> tuple[str, int, float]:
                response = await client.get(url)
                return url, response.status_code, time.monotonic() - started

            return list(await asyncio.gather(*(get(url) for url in urls)))

    return asyncio.run(run())


def test_a_burst_of_misses_is_answered_holding_no_more_connections_than_slots(
    loaded: Engine,
) -> None:
    settings = Settings(response_cache_bytes=0)  # the backend's default slots
    slots = read_slots(settings, loaded)
    assert slots == (SQLITE_READ_SLOTS if loaded.dialect.name == "sqlite" else POSTGRES_READ_SLOTS)
    app = create_app(loaded, settings)
    urls = READS * 16  # 64 at once: more than the threadpool's 40 threads and any pool
    with PeakConnections(loaded) as connections:
        answers = _burst(app, urls)
    assert [status for _url, status, _seconds in answers] == [200] * len(urls)
    assert 1 <= connections.peak <= slots


def test_reads_beyond_the_slots_wait_their_turn_and_healthz_does_not(loaded: Engine) -> None:
    app = create_app(loaded, Settings(response_cache_bytes=0, read_concurrency=1))
    pause = 0.3

    @app.get("/v1/slow")
    def slow() -> dict[str, str]:
        time.sleep(pause)
        return {}

    answers = _burst(app, ["/v1/slow"] * 3 + ["/healthz"])
    assert {status for _url, status, _seconds in answers} == {200}
    slow_done = sorted(seconds for url, _status, seconds in answers if url == "/v1/slow")
    # One slot: the three slow reads ran one after another, never side by side.
    assert all(done >= pause * (n + 1) * 0.95 for n, done in enumerate(slow_done))
    healthz_done = next(seconds for url, _status, seconds in answers if url == "/healthz")
    assert healthz_done < slow_done[0]
