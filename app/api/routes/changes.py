"""GET /v1/changes: an ordered feed of what changed, for services that keep a copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.deps import SessionDep
from app.api.problem_docs import data_responses, problem_responses
from app.api.problems import ProblemError
from app.resources import changes
from app.resources.urls import API

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix=API, tags=["changes"], responses=data_responses())

FEED = """Changes in the order they were made: an inspection created or replaced, the
reference catalogue updated, or the grade counts pages state updated.

To keep a copy in sync: start with `since=0`, apply each change (read `href` for a
created or replaced inspection; re-read the catalogue, and the frameworks' grade grids,
for `catalogue.updated` and `grade-counts.updated`), store the response's `cursor`, and
call again with `since=<cursor>` (follow `next` while it is set). A client that does so
from the start ends with exactly the data the API serves.

A cursor this service never issued (past the last change, or not a change's id: say the
database was rebuilt since the client synced) is a 410 `/problems/cursor-not-issued`: the
copy cannot be brought up to date from the feed, so resync from a full export
(`peel export`, or each list with `format=ndjson`) and follow the feed again from
`since=0`."""


@router.get(
    "/changes",
    summary="List changes since a cursor",
    description=FEED,
    responses=problem_responses(400, 410),
)
def list_changes(
    session: SessionDep,
    since: Annotated[
        str, Query(pattern=r"^\d{1,18}$", description="A cursor from an earlier call; 0 first.")
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per call.")] = 100,
) -> schemas.ChangeFeed:
    try:
        return changes.feed(session, since, limit)
    except changes.CursorNotIssued as error:
        raise ProblemError(410, "cursor-not-issued", str(error)) from None
