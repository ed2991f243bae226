"""Writes of the data version and the change feed.

One counter (`data_version`, bumped by every load that changes data) and one
`data_change` row per change, written in the transaction of the change itself. Reading
them (the version, the feed) is app/services/data_version.py's.

On Postgres the bump also sends `NOTIFY peel_data_version, '<version>'` in the same
transaction: delivered when (and only if) it commits, it tells every worker listening
(app/api/http_cache.py, VersionClock) to re-read the version at once.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session

from app.models import DataChange, DataVersion

VERSION_CHANNEL = "peel_data_version"  # the Postgres channel a version bump is notified on


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
    On Postgres a bump is notified on VERSION_CHANNEL (sent at commit, never on rollback).
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
        if session.get_bind().dialect.name == "postgresql":
            session.execute(
                text("SELECT pg_notify(:channel, :version)"),
                {"channel": VERSION_CHANNEL, "version": str(version)},
            )
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
