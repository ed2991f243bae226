"""GET /v1/changes: an ordered feed of what changed, for services that keep a copy."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.deps import SessionDep
from app.api.problems import data_responses, problem_responses
from app.db import as_utc
from app.services.data_version import changes_since, current_version

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix="/v1", tags=["changes"], responses=data_responses())

FEED = """Changes in the order they were made: an inspection created or replaced (and, when
the service removes one, `inspection.removed`), or the reference catalogue updated.

To keep a copy in sync: start with `since=0`, apply each change (read `href` for a
created or replaced inspection; drop it for a removed one; re-read the catalogue for
`catalogue.updated`), store the response's `cursor`, and call again with `since=<cursor>`
(follow `next` while it is set). A client that does so from the start ends with exactly
the data the API serves."""


@router.get(
    "/changes",
    summary="List changes since a cursor",
    description=FEED,
    responses=problem_responses(400),
)
def list_changes(
    session: SessionDep,
    since: Annotated[
        str, Query(pattern=r"^\d{1,18}$", description="A cursor from an earlier call; 0 first.")
    ] = "0",
    limit: Annotated[int, Query(ge=1, le=1000, description="Changes per call.")] = 100,
) -> schemas.ChangeFeed:
    changes = changes_since(session, int(since), limit=limit + 1)
    more = len(changes) > limit
    changes = changes[:limit]
    cursor = str(changes[-1].id) if changes else since
    return schemas.ChangeFeed(
        items=[
            schemas.ChangePublic(
                cursor=str(c.id),
                version=c.version,
                kind=c.kind,
                inspection=c.inspection_id,
                occurred_at=as_utc(c.occurred_at),
                href=(
                    f"/v1/inspections/{c.inspection_id}"
                    if c.inspection_id and c.kind != "inspection.removed"
                    else "/v1/frameworks"
                    if c.kind == "catalogue.updated"
                    else None
                ),
            )
            for c in changes
        ],
        cursor=cursor,
        next=f"/v1/changes?since={cursor}&limit={limit}" if more else None,
        data_version=current_version(session),
    )
