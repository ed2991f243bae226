"""The change feed: each change with where to read what changed."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.db import as_utc
from app.models import DataChange
from app.resources.urls import urls
from app.services.data_version import changes_since, current_version


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
    """`GET /v1/changes`: up to `limit` changes after the cursor `since`."""
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
