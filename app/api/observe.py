"""Request ids, access logs and Prometheus metrics: the outermost ASGI middleware.

Every response, cached answers and 304s included, gets an `X-Request-ID` (the client's,
when it sent a sane one, else a new one), one JSON access-log line and a count and a
latency observation labelled by route template (never the raw path, so label values
stay bounded). `GET /metrics` answers in Prometheus' text format: those series, the data
version, when a load last changed the data, and the response cache's size.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable

import anyio
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.utils import floatToGoString
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.asgi import header
from app.logs import request_id

METRICS_PATH = "/metrics"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_MAX_ROUTE_CACHE = 4096
UNMATCHED = "unmatched"
# Methods as labels: any other token a client sends is counted as OTHER (bounded labels).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_access = logging.getLogger("peel.access")
_INFO = logging.INFO


class _RequestIds:
    """New request ids: 32 hex digits, like a uuid4's, but a random 64-bit prefix per
    process (drawn again in a forked child) and a counter, so unique without reading the
    system's random source per request."""

    def __init__(self) -> None:
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def __call__(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


new_request_id = _RequestIds()


class _StateCollector:
    """Gauges read when scraped: data version, last change, response cache."""

    def __init__(self, read_state: Callable[[], dict[str, float]]) -> None:
        self._read_state = read_state

    def collect(self) -> Iterable[Metric]:
        state = self._read_state()
        described = {
            "peel_data_version": "The data version: bumped by every load that changes data.",
            "peel_last_import_timestamp_seconds": "When a load last changed the data (Unix time).",
            "peel_response_cache_bytes": "Bytes held by this worker's response cache.",
            "peel_response_cache_entries": "Answers held by this worker's response cache.",
        }
        for name, help_text in described.items():
            if name in state:
                yield GaugeMetricFamily(name, help_text, value=state[name])


class _RequestMetrics:
    """Requests counted by (method, route, status) and timed by (method, route), in plain
    ints and floats. Only the event loop's thread records (the middleware runs there), so
    no lock: prometheus_client's Counter and Histogram take one per sample, 1.7 of the
    11 us a cached answer costs in process (bench/README.md). A scrape (in a worker
    thread) reads copies, made in C with no Python code running, so no record interleaves."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], int] = {}
        # (method, route) -> [count in each bucket (not cumulative), then +Inf's, sum]
        self._latency: dict[tuple[str, str], list[float]] = {}

    def record(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        self._counts[key] = self._counts.get(key, 0) + 1
        series = self._latency.get(key[:2])
        if series is None:
            series = self._latency[key[:2]] = [0] * (len(_LATENCY_BUCKETS) + 1) + [0.0]
        series[bisect_left(_LATENCY_BUCKETS, seconds)] += 1
        series[-1] += seconds

    def collect(self) -> Iterable[Metric]:
        requests = CounterMetricFamily(
            "peel_http_requests",
            "HTTP requests answered, by method, route template and status.",
            labels=["method", "route", "status"],
        )
        for (method, route, status), count in self._counts.copy().items():
            requests.add_metric([method, route, str(status)], count)
        latency = HistogramMetricFamily(
            "peel_http_request_duration_seconds",
            "Time from request to the end of the response, by method and route template.",
            labels=["method", "route"],
        )
        bounds = [*(floatToGoString(b) for b in _LATENCY_BUCKETS), "+Inf"]
        for labels, series in self._latency.copy().items():
            series = series.copy()  # one consistent reading while the loop records
            counts = list(itertools.accumulate(series[:-1]))
            latency.add_metric(list(labels), list(zip(bounds, counts, strict=True)), series[-1])
        yield requests
        yield latency


class Observer:
    """ASGI middleware, the outermost of the service's own (see the module)."""

    def __init__(self, app: ASGIApp, *, state: Callable[[], dict[str, float]]) -> None:
        self.app = app
        self._route_of_path: dict[tuple[str, str], str] = {}
        self.registry = CollectorRegistry()
        self.requests = _RequestMetrics()
        self.registry.register(self.requests)
        self.registry.register(_StateCollector(state))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = (header(scope, b"x-request-id") or b"").decode("latin-1")
        rid = given if given and _REQUEST_ID.fullmatch(given) else new_request_id()
        token = request_id.set(rid)
        status = 500  # if the app fails before it starts a response
        echoed = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), echoed]}
            await send(message)

        try:
            if scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD"):
                await self._metrics(send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = self._route(scope)
            self.requests.record(method, route, status, elapsed)
            if _access.isEnabledFor(_INFO):
                # What _access.info(...) makes, less the caller lookup (file, line and
                # function of this call: fields the JSON log line never shows).
                path = scope["path"]
                _access.handle(
                    _access.makeRecord(
                        _access.name,
                        _INFO,
                        __file__,
                        0,
                        "%s %s %s",
                        (method, path, status),
                        None,
                        extra={
                            "method": method,
                            "path": path,
                            "route": route,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                            "client": (scope.get("client") or ("",))[0],
                        },
                    )
                )
            request_id.reset(token)

    def _route(self, scope: Scope) -> str:
        """The template of the route that answered: FastAPI leaves it in the scope; a
        mount leaves its prefix as root_path. A cached answer never reaches the router, so
        the template seen for that method and path is remembered (the cache only holds
        answers the router gave)."""
        key = (scope["method"], scope["path"])
        route = scope.get("route")
        found = getattr(route, "path", None) or scope.get("root_path") or None
        if scope["path"] == METRICS_PATH:
            found = METRICS_PATH
        if found is None:
            return self._route_of_path.get(key, UNMATCHED)
        if key not in self._route_of_path:
            if len(self._route_of_path) >= _MAX_ROUTE_CACHE:
                self._route_of_path.clear()
            self._route_of_path[key] = found
        return found

    async def _metrics(self, send: Send) -> None:
        body = await anyio.to_thread.run_sync(generate_latest, self.registry)
        headers = [
            (b"content-type", CONTENT_TYPE_LATEST.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
