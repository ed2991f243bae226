"""Every force's pillar grades in one framework: the national comparison grid."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from app.models import Force, Framework, Grade, Judgment, Pillar, Question
from app.services.catalogue import framework_catalogue
from app.services.coverage import CoverageFacts, coverage_facts
from app.services.query import judgments_with_grades


@dataclass
class FrameworkGrid:
    framework: Framework
    pillars: list[Pillar]
    areas: list[Question]  # frameworks organised in areas
    grades: list[Grade]  # the scale, best first
    forces: list[Force]
    cells: dict[tuple[str, str], tuple[Judgment, Grade]]  # (force, pillar or area) -> judgment
    coverage: dict[str, CoverageFacts]  # by force: area frameworks' counts and known grades


def framework_grid(session: Session, framework: Framework) -> FrameworkGrid:
    """A fixed number of queries whatever the number of forces."""
    grades, pillars, questions = framework_catalogue(session, framework.id)
    forces = session.execute(select(Force).order_by(Force.id)).scalars()
    # Pillar grades (question NULL), or area grades (pillar NULL).
    level = Judgment.question_id.is_(None) | Judgment.pillar_id.is_(None)
    judged = session.execute(
        judgments_with_grades().where(Judgment.framework_id == framework.id, level)
    ).all()
    facts = (
        coverage_facts(session, framework_id=framework.id) if framework.structure == "areas" else {}
    )
    return FrameworkGrid(
        framework=framework,
        pillars=pillars,
        areas=[q for q in questions if q.pillar_id is None],
        grades=grades,
        forces=list(forces),
        cells={(j.force_id, j.subject): (j, g) for j, g in judged},
        coverage={force: f for (force, _), f in facts.items()},
    )
