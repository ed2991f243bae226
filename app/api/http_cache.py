"""HTTP caching, all of it: ETags, the 304 answer, the response store and its version clock.

The data changes only when a load commits, and every load that changes it bumps the data
version. So a read is fully identified by (data version, path, query, negotiated format):

- `ETag`: the one validator type, `"<data version>-<digest of the representation>"`:
  built, and matched against the tags If-None-Match lists, here only; the store reads an
  answer's version from its ETag value, never from the header text. Strong, and it changes
  when, and only when, a load changes the data.
- `conditional_get` (a router dependency) reads the version in the request's own session,
  the snapshot the body is read from, so an ETag never labels a body of another version.
  A revalidation (If-None-Match) is matched against the version committed now, read
  before the snapshot begins (on Postgres one round trip, no transaction): a client that
  has it gets a 304 at once. A body read from another snapshot (a streamed export) is
  labelled by `label_snapshot`.
- `HttpCache` (pure ASGI middleware in front of FastAPI's routing): puts the validators
  on the 200; keeps complete JSON and HTML 200s by data version in a `ResponseStore` and
  answers the next identical GET from memory, without routing, a thread or a query.
- One 304 path, `send_not_modified`, for answers from memory and from the app alike.
- `VersionClock`: the data version, re-read at most every `interval` seconds (a load by
  another process is seen within that), and on the next request after any write this
  process commits on the app's engine: SQLAlchemy events, so no route has to say so.
  With Postgres, a `VersionListener` (a thread with a connection of its own, started by
  the app's lifespan) LISTENs on the channel every load NOTIFYs at commit
  (app/store/changes.py), so a load by any worker or container is served at once;
  polling is the fallback (SQLite, or while the listener reconnects).
- Single flight: concurrent identical GETs missing the store at one data version (the
  storm after a load) are computed once; the others wait and answer with what it kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    pass

from app.api.asgi import header
from app.api.deps import SessionDep
from app.api.formats import negotiate
from app.api.version_clock import VersionClock
from app.db import as_utc
from app.services.data_version import version_now, version_row

STATE_KEY = "cache_validators"  # request.state: the validators of the answer being made
# What is kept: a complete 200 of these types labelled by `conditional_get` (the reads
# under /v1/ and the HTML pages). Anything else (docs, static files, health, exports)
# passes through and is never stored.
CACHED_TYPES = (b"application/json", b"text/html")
MAX_ENTRY_BYTES = 1024 * 1024
_SKIPPED_HEADERS = {b"date", b"server", b"content-length"}
_EMPTY_BODY: Message = {"type": "http.response.body", "body": b""}


# --- validators --------------------------------------------------------------------------


@dataclass(frozen=True)
class ETag:
    """A strong ETag of this service: the data version and the representation's digest."""

    version: int
    digest: str
    text: str = field(init=False, repr=False)  # as sent: "<version>-<digest>", quoted

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", f'"{self.version}-{self.digest}"')

    @classmethod
    def of(cls, version: int, path: str, query: str, accept: str | None, host: str = "") -> ETag:
        """The ETag of the representation of `path?query` in the format `accept` negotiates
        (the format, not the raw header: clients sending no Accept and `*/*` share one);
        a CSV's as served to `host` too (its rows carry absolute links made from it)."""
        representation = f"{path}?{query}|{negotiate(accept)}"
        if "csv" in (negotiate(accept), *parse_qs(query).get("format", ())):
            representation = f"{host}|{representation}"
        return cls(version, hashlib.blake2b(representation.encode(), digest_size=8).hexdigest())

    def matches(self, if_none_match: str) -> bool:
        """Does an If-None-Match header name this tag (weak comparison, as RFC 9110 says)?"""
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or self.text in tags


@dataclass(frozen=True)
class Validators:
    """What labels an answer: its ETag, Last-Modified and Cache-Control (and Vary)."""

    etag: ETag
    last_modified: str | None
    cache_control: str

    @cached_property
    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"etag", self.etag.text.encode()),
            (b"cache-control", self.cache_control.encode()),
            (b"vary", b"Accept"),
        ]
        if self.last_modified:
            headers.append((b"last-modified", self.last_modified.encode()))
        return headers

    @cached_property
    def not_modified(self) -> Message:
        """The 304's start (shared: the layers outside copy a message before changing it)."""
        return {"type": "http.response.start", "status": 304, "headers": self.headers}


async def send_not_modified(send: Send, validators: Validators) -> None:
    """The one 304 path: the validators, no body."""
    await send(validators.not_modified)
    await send(_EMPTY_BODY)


def _validators(request: Request, version: int, updated_at: datetime | None) -> Validators:
    return Validators(
        etag=ETag.of(
            version,
            request.url.path,
            request.url.query,
            request.headers.get("accept"),
            request.headers.get("host", ""),
        ),
        last_modified=format_datetime(as_utc(updated_at), usegmt=True) if updated_at else None,
        cache_control=f"public, max-age={request.app.state.settings.cache_max_age}",
    )


class NotModified(Exception):
    def __init__(self, validators: Validators) -> None:
        self.validators = validators


class _NotModifiedResponse(Response):
    """The 304 for FastAPI's exception handling, sent by `send_not_modified`."""

    def __init__(self, validators: Validators) -> None:
        super().__init__(status_code=304)
        self.validators = validators

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send_not_modified(send, self.validators)


def conditional_get(request: Request, session: SessionDep) -> None:
    """Router dependency: label the response with validators, or answer 304 now."""
    if request.method not in ("GET", "HEAD"):
        return
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # A revalidation needs only the version committed now: read before the snapshot
        # begins (Postgres: one round trip, not three); a match never begins it.
        validators = _validators(request, *version_now(session))
        if validators.etag.matches(if_none_match):
            raise NotModified(validators)
    # The body's label: the version of the snapshot the body is read from.
    setattr(request.state, STATE_KEY, _validators(request, *version_row(session)))


def label_snapshot(request: Request, snapshot: Session) -> None:
    """For a body read from another session than the request's (a streamed export): label
    it with the data version that session sees."""
    if getattr(request.state, STATE_KEY, None) is not None:
        setattr(request.state, STATE_KEY, _validators(request, *version_row(snapshot)))


def install_not_modified(app: FastAPI) -> None:
    @app.exception_handler(NotModified)
    async def _not_modified(_request: Request, error: NotModified) -> Response:
        return _NotModifiedResponse(error.validators)


# --- the response store and the middleware -----------------------------------------------


@dataclass(frozen=True)
class Entry:
    validators: Validators
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @cached_property
    def full(self) -> Message:
        headers = [*self.headers, (b"content-length", str(len(self.body)).encode())]
        return {"type": "http.response.start", "status": 200, "headers": headers}

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
        if entry is None or entry.validators.etag.version != version:
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


def _with_validators(message: Message, validators: Validators) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
    return {**message, "headers": [*headers, *validators.headers]}


class HttpCache:
    """ASGI middleware: validators on labelled 200s; GETs answered from the store for the
    current data version (JSON and pages), and complete answers kept there."""

    def __init__(self, app: ASGIApp, *, clock: VersionClock, store: ResponseStore) -> None:
        self.app = app
        self.clock = clock
        self.store = store
        self._flights: dict[tuple, _Flight] = {}  # (key, version): the miss being computed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = None
        if scope["method"] == "GET" and self.store.max_bytes > 0:
            version = await self.clock.current()
            if version is not None:  # else the database has not answered yet: no store
                key = (scope["path"], scope["query_string"], _format_of(header(scope, b"accept")))
                entry = self.store.get(key, version)
                if entry is not None:
                    await self._answer(scope, send, entry)
                    return
        if key is None:
            await self._through_app(scope, receive, send, None)
        else:
            await self._single_flight(scope, receive, send, key, version)

    async def _single_flight(
        self, scope: Scope, receive: Receive, send: Send, key: tuple, version: int
    ) -> None:
        """A miss: the first request for `key` at `version` goes through the app; identical
        ones arriving meanwhile wait for it and answer with the entry it kept (so a load's
        miss storm computes each answer once per worker). When it kept none (an error, a
        304, a body too big) each of them goes through the app itself."""
        flight_key = (key, version)
        flight = self._flights.get(flight_key)
        if flight is not None:
            await flight.done.wait()
            if flight.entry is not None:
                await self._answer(scope, send, flight.entry)
            else:
                await self._through_app(scope, receive, send, key)
            return
        flight = self._flights[flight_key] = _Flight()
        try:
            flight.entry = await self._through_app(scope, receive, send, key)
        finally:  # even when the request fails or is cancelled: never leave waiters hanging
            del self._flights[flight_key]
            flight.done.set()

    @staticmethod
    async def _answer(scope: Scope, send: Send, entry: Entry) -> None:
        if_none_match = header(scope, b"if-none-match")
        if if_none_match is not None and entry.validators.etag.matches(
            if_none_match.decode("latin-1")
        ):
            await send_not_modified(send, entry.validators)
            return
        await send(entry.full)
        await send({"type": "http.response.body", "body": entry.body})

    async def _through_app(
        self, scope: Scope, receive: Receive, send: Send, key: tuple | None
    ) -> Entry | None:
        """Answer through the app, labelling a 200 with its validators; with a `key`, keep
        a complete labelled 200 JSON or HTML answer (and return it)."""
        state = scope.setdefault("state", {})  # request.state: set by conditional_get
        validators: Validators | None = None
        start: Message | None = None
        chunks: list[bytes] = []
        keep = key is not None

        async def send_labelled(message: Message) -> None:
            nonlocal validators, start, keep
            if message["type"] == "http.response.start":
                validators = state.get(STATE_KEY) if message["status"] == 200 else None
                if validators is not None:
                    message = _with_validators(message, validators)
                start = message
                keep = (
                    keep
                    and validators is not None
                    and dict(message.get("headers", []))
                    .get(b"content-type", b"")
                    .startswith(CACHED_TYPES)
                )
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_ENTRY_BYTES:
                    keep = False
                    chunks.clear()
            await send(message)

        await self.app(scope, receive, send_labelled)
        if keep and key is not None and start is not None and validators is not None:
            headers = [(k, v) for k, v in start["headers"] if k not in _SKIPPED_HEADERS]
            entry = Entry(validators, headers, b"".join(chunks))
            self.store.put(key, entry)
            return entry
        return None


@dataclass(eq=False)
class _Flight:
    """One miss being computed, and the entry it kept (None: nothing to share)."""

    done: anyio.Event = field(default_factory=anyio.Event)
    entry: Entry | None = None
