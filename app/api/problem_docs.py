"""Problems in the OpenAPI document: the error responses each operation declares, each
with an example, and problem+json as their media type (app/api/problems.py makes the
problems themselves)."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from app.api.problems import (
    PROBLEM_MEDIA_TYPE,
    Problem,
    ProblemError,
    findings_not_held,
    not_acceptable,
    not_found,
    problem_kind,
    unknown_parameters,
)

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
        status, problem_kind(status), HTTPStatus(status).phrase
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
