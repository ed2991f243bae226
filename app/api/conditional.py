"""Conditional GET: validators derived from the data version, 304 for a client that has it.

The data changes only when a report is loaded, and each such load bumps the data
version, so a response is fully identified by (data version, URL, Accept). The ETag is
strong and changes when, and only when, a load changes the data. The version is read in
the request's own session, the same snapshot the body is read from (SQLite's read
transaction; REPEATABLE READ on Postgres), so an ETag never labels a body of another
version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.deps import SessionDep
from app.api.formats import negotiate
from app.db import as_utc
from app.services.data_version import version_row

STATE_KEY = "cache_validators"


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: str | None
    cache_control: str

    def headers(self) -> dict[str, str]:
        headers = {"ETag": self.etag, "Cache-Control": self.cache_control, "Vary": "Accept"}
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        return headers


class NotModified(Exception):
    def __init__(self, validators: Validators) -> None:
        self.validators = validators


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Does an If-None-Match header name `etag` (weak comparison, as RFC 9110 says)?"""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag in tags


def etag_version(etag: str) -> int | None:
    """The data version an ETag of this service names (`"<version>-<digest>"`)."""
    head = etag.strip('"').split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _http_date(moment: datetime) -> str:
    return format_datetime(as_utc(moment), usegmt=True)


def _validators(request: Request, version: int, updated_at: datetime | None) -> Validators:
    # The representation: the URL and the format its Accept header negotiates.
    representation = (
        f"{request.url.path}?{request.url.query}|{negotiate(request.headers.get('accept'))}"
    )
    digest = hashlib.blake2b(representation.encode(), digest_size=8).hexdigest()
    return Validators(
        etag=f'"{version}-{digest}"',
        last_modified=_http_date(updated_at) if updated_at else None,
        cache_control=f"public, max-age={request.app.state.settings.cache_max_age}",
    )


def conditional_get(request: Request, session: SessionDep) -> None:
    """Router dependency: set validators for the response, or answer 304 now."""
    if request.method not in ("GET", "HEAD"):
        return
    validators = _validators(request, *version_row(session))
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None and etag_matches(if_none_match, validators.etag):
        raise NotModified(validators)
    request.state.cache_validators = validators


def revalidate(request: Request, snapshot: Session) -> None:
    """For a body read from another session than the request's: label it with the data
    version that session sees."""
    if getattr(request.state, STATE_KEY, None) is not None:
        request.state.cache_validators = _validators(request, *version_row(snapshot))


class ValidatorHeaders:
    """ASGI middleware: put the request's validators on its 200 response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_validators(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                validators = scope.get("state", {}).get(STATE_KEY)
                if validators is not None:
                    headers = [
                        (k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"
                    ]
                    headers += [
                        (name.lower().encode(), value.encode())
                        for name, value in validators.headers().items()
                    ]
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_validators)


def install_conditional_get(app: FastAPI) -> None:
    app.add_middleware(ValidatorHeaders)

    @app.exception_handler(NotModified)
    async def _not_modified(_request: Request, error: NotModified) -> Response:
        return Response(status_code=304, headers=error.validators.headers())
