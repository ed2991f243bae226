"""How much of a force's area-framework inspection is known here: the grade counts pages
state, and the grades held (app/ingest/grade_counts.py compares them)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import GradeCount, Judgment

Key = tuple[str, str]  # (force id, framework id)


@dataclass
class CoverageFacts:
    counts: list[GradeCount] = field(default_factory=list)  # by line of their file
    known: Counter[str] = field(default_factory=Counter)  # area grades held, per grade


def coverage_facts(
    session: Session, *, force_id: str | None = None, framework_id: str | None = None
) -> dict[Key, CoverageFacts]:
    """Counts and known area grades per (force, framework), in two queries."""
    counts = select(GradeCount).order_by(GradeCount.source_file, GradeCount.line)
    known = (
        select(Judgment.force_id, Judgment.framework_id, Judgment.grade_id, func.count())
        .where(Judgment.pillar_id.is_(None))
        .group_by(Judgment.force_id, Judgment.framework_id, Judgment.grade_id)
    )
    if force_id is not None:
        counts = counts.where(GradeCount.force_id == force_id)
        known = known.where(Judgment.force_id == force_id)
    if framework_id is not None:
        counts = counts.where(GradeCount.framework_id == framework_id)
        known = known.where(Judgment.framework_id == framework_id)
    facts: dict[Key, CoverageFacts] = {}
    for row in session.execute(counts).scalars():
        facts.setdefault((row.force_id, row.framework_id), CoverageFacts()).counts.append(row)
    for force, framework, grade, n in session.execute(known).all():
        facts.setdefault((force, framework), CoverageFacts()).known[grade] = n
    return facts
