"""Errors as RFC 9457 problem details (`application/problem+json`), declared in OpenAPI.

Every error the API returns goes through `problem_response`, so its shape is one
thing: `type`, `title`, `status`, `detail`, and `errors` for invalid parameters.
"""

from __future__ import annotations

import json
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


def _problem_kind(status: int) -> str:
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
            _problem_kind(error.status_code),
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


# --- OpenAPI examples of problems ------------------------------------------------------------
#
# Each declared error response carries an example: the body this service answers, made by
# the code that answers it where that code is here (`not_found`, `not_acceptable`,
# `unknown_parameters`, `findings_not_held`), with seed-realistic values. `problem_responses`
# gives each status its usual example; `add_problem_examples` (run on the OpenAPI document
# by `use_problem_media_type`) tailors those that depend on the operation: the 400 names the
# operation's own parameters, the 404 the resource its path names, the 406 the types it
# answers. tests/api/test_spreadsheet_csv.py provokes each declared error of each operation
# and compares the answer's type and title with the example's.

UNKNOWN_PARAMETER = "colour"  # a query parameter no operation takes
MISSING = {  # a path parameter -> (what a 404 calls it, an id no seed row has)
    "force_id": ("force", "atlantis"),
    "framework_id": ("framework", "peel-1999"),
    "inspection_id": ("inspection", "atlantis-2023-25"),
    "finding_id": ("finding", "west-midlands-2018-19.protecting-vulnerable-people.atlantis"),
}
ANSWERED_TYPES = ("application/json", "text/csv", "application/x-ndjson")
_DEFAULT_MAX_IMPORT_BYTES = 2 * 1024 * 1024  # app.config.Settings' defaults, quoted
_DEFAULT_MAX_QUERY_BYTES = 2048


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


def _usual_examples() -> dict[int, ProblemError]:
    return {
        400: unknown_parameters([UNKNOWN_PARAMETER], ["limit", "offset"]),
        401: ProblemError(401, "unauthenticated", "Send an API key (Authorization: Bearer <key>)."),
        403: ProblemError(
            403, "forbidden", "The API key 'reader' does not have the 'import' scope."
        ),
        404: not_found("force", "atlantis"),
        406: not_acceptable(ANSWERED_TYPES),
        413: ProblemError(
            413,
            "body-too-large",
            f"The body is larger than the {_DEFAULT_MAX_IMPORT_BYTES:,} bytes this service takes.",
        ),
        414: ProblemError(
            414,
            "uri-too-long",
            f"The query string is longer than the {_DEFAULT_MAX_QUERY_BYTES:,} bytes "
            "this service takes.",
        ),
        415: ProblemError(
            415,
            "unsupported-media-type",
            "Send a report as text/plain or application/json, or grade records as text/csv, "
            "not application/xml.",
        ),
        422: ProblemError(
            422,
            "report-not-parsed",
            "request body:1: cannot identify the force: the text names no reference force "
            "(pass --force ID)",
            line=1,
        ),
        429: ProblemError(
            429, "too-many-requests", "Too many requests from this client; try again in 6 s."
        ),
        500: ProblemError(500, "internal-error", "The server failed to answer this request."),
        503: ProblemError(
            503, "database-unavailable", "The database cannot be reached just now; try again later."
        ),
    }


def _operation_examples() -> dict[tuple[str, int], ProblemError]:
    """What only one operation answers for a status (by operation id)."""
    from app.resources.changes import CursorNotIssued  # only when a document is made

    return {
        ("list_findings", 404): findings_not_held("avon-and-somerset-2018-19"),
        ("list_recommendations", 404): findings_not_held("avon-and-somerset-2018-19"),
        ("list_changes", 410): ProblemError(
            410, "cursor-not-issued", str(CursorNotIssued("918273645"))
        ),
        ("readyz", 503): ProblemError(
            503, "not-ready", "The database cannot be reached or has no schema yet."
        ),
    }


def example_of(error: ProblemError) -> dict[str, Any]:
    """The problem+json body `error` is answered with."""
    problem = Problem(
        type=f"/problems/{error.kind}",
        title=HTTPStatus(error.status).phrase,
        status=error.status,
        detail=error.detail,
        errors=error.errors,
        line=error.line,
        **(getattr(error, "extensions", None) or {}),
    )
    return problem.model_dump(mode="json", exclude_none=True)


def usual_example(status: int) -> dict[str, Any]:
    """The example of a status on any operation (a status with no usual example here: the
    body Starlette's HTTP errors get, `/problems/<phrase>`)."""
    error = _usual_examples().get(status) or ProblemError(
        status, _problem_kind(status), HTTPStatus(status).phrase
    )
    return example_of(error)


def _example_for(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    special = _operation_examples().get((operation.get("operationId", ""), status))
    if special is not None:
        return example_of(special)
    parameters = operation.get("parameters", [])
    if status == 400:
        query = [p["name"] for p in parameters if p.get("in") == "query"]
        return example_of(unknown_parameters([UNKNOWN_PARAMETER], query))
    if status == 404:
        in_path = [p["name"] for p in parameters if p.get("in") == "path" and p["name"] in MISSING]
        if in_path:
            return example_of(not_found(*MISSING[in_path[-1]]))
    if status == 406:
        answered = set(operation.get("responses", {}).get("200", {}).get("content", {}))
        return example_of(not_acceptable(t for t in ANSWERED_TYPES if t in answered))
    return None


def add_problem_examples(schema: dict[str, Any]) -> dict[str, Any]:
    """Tailor each operation's problem examples to it (see above); an error response that
    declares none gets its status's usual example."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get(PROBLEM_MEDIA_TYPE)
                if content is None or int(status) < 400:
                    continue
                example = _example_for(operation, int(status))
                if example is not None:
                    content["example"] = example
                else:
                    content.setdefault("example", usual_example(int(status)))
    return schema


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem statuses an operation can return, each
    with its usual example (tailored per operation by `add_problem_examples`)."""
    descriptions = {
        400: "Invalid or unknown query parameters.",
        401: "No API key, or one that is not valid.",
        403: "The API key lacks the scope this operation needs.",
        404: "No such resource.",
        413: "The body is larger than the configured limit.",
        414: "The query string is longer than the configured limit (MAX_QUERY_BYTES).",
        415: "The body's media type is not one this operation takes.",
        422: "The body was read but cannot be used (e.g. a report that does not parse).",
        406: "None of the accepted media types can be produced.",
        410: "A change-feed cursor this service never issued (/problems/cursor-not-issued): "
        "resync from a full export, then follow the feed again from since=0.",
        429: "Too many requests from this client; retry after Retry-After seconds.",
        500: "The server failed.",
        503: "The database is unavailable or too slow; retry after Retry-After seconds.",
    }
    # Declared with the JSON model here; `use_problem_media_type` moves it to problem+json.
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, HTTPStatus(status).phrase),
            "content": {"application/json": {"example": usual_example(status)}},
        }
        for status in statuses
    }


def use_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """In an OpenAPI document: error responses are problem+json; no undeclared 422s.

    FastAPI declares a 422 for every operation with parameters; this API answers
    invalid parameters with 400 and keeps 422 for operations that take a body.
    """
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if "requestBody" not in operation:
                responses.pop("422", None)
            for status, response in responses.items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    components = schema.get("components", {}).get("schemas", {})
    if "#/components/schemas/HTTPValidationError" not in json.dumps(schema.get("paths", {})):
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
    return add_problem_examples(schema)


def data_responses() -> dict[int | str, dict[str, Any]]:
    """What any operation that reads the database can answer besides its own problems: a
    query string over the limit, a client over its rate limit, the database away."""
    return problem_responses(414, 429, 503)
