"""Security headers, CORS and request limits: one ASGI middleware around the service.

`Guard` stands outside the HTTP cache (app/api/http_cache.py, which answers cached GETs
before routing), so what it adds is on every response: cached answers, 304s, problems,
the docs.

- Headers: `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
  `X-Frame-Options: DENY` everywhere; a `Content-Security-Policy` on HTML (the docs).
- CORS: reads (GET, HEAD) are open to any origin (`Access-Control-Allow-Origin: *`, with
  ETag, Link and Last-Modified exposed) and a preflight for them is answered; writes are
  closed: no CORS header on them, and a preflight for any other method is answered with
  none, so browsers refuse the cross-origin write.
  Not Starlette's CORSMiddleware: it cannot leave writes without CORS headers (a POST
  with an Origin gets `Access-Control-Allow-Origin: *`, and a refused preflight is a 400
  that still carries it), it answers only requests with an Origin and adds
  `Vary: Origin`, and it edits the response's header list in place, which would grow the
  headers of the answers the cache shares between requests.
- Limits: a query string over `max_query_bytes` is a 414; `POST /v1/imports` is
  rate-limited per API key (per client address without a valid key), reads per client
  address when `read_rate_limit` is set: a 429 problem with `Retry-After`.

Rate limits are token buckets. Without `REDIS_URL` they are in this process's memory:
with several workers, each enforces the limit on its own (a client may get up to workers x
limit). With it, each bucket is kept in Redis (`SharedBuckets`: one Lua script a request,
on Redis's clock), so every worker and container spends from the same one; while Redis
cannot be reached each worker falls back to its own buckets and logs a warning (a limit
never answers a 500).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from redis.asyncio import Redis

from app.api.asgi import header
from app.api.auth import ApiKey, identify
from app.api.problems import problem_response

IMPORTS_PATH = "/v1/imports"
READ_METHODS = frozenset({"GET", "HEAD"})
MAX_CLIENTS = 10_000  # buckets kept per limiter; the least recently seen goes first
REDIS_TIMEOUT_S = 0.5  # a request waits at most this long for Redis before counting locally
REDIS_RETRY_S = 5.0  # after a Redis failure, count locally this long before trying again
_log = logging.getLogger("peel.api")

_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
_CORS_READ_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Link, Last-Modified"),
]
_PREFLIGHT_READ_HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD"),
    (b"access-control-allow-headers", b"Accept, If-None-Match, If-Modified-Since"),
    (b"access-control-max-age", b"600"),
]
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(pages: Iterable[bytes]) -> bytes:
    """The CSP for HTML: this origin only, plus the exact inline scripts of `pages`.

    Swagger UI's page starts itself with an inline <script>; it is allowed by its sha256
    hash, computed at startup from the page the service serves (no 'unsafe-inline' for
    scripts). Styles need 'unsafe-inline': ReDoc's page has a <style> block and both
    explorers set styles from script. Swagger UI shows data: images; ReDoc may start a
    blob: worker.
    """
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
            for page in pages
            for script in _INLINE_SCRIPT.findall(page)
        }
    )
    return "; ".join(
        [
            "default-src 'self'",
            " ".join(["script-src 'self'", *hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    ).encode()


class TokenBuckets:
    """One token bucket per key: `burst` tokens, refilled at `rate` a second.

    At most `max_keys` buckets are kept; past that the least recently used is dropped
    (its client starts again with a full bucket).
    """

    def __init__(self, rate: float, burst: int, max_keys: int = MAX_CLIENTS) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """0 when `key` may go on (a token is spent), else the seconds until it may."""
        now = time.monotonic()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[key] = (tokens, now)  # last, i.e. most recently used
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    async def wait(self, key: str) -> float:
        """`take`, as a `Limiter`."""
        return self.take(key)


class Limiter(Protocol):
    async def wait(self, key: str) -> float:
        """0 when `key` may go on (a token is spent), else the seconds until it may."""
        ...


# KEYS[1]: the bucket; ARGV: rate (tokens a second), burst. The same arithmetic as
# TokenBuckets.take, on Redis's clock (every container agrees on it); the bucket expires
# once it would be full again. Returns the wait, as text (a Lua number would be truncated).
_TOKEN_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local held = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(held[1]), tonumber(held[2])
if tokens == nil or at == nil then tokens, at = burst, now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens),
           'at', string.format('%.6f', now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format('%.6f', wait)
"""


class RedisLink:
    """The Redis that shared rate limits are kept in (REDIS_URL).

    `take` spends a token of a bucket there in one round trip, or answers None when Redis
    cannot be reached (or fails in any way) within REDIS_TIMEOUT_S: the caller then counts
    in its own memory. After a failure no request tries Redis again for REDIS_RETRY_S, so
    none waits on a dead server; the outage is logged once (a warning), and its end.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        parts = urlsplit(url)  # for logs: never the password
        self.location = f"{parts.hostname or 'localhost'}:{parts.port or 6379}"
        self._client: Redis | None = None
        self._script = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._down = False
        self._retry_at = 0.0

    def _connected(self):  # -> redis AsyncScript
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            # Connections belong to the event loop that opened them: one per worker (a
            # test may run apps on several loops).
            # Imported here: only a service given REDIS_URL loads the client.
            from redis.asyncio import Redis
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff

            self._client = Redis.from_url(
                self.url,
                socket_timeout=REDIS_TIMEOUT_S,
                socket_connect_timeout=REDIS_TIMEOUT_S,
                retry=Retry(NoBackoff(), 0),
            )
            self._script = self._client.register_script(_TOKEN_BUCKET)
            self._loop = loop
        return self._script

    async def take(self, bucket: str, rate: float, burst: float) -> float | None:
        """The wait `bucket` owes (0: go on, a token spent), or None: Redis is away."""
        if self._down and time.monotonic() < self._retry_at:
            return None
        try:
            wait = float(await self._connected()(keys=[bucket], args=[repr(rate), repr(burst)]))
        except Exception as error:  # any failure: count locally, never a 500
            if not self._down:
                _log.warning(
                    "rate limits: Redis at %s failed (%s); each worker counts its own "
                    "until it answers again",
                    self.location,
                    type(error).__name__,
                )
            self._down = True
            self._retry_at = time.monotonic() + REDIS_RETRY_S
            return None
        if self._down:
            self._down = False
            _log.warning("rate limits: Redis at %s answers again; shared again", self.location)
        return wait

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            # A connection to a dead server, or of another event loop, may not close cleanly.
            with contextlib.suppress(Exception):
                await client.aclose()


class SharedBuckets:
    """Token buckets kept in Redis, one per key for every worker and container using it;
    this process's own `TokenBuckets` stand in while Redis cannot be reached."""

    def __init__(
        self, link: RedisLink, name: str, rate: float, burst: int, max_keys: int = MAX_CLIENTS
    ) -> None:
        self.link = link
        self.prefix = f"peel:rate:{name}:"
        self.local = TokenBuckets(rate, burst, max_keys)

    async def wait(self, key: str) -> float:
        # A client's key is short ("key:NAME", "ip:ADDRESS"), but X-Forwarded-For is theirs.
        name = key if len(key) <= 200 else hashlib.sha256(key.encode()).hexdigest()
        wait = await self.link.take(self.prefix + name, self.local.rate, self.local.burst)
        return self.local.take(key) if wait is None else wait


def _limiter(link: RedisLink | None, name: str, rate: float, burst: int) -> Limiter:
    return SharedBuckets(link, name, rate, burst) if link else TokenBuckets(rate, burst)


class Guard:
    """ASGI middleware: limits, CORS and security headers (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        csp: bytes,
        api_keys: list[ApiKey],
        max_query_bytes: int,
        import_rate_limit: int,
        read_rate_limit: float,
        trust_forwarded_for: bool = False,
        redis_link: RedisLink | None = None,
    ) -> None:
        self.app = app
        self.api_keys = api_keys
        self.max_query_bytes = max_query_bytes
        self.trust_forwarded_for = trust_forwarded_for
        # With `redis_link`, shared by every worker and container (see the module).
        self.imports = (
            _limiter(redis_link, "imports", import_rate_limit / 60, import_rate_limit)
            if import_rate_limit
            else None
        )
        self.reads = (
            _limiter(redis_link, "reads", read_rate_limit, max(1, math.ceil(read_rate_limit)))
            if read_rate_limit
            else None
        )
        # Precomputed: a response only gets one of these appended.
        self._read_headers = [*_SECURITY_HEADERS, *_CORS_READ_HEADERS]
        self._other_headers = list(_SECURITY_HEADERS)
        self._csp = (b"content-security-policy", csp)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        extra = self._read_headers if method in READ_METHODS else self._other_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), *extra]
                for key, value in headers:
                    if key == b"content-type" and value.startswith(b"text/html"):
                        headers.append(self._csp)
                        break
                # A new message: the one sent may be a cached entry's, shared by requests.
                message = {**message, "headers": headers}
            await send(message)

        if method == "OPTIONS" and header(scope, b"access-control-request-method") is not None:
            await self._preflight(scope, send)
            return
        if len(scope["query_string"]) > self.max_query_bytes:
            problem = problem_response(
                414,
                "uri-too-long",
                f"The query string is longer than the {self.max_query_bytes:,} bytes "
                "this service takes.",
            )
            await problem(scope, receive, send_with_headers)
            return
        limit = self._limit(scope, method)
        wait = await limit[0].wait(limit[1]) if limit is not None else 0.0
        if wait:
            problem = problem_response(
                429,
                "too-many-requests",
                f"Too many requests from this client; try again in {math.ceil(wait)} s.",
                headers={"Retry-After": str(math.ceil(wait))},
            )
            await problem(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    async def _preflight(self, scope: Scope, send: Send) -> None:
        """204; with allow headers only when the method asked for is a read."""
        requested = header(scope, b"access-control-request-method") or b""
        headers = list(_SECURITY_HEADERS)
        if requested.decode("latin-1").strip().upper() in READ_METHODS:
            headers += _PREFLIGHT_READ_HEADERS
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    def _limit(self, scope: Scope, method: str) -> tuple[Limiter, str] | None:
        """The limiter this request spends from and its bucket's key, if any."""
        if self.imports is not None and method == "POST" and scope["path"] == IMPORTS_PATH:
            return self.imports, self._key_name(scope) or self._client(scope)
        if self.reads is not None and method in READ_METHODS:
            return self.reads, self._client(scope)
        return None

    def _key_name(self, scope: Scope) -> str | None:
        """'key:<name>' for a request presenting a configured API key, else None."""
        authorization = header(scope, b"authorization") or b""
        scheme, _, credentials = authorization.decode("latin-1").partition(" ")
        presented = credentials.strip() if scheme.lower() == "bearer" else ""
        if not presented:
            presented = (header(scope, b"x-api-key") or b"").decode("latin-1")
        key = identify(presented, self.api_keys) if presented else None
        return f"key:{key.name}" if key else None

    def _client(self, scope: Scope) -> str:
        """The client's address: the ASGI scope's, or with `trust_forwarded_for` the
        address the proxy in front appended last to X-Forwarded-For."""
        if self.trust_forwarded_for:
            forwarded = header(scope, b"x-forwarded-for")
            if forwarded:
                return "ip:" + forwarded.decode("latin-1").rsplit(",", 1)[-1].strip()
        client = scope.get("client")
        return f"ip:{client[0]}" if client else "ip:unknown"
