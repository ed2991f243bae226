"""Writes of the data version and the change feed.

One counter (`data_version`, bumped by every load that changes data) and one
`data_change` row per change, written in the transaction of the change itself. Reading
them (the version, the feed) is app/services/data_version.py's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from app.models import DataChange, DataVersion


def stored_version(session: Session) -> int:
    """The data version as this write transaction sees it."""
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
