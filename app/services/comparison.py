"""Every force's pillar grades in one framework: the national comparison grid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.models import Force, Framework, Grade, Judgment, Pillar


@dataclass
class FrameworkGrid:
    framework: Framework
    pillars: list[Pillar]
    grades: list[Grade]  # the scale, best first
    forces: list[Force]
    cells: dict[tuple[str, str], tuple[Judgment, Grade]]  # (force, pillar) -> judgment


def framework_grid(session: Session, framework: Framework) -> FrameworkGrid:
    """Three queries whatever the number of forces: pillars and scale, forces, judgments."""
    pillars = session.execute(
        select(Pillar).where(Pillar.framework_id == framework.id).order_by(Pillar.position)
    ).scalars()
    grades = session.execute(
        select(Grade).where(Grade.framework_id == framework.id).order_by(Grade.position)
    ).scalars()
    forces = session.execute(select(Force).order_by(Force.id)).scalars()
    judged = session.execute(
        select(Judgment, Grade)
        .join(
            Grade,
            (Grade.framework_id == Judgment.framework_id) & (Grade.id == Judgment.grade_id),
        )
        .where(Judgment.framework_id == framework.id, Judgment.question_id.is_(None))
    ).all()
    return FrameworkGrid(
        framework=framework,
        pillars=list(pillars),
        grades=list(grades),
        forces=list(forces),
        cells={(j.force_id, j.pillar_id): (j, g) for j, g in judged},
    )
