"""Errors as RFC 9457 problem details (`application/problem+json`), declared in OpenAPI.

Every error the API returns goes through `problem_response`, so its shape is one
thing: `type`, `title`, `status`, `detail`, and `errors` for invalid parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db import DatabaseUnavailable

PROBLEM_MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger("peel.api")


class InvalidParam(BaseModel):
    name: str = Field(description="The parameter, as 'query.limit' or 'path.force_id'.")
    reason: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details."""

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request, for a person.")
    errors: list[InvalidParam] | None = Field(
        default=None, description="For an invalid request: each parameter at fault."
    )
    line: int | None = Field(
        default=None, description="For a report that does not parse: the line at fault."
    )
    parameter: str | None = Field(
        default=None, description="For an unknown filter value: the query parameter."
    )
    value: str | None = Field(default=None, description="For an unknown filter value: the value.")
    suggestions: list[str] | None = Field(
        default=None,
        description="For an unknown filter value: the closest valid values (maybe none).",
    )


class ProblemError(Exception):
    """Raise to answer with a problem; `kind` becomes the type `/problems/<kind>`."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        errors: list[InvalidParam] | None = None,
        headers: dict[str, str] | None = None,
        line: int | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers
        self.line = line
        self.extensions = extensions  # more members of the problem (fields of `Problem`)


def not_found(what: str, identifier: str) -> ProblemError:
    return ProblemError(404, "not-found", f"No {what} has the id {identifier!r}.")


def not_acceptable(media_types: Iterable[str]) -> ProblemError:
    """406: the Accept header admits none of the types an operation answers."""
    return ProblemError(
        406,
        "not-acceptable",
        f"Cannot answer with any type the Accept header lists; this operation answers "
        f"{', '.join(media_types)} (or use the format parameter).",
    )


def problem_response(
    status: int,
    kind: str,
    detail: str,
    *,
    errors: list[InvalidParam] | None = None,
    headers: dict[str, str] | None = None,
    line: int | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    problem = Problem(
        type=f"/problems/{kind}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        errors=errors,
        line=line,
        **(extensions or {}),
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


DATABASE_RETRY_AFTER = "5"


def database_problem(error: BaseException) -> JSONResponse | None:
    """A 503 for a database that cannot answer now, or None for any other error.

    Unreachable or dropped connections, a full pool, a server shutting down and a
    statement aborted by the statement timeout (Postgres: query_canceled; SQLite: the
    progress handler's 'interrupted') are all OperationalError or pool timeouts: the
    request may succeed later, so 503 with Retry-After. A timeout is told apart by its
    type (/problems/database-timeout). The body never carries SQL or driver text.
    """
    if isinstance(error, DBAPIError):
        unavailable = (
            isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated
        )
        if not unavailable:
            return None
        original = error.orig
    elif isinstance(error, PoolTimeoutError | DatabaseUnavailable):
        original = None
    elif type(error).__module__.startswith("psycopg") and type(error).__name__ in (
        "OperationalError",
        "InterfaceError",
    ):
        original = error  # raised by the driver outside SQLAlchemy's wrapping
    else:
        return None
    timed_out = getattr(original, "sqlstate", None) == "57014" or (
        "interrupted" in str(original).lower() and "sqlite" in type(original).__module__
    )
    headers = {"Retry-After": DATABASE_RETRY_AFTER}
    if timed_out:
        return problem_response(
            503,
            "database-timeout",
            "The query took longer than this service allows; try again later.",
            headers=headers,
        )
    return problem_response(
        503,
        "database-unavailable",
        "The database cannot be reached just now; try again later.",
        headers=headers,
    )


def problem_kind(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, error: ProblemError) -> JSONResponse:
        return problem_response(
            error.status,
            error.kind,
            error.detail,
            errors=error.errors,
            headers=error.headers,
            line=error.line,
            extensions=error.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            InvalidParam(
                name=".".join(str(part) for part in item.get("loc", ())),
                reason=item.get("msg", "invalid"),
            )
            for item in error.errors()
        ]
        in_body = any(e.name.startswith("body") for e in errors)
        status = 422 if in_body else 400
        detail = "; ".join(f"{e.name}: {e.reason}" for e in errors) or "Invalid request."
        return problem_response(status, "invalid-request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        detail = (
            error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
        )
        return problem_response(
            error.status_code,
            problem_kind(error.status_code),
            detail,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeoutError)
    @app.exception_handler(DatabaseUnavailable)
    async def _database(_request: Request, error: Exception) -> JSONResponse:
        answer = database_problem(error)
        if answer is None:  # e.g. an IntegrityError: a bug, not an outage; 500 and logged
            raise error
        _log.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        return answer

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> JSONResponse:
        answer = database_problem(error)  # the driver's own errors, unwrapped
        if answer is not None:
            return answer
        # Never a stack trace or SQL in a body; the log has the details.
        return problem_response(500, "internal-error", "The server failed to answer this request.")


def unknown_parameters(unknown: list[str], allowed: Iterable[str]) -> ProblemError:
    """400: query parameters the operation does not declare (never silently ignored)."""
    names = sorted(allowed)
    return ProblemError(
        400,
        "unknown-parameter",
        f"Unknown query parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
        f"this operation takes: {', '.join(names) or 'none'}.",
        errors=[
            InvalidParam(name=f"query.{name}", reason="not a parameter of this operation")
            for name in unknown
        ],
    )


def findings_not_held(inspection_id: str) -> ProblemError:
    """404: the inspection filtered on is built from assessment pages: grades only."""
    return ProblemError(
        404,
        "findings-not-held",
        f"Inspection {inspection_id!r} is built from HMICFRS assessment pages, which "
        "state grades only: no findings text or recommendations are held for it.",
    )
