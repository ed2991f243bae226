"""The change feed: each change with where to read what changed."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.db import as_utc
from app.models import DataChange
from app.resources.urls import urls
from app.services.data_version import changes_since, current_version, cursor_issued


class CursorNotIssued(ValueError):
    """A `since` this service never issued: the client must resync from a full export."""

    def __init__(self, cursor: str) -> None:
        super().__init__(
            f"The cursor {cursor!r} was never issued by this service (its data may have been "
            "rebuilt since you synced): resync from a full export (`peel export`, or each "
            "list with format=ndjson), then follow the feed again from since=0."
        )


def change_href(change: DataChange) -> str | None:
    """The inspection created or replaced; the frameworks (their catalogue and grade
    grids) after a catalogue or grade-count update."""
    if change.inspection_id:
        return urls.inspection(change.inspection_id)
    return urls.frameworks()


def change(row: DataChange) -> schemas.ChangePublic:
    return schemas.ChangePublic(
        cursor=str(row.id),
        version=row.version,
        kind=row.kind,
        inspection=row.inspection_id,
        occurred_at=as_utc(row.occurred_at),
        href=change_href(row),
    )


def feed(session: Session, since: str, limit: int) -> schemas.ChangeFeed:
    """`GET /v1/changes`: up to `limit` changes after the cursor `since`; CursorNotIssued
    for a cursor that is not 0 or a recorded change's id, as the feed writes it."""
    if since != str(int(since)) or not cursor_issued(session, int(since)):
        raise CursorNotIssued(since)
    changes = changes_since(session, int(since), limit=limit + 1)
    more = len(changes) > limit
    changes = changes[:limit]
    cursor = str(changes[-1].id) if changes else since
    return schemas.ChangeFeed(
        items=[change(c) for c in changes],
        cursor=cursor,
        next=urls.changes(since=cursor, limit=limit) if more else None,
        data_version=current_version(session),
    )
