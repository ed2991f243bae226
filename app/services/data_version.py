"""The data version and the change feed, read.

One counter bumped by every load that changes data: responses can be cached keyed by it
(ETag), and `data_change` keeps one row per change so integrators can sync from a change
feed. Both are written by the store (app/store/changes.py), in the load's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, func, select

from app.db import read_before_snapshot
from app.models import DataChange, DataVersion


def current_version(session: Session) -> int:
    return version_row(session)[0]


def changes_since(session: Session, cursor: int, *, limit: int = 100) -> list[DataChange]:
    """Changes recorded after the change `cursor` (0: from the start), oldest first."""
    statement = (
        select(DataChange)
        .where(DataChange.id > cursor)  # type: ignore[operator]
        .order_by(DataChange.id)  # type: ignore[arg-type]
        .limit(limit)
    )
    return list(session.exec(statement))


def cursor_issued(session: Session, cursor: int) -> bool:
    """Whether `cursor` is one the feed hands out: 0 (the start) or a recorded change's id.

    One past the last change, or any id never recorded (a database rebuilt since the
    client synced, a client's own invention), is not."""
    if cursor == 0:
        return True
    last = session.exec(select(func.max(DataChange.id))).one()
    # Past the last change (compared here: a huge cursor must not reach an integer column).
    if last is None or cursor > last:
        return False
    return session.get(DataChange, cursor) is not None


def version_row(session: Session) -> tuple[int, datetime | None]:
    """(the data version, when it last changed), read once per session and kept in
    `session.info`: a read session sees one snapshot, and the request's validators, its
    filters' catalogue and the services' per-version values all ask. Writers (app/store)
    never read it through here."""
    found = session.info.get(_VERSION_KEY)
    if found is None:
        found = session.info[_VERSION_KEY] = _version_of(session.execute(_VERSION_ROW).first())
    return found


def _version_of(row: Any) -> tuple[int, datetime | None]:
    return (row.version, row.updated_at) if row else (0, None)


def version_now(session: Session) -> tuple[int, datetime | None]:
    """The data version and when it last changed as committed now, for a revalidation:
    read before the session's snapshot begins where that saves round trips (Postgres:
    app.db.read_before_snapshot), else `version_row`. Not kept: a body read after it
    must be labelled by `version_row`, the snapshot's own."""
    rows = read_before_snapshot(session, _VERSION_ROW)  # None once the snapshot has begun
    return version_row(session) if rows is None else _version_of(rows[0] if rows else None)


_VERSION_KEY = "peel_version_row"
# A Core select of the table's columns: every computed read starts with it, and the ORM's
# `session.get` (identity map, instance loading) was a sixth of a cache-off list's CPU.
_VERSION_ROW = select(
    DataVersion.__table__.c.version,  # type: ignore[attr-defined]
    DataVersion.__table__.c.updated_at,  # type: ignore[attr-defined]
).where(DataVersion.__table__.c.id == 1)  # type: ignore[attr-defined]
