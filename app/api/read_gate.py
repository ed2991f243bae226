"""ReadGate: the innermost of the service's own ASGI layers, behind the response cache,
and how many reads it lets through at once."""

from __future__ import annotations

import asyncio
import weakref

import anyio
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.db import read_slots as slots_for


class ReadGate:
    """ASGI middleware: at most `slots` reads (GET, HEAD) are computed at once; the others
    wait here, in the event loop, holding no thread, connection or memory.

    FastAPI hops threads within a request (each sync dependency, the endpoint, the
    session's close) and the request keeps its database connection in between, so
    anyio's 40 threads let 40 or more requests hold a connection, a page cache and their
    half-built answers at once: no faster on two cores, and most of a cache-off worker's
    memory (bench/README.md, RSS). A slot is held until the app returns, or until a
    streamed body starts (an export streams from its own snapshot, at the client's pace).
    Writes are not gated (rare, rate-limited, and a slow upload must not hold a slot),
    and neither is `/healthz`, which must answer while reads queue.
    """

    def __init__(self, app: ASGIApp, *, slots: int, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.slots = slots
        self.exempt = exempt
        # One semaphore per event loop: it can only wake waiters of its own loop (a test
        # client may run the app in several loops).
        self._semaphores: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.Semaphore]
        self._semaphores = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in ("GET", "HEAD")
            or scope["path"] in self.exempt
        ):
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        semaphore = self._semaphores.get(loop)
        if semaphore is None:
            semaphore = self._semaphores[loop] = anyio.Semaphore(self.slots)
        await semaphore.acquire()
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                semaphore.release()

        async def send_through(message: Message) -> None:
            if message["type"] == "http.response.body" and message.get("more_body"):
                release()  # a stream: the rest goes at the client's pace
            await send(message)

        try:
            await self.app(scope, receive, send_through)
        finally:
            release()


def read_slots(settings: Settings, engine: Engine | None) -> int:
    """How many reads a worker computes at once (ReadGate's slots)."""
    url = engine.url if engine is not None else make_url(settings.database_url)
    return slots_for(settings, url.get_backend_name())
