"""Path lookups as dependencies: each validates an id and answers 404 when it is unknown."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from sqlmodel import Session

from app.api.deps import SessionDep
from app.api.problems import ProblemError, not_found
from app.models import Force, Framework, Inspection
from app.services import catalogue

SLUG = r"^[a-z0-9][a-z0-9-]{0,80}$"


def force_or_404(
    session: SessionDep,
    force_id: Annotated[
        str, Path(pattern=SLUG, description="A police.uk force id.", examples=["west-midlands"])
    ],
) -> Force:
    force = catalogue.get_force(session, force_id)
    if force is None:
        raise not_found("force", force_id)
    return force


def framework_or_404(
    session: SessionDep,
    framework_id: Annotated[str, Path(pattern=SLUG, examples=["peel-2018-19"])],
) -> Framework:
    framework = catalogue.get_framework(session, framework_id)
    if framework is None:
        raise not_found("framework", framework_id)
    return framework


ForceDep = Annotated[Force, Depends(force_or_404)]
FrameworkDep = Annotated[Framework, Depends(framework_or_404)]


def require_findings_held(session: Session, inspection_id: str | None) -> None:
    """A 404 problem when the inspection filtered on holds grades only (built from
    assessment pages): an empty list would read as "no findings"."""
    if inspection_id is None:
        return
    inspection = session.get(Inspection, inspection_id)
    if inspection is not None and inspection.source_kind != "report":
        raise ProblemError(
            404,
            "findings-not-held",
            f"Inspection {inspection_id!r} is built from HMICFRS assessment pages, which "
            "state grades only: no findings text or recommendations are held for it.",
        )
