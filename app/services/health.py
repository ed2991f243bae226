"""Readiness: is the database reachable, migrated to the code's head, and loaded?"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.db import current_revision, head_revision
from app.models import Inspection
from app.services.data_version import current_version


def readiness(session: Session) -> tuple[bool, str, int | None]:
    """(ready, a sentence for people, the data version): the database answers, its
    schema is at the code's head revision, and it holds an inspection."""
    try:
        revision = current_revision(session.connection())
        if revision != head_revision():
            return (
                False,
                f"The database schema is at revision {revision or 'none'}, not "
                f"{head_revision()}: run `peel migrate`.",
                None,
            )
        inspections = session.execute(select(func.count()).select_from(Inspection)).scalar_one()
        version = current_version(session)
    except SQLAlchemyError:
        return False, "The database cannot be reached or has no schema yet.", None
    if inspections == 0:
        return False, "No inspection is loaded yet.", version
    return True, f"{inspections} inspections loaded.", version
