"""POST /v1/imports: an authenticated service sends a report, or a CSV of grade records
(or grade counts); it is checked and loaded."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from app import schemas
from app.api.auth import ImportKey
from app.api.lookups import SLUG
from app.api.problem_docs import problem_responses
from app.api.problems import InvalidParam, ProblemError
from app.db import get_engine
from app.ingest.errors import ReportParseError
from app.ingest.grades import GradeRecordError
from app.ingest.manifest import ReportSource
from app.store.errors import LoadError
from app.store.flows import UNNAMED, UPLOAD, GradeImportOutcome, import_grades, import_report

router = APIRouter(prefix="/v1", tags=["imports"])

TEXT, JSON, CSV = "text/plain", "application/json", "text/csv"
_log = logging.getLogger("peel.api")

REQUEST_BODY = {
    "required": True,
    "content": {
        TEXT: {"schema": {"type": "string", "description": "The report's text, UTF-8."}},
        JSON: {"schema": {"$ref": "#/components/schemas/ImportRequest"}},
        CSV: {
            "schema": {
                "type": "string",
                "description": "A grade-record file, UTF-8, as `peel load FILE.csv` reads: "
                "areas (`framework,force_id,area_id,grade,published,source_kind,source_url`), "
                "long (`force_id,framework,level,area,grade,source_url`), wide "
                "(`force_id,<pillar>...,source_url`, with `framework` in the query) or grade "
                "counts (`framework,force_id,<grade>...,areas_graded,source_url`).",
            }
        },
    },
}


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, or a 413 as soon as it is known to be larger than `limit`."""
    declared = request.headers.get("content-length", "")
    too_large = ProblemError(
        413, "body-too-large", f"The body is larger than the {limit:,} bytes this service takes."
    )
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large
    return bytes(body)


def _text_of(body: bytes, name: str = "request body", kind: str = "report-not-parsed") -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise ProblemError(
            422,
            kind,
            f"{name}:{line}: the body is not UTF-8 text (byte 0x{body[error.start]:02X})",
            line=line,
        ) from None


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _check_charset(request: Request, what: str) -> None:
    charset = request.headers.get("content-type", "").lower().partition("charset=")[2].strip()
    if charset.strip('"') not in ("", "utf-8", "utf8", "us-ascii"):
        raise ProblemError(415, "unsupported-media-type", f"Send the {what} as UTF-8 text.")


def _request_of(
    request: Request, body: bytes, query: schemas.ImportRequest
) -> schemas.ImportRequest:
    media_type = _media_type(request)
    if media_type == TEXT:
        _check_charset(request, "report")
        return query.model_copy(update={"text": _text_of(body)})
    if media_type == JSON:
        try:
            sent = schemas.ImportRequest.model_validate_json(body)
        except ValidationError as error:
            raise ProblemError(
                422,
                "invalid-request",
                "The JSON body is not an import request.",
                errors=[
                    InvalidParam(name=".".join(map(str, ("body", *e["loc"]))), reason=e["msg"])
                    for e in error.errors()
                ],
            ) from None
        return sent
    raise ProblemError(
        415,
        "unsupported-media-type",
        f"Send a report as {TEXT} or {JSON}, or grade records as {CSV}, not "
        f"{media_type or 'no content type'}.",
    )


@router.post(
    "/imports",
    status_code=201,
    summary="Import a report or a grade-record file",
    description="Parse, validate and load one report in one transaction. Send its text as "
    "`text/plain` (metadata in the query string) or as JSON with its metadata. Answers 201 "
    "when the inspection was created or replaced, 200 when the identical report was already "
    "loaded (nothing changes). `dry_run=true` parses and says what would change, writing "
    "nothing. A report that does not parse is a 422 problem with the line. Needs an API key "
    "with the `import` scope; every import is recorded with the key's name.\n\n"
    "Grade records (or grade counts) are sent as `text/csv`, as `peel load FILE.csv` reads "
    "them, and answered with a `GradeImportResult`: every row is checked against the "
    "catalogue first, and a file that does not fit is a 422 problem whose detail is "
    "`FILE:LINE: message` (nothing is written); then all of it is stored in one transaction. "
    "Query: `filename` names the file (default `upload.csv`; a file of counts replaces what "
    "the file of that name stated before), `framework` is needed by the wide layout (one "
    "column per pillar), `force` requires every row to be that force's, `licence` is stored "
    "with the inspections built. Where an inspection was loaded from a report, the report's "
    "grades stand and the records are stored as checks beside them; disagreements are "
    "returned as `warnings`. 201 when something was created or replaced, 200 when nothing "
    "changed or in a dry run.",
    responses={
        200: {
            "model": schemas.ImportResult | schemas.GradeImportResult,
            "description": "Already loaded, or a dry run.",
        },
        **problem_responses(400, 401, 403, 413, 414, 415, 422, 429, 503),
    },
    openapi_extra={"requestBody": REQUEST_BODY},
)
async def create_import(
    request: Request,
    response: Response,
    key: ImportKey,
    dry_run: Annotated[bool, Query(description="Parse and compare only; write nothing.")] = False,
    force: Annotated[
        str | None,
        Query(pattern=SLUG, description="text/plain: the force; text/csv: every row's force."),
    ] = None,
    framework: Annotated[
        str | None,
        Query(pattern=SLUG, description="text/csv: the framework of a wide (pillar) file."),
    ] = None,
    published: Annotated[date | None, Query(description="text/plain: publication date.")] = None,
    source_url: Annotated[str | None, Query(max_length=500)] = None,
    licence: Annotated[str | None, Query(max_length=100)] = None,
    filename: Annotated[str | None, Query(max_length=200, pattern=r"^[\w.\-]+$")] = None,
) -> schemas.ImportResult | schemas.GradeImportResult:
    settings = request.app.state.settings
    body = await _read_body(request, settings.max_import_bytes)
    if _media_type(request) == CSV:
        stray = {"published": published, "source_url": source_url}
        if any(value is not None for value in stray.values()):
            errors = [
                InvalidParam(
                    name=f"query.{name}", reason="a report's fact; not taken with text/csv"
                )
                for name, value in stray.items()
                if value is not None
            ]
            detail = "; ".join(f"{e.name}: {e.reason}" for e in errors)
            raise ProblemError(422, "invalid-request", detail, errors=errors)
        _check_charset(request, "grade records")
        name = filename if filename and filename.strip(".") else UPLOAD  # not "." or ".."
        outcome = await _import_grades(
            request,
            _text_of(body, name, "grades-not-loaded"),
            Path(name),
            key_name=key.name,
            dry_run=dry_run,
            force=force,
            framework=framework,
            licence=licence,
        )
        if outcome.status == "unchanged" or dry_run:
            response.status_code = 200
        if len(outcome.inspections) == 1:
            response.headers["Location"] = f"/v1/inspections/{outcome.inspections[0]}"
        return _grade_result(outcome, dry_run=dry_run)
    query = schemas.ImportRequest(
        text="",
        force=force,
        framework=framework,
        published=published,
        source_url=source_url,
        licence=licence,
        filename=filename,
    )
    sent = _request_of(request, body, query)
    source = ReportSource(
        path=Path(sent.filename or UNNAMED),
        kind="report",
        force=sent.force,
        framework=sent.framework,
        published=sent.published,
        source_url=sent.source_url,
        licence=sent.licence,
    ).with_text(sent.text)
    engine = request.app.state.engine or get_engine()
    try:
        outcome = await run_in_threadpool(
            import_report, engine, sent.text, source, key_name=key.name, dry_run=dry_run
        )
    except ReportParseError as error:
        raise ProblemError(422, "report-not-parsed", str(error), line=error.line) from None
    except LoadError as error:
        raise ProblemError(422, "report-not-loaded", str(error)) from None
    result = outcome.result
    if result.status == "unchanged" or dry_run:
        response.status_code = 200
    response.headers["Location"] = f"/v1/inspections/{result.inspection_id}"
    tables = sorted(set(result.counts) | set(result.previous))
    return schemas.ImportResult(
        inspection=result.inspection_id,
        href=f"/v1/inspections/{result.inspection_id}",
        status=result.status,
        dry_run=dry_run,
        data_version=result.data_version,
        changes={
            t: schemas.TableChange(before=result.previous.get(t, 0), after=result.counts.get(t, 0))
            for t in tables
        },
        document=outcome.document if dry_run else None,
    )


async def _import_grades(
    request: Request, text: str, path: Path, **kwargs: Any
) -> GradeImportOutcome:
    engine = request.app.state.engine or get_engine()
    try:
        outcome = await run_in_threadpool(import_grades, engine, text, path, **kwargs)
    except GradeRecordError as error:
        raise ProblemError(422, "grades-not-loaded", str(error), line=error.line) from None
    except LoadError as error:
        raise ProblemError(422, "grades-not-loaded", str(error)) from None
    for warning in outcome.warnings:  # loudly: both sources are kept, a person must look
        _log.warning("sources disagree: %s", warning)
    return outcome


def _grade_result(outcome: GradeImportOutcome, *, dry_run: bool) -> schemas.GradeImportResult:
    return schemas.GradeImportResult(
        kind=outcome.kind,
        file=outcome.file,
        status=outcome.status,
        dry_run=dry_run,
        data_version=outcome.data_version,
        records=outcome.records,
        inspections=schemas.GradeImportInspections(
            created=outcome.created, replaced=outcome.replaced, unchanged=outcome.unchanged
        ),
        checked=outcome.checked,
        warnings=outcome.warnings,
    )
