"""The data version: one counter bumped by every load that changes data.

Responses can be cached keyed by it (ETag), and `data_change` keeps one row per
change so integrators can sync from a change feed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from app.models import DataChange, DataVersion


def current_version(session: Session) -> int:
    row = session.get(DataVersion, 1)
    return row.version if row else 0


def record_change(
    session: Session,
    kind: str,
    *,
    inspection_id: str | None = None,
    content_sha256: str | None = None,
    version: int | None = None,
) -> int:
    """Bump the data version (once per `version`) and add a change row; returns the version.

    Pass the `version` a previous call returned to record several changes of one
    transaction under one version. Callers hold the write lock (app.db.begin_write).
    """
    now = datetime.now(UTC)
    if version is None:
        row = session.get(DataVersion, 1)
        if row is None:  # the migration inserts it; a schema made by create_all may not
            row = DataVersion(id=1, version=0)
            session.add(row)
        row.version += 1
        row.updated_at = now
        version = row.version
    session.add(
        DataChange(
            version=version,
            kind=kind,
            inspection_id=inspection_id,
            content_sha256=content_sha256,
            occurred_at=now,
        )
    )
    session.flush()
    return version


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
