"""Serialised responses, cached by data version, served before FastAPI is reached.

The data changes only when a report is loaded, and every load that changes it bumps
the data version. So a GET's answer is fully determined by (data version, path, query,
negotiated format): keep its bytes and headers, and answer the next identical request
from memory — a 304 when the client already has it — without routing, dependencies,
a thread or a query.

The version is read from the database at most every `version_check_seconds` (and at
once after an import through this process), so a load made by another process is seen
within that interval; until then this process keeps answering the previous version,
consistently (a cached body is always served with its own ETag).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import anyio
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.asgi import header
from app.api.conditional import etag_matches, etag_version
from app.api.formats import negotiate
from app.services.data_version import version_row

# What is kept: a complete 200 of these types whose ETag names a data version (the
# reads under /v1/ and the HTML pages set one: app/api/conditional.py). Anything else
# (docs, static files, health, exports) passes through and is never stored.
CACHED_TYPES = (b"application/json", b"text/html")
MAX_ENTRY_BYTES = 1024 * 1024
_SKIPPED_HEADERS = {b"date", b"server", b"content-length"}
_log = logging.getLogger("peel.api")


class VersionClock:
    """The data version, re-read from the database at most every `interval` seconds."""

    def __init__(self, engine: Callable[[], Engine], interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._version = -1
        self._checked = float("-inf")
        self._refreshing = False

    def _read(self) -> int:
        with Session(self._engine()) as session:
            return version_row(session)[0]

    async def current(self) -> int | None:
        """The version; one request at a time re-reads it, the others meanwhile go on with
        the one known (or, before the first read, wait for it).

        A database outage must not fail or hang cached reads: if the read fails, the last
        known version stays current (cached answers are still the data as last seen, and
        nothing can be loaded while the database is down) and it is retried after
        `interval`. None means no version was ever read: the request then goes to the app
        uncached, which answers for itself (a 503 problem while the database is down).
        """
        due = time.monotonic() - self._checked >= self._interval
        if due and not self._refreshing:
            self._refreshing = True
            try:
                self._version = await anyio.to_thread.run_sync(self._read)
            except Exception as error:  # any failure: keep the last version
                _log.warning("data version not read: %s", type(error).__name__)
            finally:
                self._checked = time.monotonic()
                self._refreshing = False
        while self._version < 0 and self._refreshing:  # the first read is on its way
            await anyio.sleep(0.001)
        return self._version if self._version >= 0 else None

    def invalidate(self) -> None:
        """Read the version again on the next request (after a load in this process)."""
        self._checked = float("-inf")


@dataclass(frozen=True)
class Entry:
    version: int
    etag: str
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @cached_property
    def full(self) -> Message:
        headers = [*self.headers, (b"content-length", str(len(self.body)).encode())]
        return {"type": "http.response.start", "status": 200, "headers": headers}

    @cached_property
    def not_modified(self) -> Message:
        validators = [(k, v) for k, v in self.headers if k != b"content-type"]
        return {"type": "http.response.start", "status": 304, "headers": validators}

    @cached_property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class ResponseStore:
    """A least-recently-used store of entries, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple, Entry] = OrderedDict()
        self._bytes = 0

    @property
    def bytes_held(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple, version: int) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None or entry.version != version:
            return None
        self._entries.move_to_end(key)
        return entry

    def put(self, key: tuple, entry: Entry) -> None:
        if entry.size > min(self.max_bytes, MAX_ENTRY_BYTES):
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size


@lru_cache(maxsize=256)
def _format_of(accept: bytes | None) -> str | None:
    return negotiate(accept.decode("latin-1") if accept else None)


class ResponseCache:
    """Wraps the app: cached GET responses (JSON and pages) for the current data version.

    It stands outside FastAPI, so a cached answer costs no routing or middleware; any
    attribute it does not have (state, openapi, routes...) is the wrapped app's.
    """

    def __init__(self, app: ASGIApp, *, clock: VersionClock, store: ResponseStore) -> None:
        self.app = app
        self.clock = clock
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.store.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"], _format_of(header(scope, b"accept")))
        version = await self.clock.current()
        if version is None:  # the database has not answered yet: nothing to serve from
            await self.app(scope, receive, send)
            return
        entry = self.store.get(key, version)
        if entry is not None:
            await self._answer(scope, send, entry)
            return
        await self._fill(scope, receive, send, key)

    @staticmethod
    async def _answer(scope: Scope, send: Send, entry: Entry) -> None:
        if_none_match = header(scope, b"if-none-match")
        if if_none_match is not None and etag_matches(if_none_match.decode("latin-1"), entry.etag):
            await send(entry.not_modified)
            await send({"type": "http.response.body", "body": b""})
            return
        await send(entry.full)
        await send({"type": "http.response.body", "body": entry.body})

    async def _fill(self, scope: Scope, receive: Receive, send: Send, key: tuple) -> None:
        """Answer through the app, and keep a complete 200 JSON or HTML answer with a
        strong ETag."""
        start: Message | None = None
        chunks: list[bytes] = []
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, keep
            if message["type"] == "http.response.start":
                start = message
                headers = dict(message.get("headers", []))
                keep = (
                    message["status"] == 200
                    and headers.get(b"content-type", b"").startswith(CACHED_TYPES)
                    and b"etag" in headers
                )
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_ENTRY_BYTES:
                    keep = False
                    chunks.clear()
            await send(message)

        await self.app(scope, receive, capture)
        if not keep or start is None:
            return
        headers = [(k, v) for k, v in start.get("headers", []) if k not in _SKIPPED_HEADERS]
        etag = dict(headers)[b"etag"].decode("latin-1")
        version = etag_version(etag)
        if version is not None:
            self.store.put(key, Entry(version, etag, headers, b"".join(chunks)))
