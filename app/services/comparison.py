"""Every force's pillar grades in one framework: the national comparison grid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.models import Force, Framework, Grade, Judgment, Pillar
from app.services.catalogue import framework_catalogue
from app.services.query import judgments_with_grades


@dataclass
class FrameworkGrid:
    framework: Framework
    pillars: list[Pillar]
    grades: list[Grade]  # the scale, best first
    forces: list[Force]
    cells: dict[tuple[str, str], tuple[Judgment, Grade]]  # (force, pillar) -> judgment


def framework_grid(session: Session, framework: Framework) -> FrameworkGrid:
    """A fixed number of queries whatever the number of forces."""
    grades, pillars, _ = framework_catalogue(session, framework.id)
    forces = session.execute(select(Force).order_by(Force.id)).scalars()
    judged = session.execute(
        judgments_with_grades().where(
            Judgment.framework_id == framework.id, Judgment.question_id.is_(None)
        )
    ).all()
    return FrameworkGrid(
        framework=framework,
        pillars=pillars,
        grades=grades,
        forces=list(forces),
        cells={(j.force_id, j.pillar_id): (j, g) for j, g in judged},
    )
