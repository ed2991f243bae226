"""The data version and the change feed, read.

One counter bumped by every load that changes data: responses can be cached keyed by it
(ETag), and `data_change` keeps one row per change so integrators can sync from a change
feed. Both are written by the store (app/store/changes.py), in the load's transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from app.models import DataChange, DataVersion


def current_version(session: Session) -> int:
    row = session.get(DataVersion, 1)
    return row.version if row else 0


def changes_since(session: Session, cursor: int, *, limit: int = 100) -> list[DataChange]:
    """Changes recorded after the change `cursor` (0: from the start), oldest first."""
    statement = (
        select(DataChange)
        .where(DataChange.id > cursor)  # type: ignore[operator]
        .order_by(DataChange.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    return list(session.exec(statement))


def version_row(session: Session) -> tuple[int, datetime | None]:
    """(the data version, when it last changed)."""
    row = session.get(DataVersion, 1)
    return (row.version, row.updated_at) if row else (0, None)
