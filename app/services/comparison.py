"""Every force's pillar (question, or area) grades in one framework: the national
comparison grid."""

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
    questions: list[Question]  # the graded questions of a pillar framework, pillars' order
    level: str  # what the cells grade: "pillar", "question" or "area"
    grades: list[Grade]  # the scale, best first
    forces: list[Force]
    # (force, pillar, question or area) -> judgment; Grade None: carried over, not known
    cells: dict[tuple[str, str], tuple[Judgment, Grade | None]]
    coverage: dict[str, CoverageFacts]  # by force: area frameworks' counts and known grades


def default_level(framework: Framework) -> str:
    return "area" if framework.structure == "areas" else "pillar"


def framework_grid(
    session: Session, framework: Framework, level: str | None = None
) -> FrameworkGrid:
    """A fixed number of queries whatever the number of forces. `level`: the framework's
    pillars (the default of a pillar framework) or questions, or its areas."""
    level = level or default_level(framework)
    grades, pillars, questions = framework_catalogue(session, framework.id)
    forces = session.execute(select(Force).order_by(Force.id)).scalars()
    if level == "question":
        of_level = Judgment.question_id.is_not(None) & Judgment.pillar_id.is_not(None)
    else:  # pillar grades (question NULL), or area grades (pillar NULL)
        of_level = Judgment.question_id.is_(None) | Judgment.pillar_id.is_(None)
    judged = session.execute(
        judgments_with_grades().where(Judgment.framework_id == framework.id, of_level)
    ).all()
    position = {p.id: p.position for p in pillars}
    facts = (
        coverage_facts(session, framework_id=framework.id) if framework.structure == "areas" else {}
    )
    return FrameworkGrid(
        framework=framework,
        pillars=pillars,
        areas=[q for q in questions if q.pillar_id is None],
        questions=sorted(
            (q for q in questions if q.pillar_id is not None and q.graded),
            key=lambda q: (position.get(q.pillar_id, 0), q.position),
        ),
        level=level,
        grades=grades,
        forces=list(forces),
        cells={(j.force_id, j.subject): (j, g) for j, g in judged},
        coverage={force: f for (force, _), f in facts.items()},
    )
