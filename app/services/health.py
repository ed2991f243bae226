"""Readiness: is the database reachable, migrated and loaded?"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from app.models import Inspection
from app.services.data_version import current_version


def readiness(session: Session) -> tuple[bool, str, int | None]:
    """(ready, a sentence for people, the data version)."""
    try:
        inspections = session.execute(select(func.count()).select_from(Inspection)).scalar_one()
        version = current_version(session)
    except SQLAlchemyError:
        return False, "The database cannot be reached or has no schema yet.", None
    if inspections == 0:
        return False, "No inspection is loaded yet.", version
    return True, f"{inspections} inspections loaded.", version
