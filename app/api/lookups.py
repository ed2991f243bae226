"""Path lookups as dependencies: each validates an id and answers 404 when it is unknown."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from app.api.deps import SessionDep
from app.api.problems import not_found
from app.models import Force, Framework
from app.services import catalogue

SLUG = r"^[a-z0-9][a-z0-9-]{0,80}$"


def force_or_404(
    session: SessionDep,
    force_id: Annotated[
        str,
        Path(
            pattern=SLUG,
            description="A police.uk force id (lowercase letters, digits and hyphens), e.g. "
            "`west-midlands`.",
            examples=["west-midlands"],
        ),
    ],
) -> Force:
    force = catalogue.get_force(session, force_id)
    if force is None:
        raise not_found("force", force_id)
    return force


def framework_or_404(
    session: SessionDep,
    framework_id: Annotated[
        str,
        Path(
            pattern=SLUG,
            description="A framework id (lowercase letters, digits and hyphens), e.g. "
            "`peel-2018-19`.",
            examples=["peel-2018-19"],
        ),
    ],
) -> Framework:
    framework = catalogue.get_framework(session, framework_id)
    if framework is None:
        raise not_found("framework", framework_id)
    return framework


ForceDep = Annotated[Force, Depends(force_or_404)]
FrameworkDep = Annotated[Framework, Depends(framework_or_404)]
