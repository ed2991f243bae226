"""create_app(): the ASGI application `app.main:app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.auth import parse_api_keys
from app.api.docs import install_docs
from app.api.examples import add_examples
from app.api.http_cache import HttpCache, ResponseStore, conditional_get, install_not_modified
from app.api.listing import reject_unknown_query_params
from app.api.observe import Observer
from app.api.problem_docs import use_problem_media_type
from app.api.problems import install_problem_handlers
from app.api.read_gate import ReadGate, read_slots
from app.api.routes import (
    catalogue,
    changes,
    findings,
    glossary,
    health,
    imports,
    inspections,
    judgments,
    search,
)
from app.api.security import Guard, RedisLink, content_security_policy
from app.api.version_clock import VersionClock
from app.config import Settings, get_settings
from app.db import as_utc, get_engine, read_snapshot
from app.heap import cap_malloc_arenas
from app.schemas import ImportRequest
from app.services.data_version import version_row
from app.web.pages import install_pages

DESCRIPTION = """HM Inspectorate of Constabulary and Fire & Rescue Services (HMICFRS) PEEL
inspection judgments and findings: forces, frameworks, inspections (report cards),
pillar and question judgments (with those carried over from earlier inspections),
findings, areas for improvement, causes of concern, recommendations, glossary links and
full-text search.

Conventions, the same everywhere:
- ids are slugs that never change (`west-midlands`, `peel-2018-19`, `west-midlands-2018-19`);
  force ids are data.police.uk's;
- lists take `limit` (default 100, search 20; at most 1000), `offset` and `sort`, answer
  with `count`, `next` and `previous` links and a `Link` header; an unknown query parameter
  is a 400;
- errors are `application/problem+json` (RFC 9457);
- a grade always comes with its `scale` (framework): grades of different frameworks are
  not comparable.

Data: HMICFRS reports, Open Government Licence v3.0."""

TAGS = [
    {"name": "catalogue", "description": "Forces and inspection frameworks."},
    {"name": "inspections", "description": "Inspections, report cards and grade history."},
    {"name": "judgments", "description": "Grades for pillars and questions."},
    {"name": "findings", "description": "Findings text and boxed items."},
    {"name": "search", "description": "Full-text search."},
    {"name": "glossary", "description": "Glossary terms reports link to."},
    {"name": "imports", "description": "Sending reports in (API key with the import scope)."},
    {"name": "changes", "description": "The change feed integrators sync from."},
    {"name": "operations", "description": "Health and readiness."},
]


BODY_MODELS = (ImportRequest,)
DOCS = ("/docs", "/redoc")
_log = logging.getLogger("peel.api")


def _operation_id(route: APIRoute) -> str:
    # Stable operation ids: the route function's name, never the path or method order.
    return route.name


def _state_reader(app: FastAPI, store: ResponseStore) -> Callable[[], dict[str, float]]:
    """What /metrics reports of the service's state, read when scraped."""

    def read() -> dict[str, float]:
        state = {
            "peel_response_cache_bytes": float(store.bytes_held),
            "peel_response_cache_entries": float(len(store)),
        }
        try:
            with read_snapshot(app.state.engine or get_engine()) as session:
                version, changed = version_row(session)
        except Exception as error:  # a scrape must answer while the database is away
            _log.warning("metrics: data version not read: %s", type(error).__name__)
            return state
        state["peel_data_version"] = float(version)
        if changed is not None:
            state["peel_last_import_timestamp_seconds"] = as_utc(changed).timestamp()
        return state

    return read


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Postgres: hear every load's NOTIFY, so any worker's load is served at once.
    app.state.version_clock.start_listening()
    yield
    # After uvicorn has drained the requests in flight (graceful shutdown).
    await anyio.to_thread.run_sync(app.state.version_clock.stop_listening)
    if app.state.redis_link is not None:
        await app.state.redis_link.aclose()
    (app.state.engine or get_engine()).dispose()
    _log.info("shutdown complete: requests drained, database pool closed")


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> FastAPI:
    """The API; `engine` defaults to the one Settings.database_url names."""
    settings = settings or get_settings()
    # Before the threadpool and the listener start allocating (app/heap.py).
    cap_malloc_arenas(settings.malloc_arena_max)
    app = PeelAPI(
        title="peel-api",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
        # The service has its own metrics, logs and request ids (app/api/observe.py); FastAPI's
        # OpenTelemetry layer, on, costs every request (cached ones too) a look at the
        # environment for providers nobody configured.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.api_keys = parse_api_keys(settings.api_keys)  # a malformed entry fails here
    install_problem_handlers(app)
    install_docs(app)
    install_not_modified(app)
    app.state.version_clock = VersionClock(
        lambda: app.state.engine or get_engine(), settings.version_check_seconds
    )
    # REDIS_URL: rate limits shared by every worker and container (app/api/security.py).
    app.state.redis_link = RedisLink(settings.redis_url) if settings.redis_url else None
    strict = [Depends(reject_unknown_query_params)]
    cached = [*strict, Depends(conditional_get)]
    for module in (catalogue, inspections, judgments, findings, search, glossary, changes):
        app.include_router(module.router, dependencies=cached)
    for module in (imports, health):
        app.include_router(module.router, dependencies=strict)
    install_pages(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            # Bodies read by hand (POST /v1/imports) reference models FastAPI never saw.
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in BODY_MODELS:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components.setdefault(model.__name__, body)
            app.openapi_schema = add_examples(use_problem_media_type(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    _add_middleware(app, settings)
    return app


class PeelAPI(FastAPI):
    """FastAPI, with the layers `add_middleware` registers put in front of FastAPI's own
    (its ServerErrorMiddleware, telemetry and body-limit layers) instead of inside them.

    A cached answer then passes none of FastAPI's layers (measured in process, one core:
    11.6 -> 10.8 us per cached report card).
    An unexpected error's 500 problem is still made by FastAPI's ServerErrorMiddleware
    (with our Exception handler) and goes out through every one of our layers.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A request goes straight to our layers: FastAPI's own __call__ adds nothing here
        # but a look for the telemetry turned off in create_app (~1 us a cached answer).
        if scope["type"] == "http" and self.middleware_stack is not None and not self.root_path:
            scope["app"] = self
            await self.middleware_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        ours, self.user_middleware = self.user_middleware, []
        try:
            stack = super().build_middleware_stack()
        finally:
            self.user_middleware = ours
        for cls, args, kwargs in reversed(ours):  # the last added is the outermost
            stack = cls(stack, *args, **kwargs)
        return stack


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """The service's own layers, in front of FastAPI (see PeelAPI); the last added is the
    outermost: Observer -> Guard -> HttpCache -> ReadGate -> FastAPI (errors, routing)."""
    # Innermost: only what the cache does not answer is computed, a few at a time.
    slots = read_slots(settings, app.state.engine)
    app.add_middleware(ReadGate, slots=slots, exempt=("/healthz",))
    # Cached answers (and their 304s) need no routing, dependencies, thread or query.
    store = ResponseStore(settings.response_cache_bytes)
    app.add_middleware(HttpCache, clock=app.state.version_clock, store=store)
    # Limits, CORS and security headers on every response, cached ones too
    # (app/api/security.py). The CSP allows the docs' inline scripts by their hashes,
    # taken from the pages as served.
    docs_pages = [r.endpoint().body for r in app.routes if getattr(r, "path", "") in DOCS]
    app.add_middleware(
        Guard,
        csp=content_security_policy(docs_pages),
        api_keys=app.state.api_keys,
        max_query_bytes=settings.max_query_bytes,
        import_rate_limit=settings.import_rate_limit,
        read_rate_limit=settings.read_rate_limit,
        trust_forwarded_for=settings.trust_forwarded_for,
        redis_link=app.state.redis_link,
    )
    # Outermost: request ids, access logs and metrics count every response.
    app.add_middleware(Observer, state=_state_reader(app, store))


app = create_app()
