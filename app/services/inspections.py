"""Queries for inspections and their report card."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import (
    ActionItem,
    Finding,
    Force,
    Framework,
    Grade,
    Inspection,
    Judgment,
    JudgmentCheck,
    Pillar,
    Question,
    ScopeEntry,
    Summary,
)
from app.services.coverage import CoverageFacts, coverage_facts
from app.services.judgments import JudgmentFilters, checks_of, list_judgments
from app.services.query import judgments_with_grades, ordered, page, where_equal

INSPECTION_SORTS = ("id", "force", "framework", "published")


@dataclass
class InspectionRow:
    inspection: Inspection
    force: Force
    framework: Framework


def _with_names() -> Any:
    return (
        select(Inspection, Force, Framework)
        .join(Force, Force.id == Inspection.force_id)
        .join(Framework, Framework.id == Inspection.framework_id)
    )


def list_inspections(
    session: Session,
    *,
    force: str | None = None,
    framework: str | None = None,
    sort: Sequence[tuple[str, bool]],
    limit: int,
    offset: int,
) -> tuple[list[InspectionRow], int]:
    statement = where_equal(
        _with_names(),
        {"force": force, "framework": framework},
        {"force": Inspection.force_id, "framework": Inspection.framework_id},
    )
    columns = {
        "id": Inspection.id,
        "force": Inspection.force_id,
        "framework": Framework.year_label,
        "published": Inspection.published,
    }
    rows, count = page(
        session, ordered(statement, sort, columns, Inspection.id), limit=limit, offset=offset
    )
    return [InspectionRow(*row) for row in rows], count


def get_inspection(session: Session, inspection_id: str) -> InspectionRow | None:
    row = session.execute(_with_names().where(Inspection.id == inspection_id)).first()
    return InspectionRow(*row) if row else None


@dataclass
class ReportCard:
    """What a report card needs, loaded in a fixed number of queries."""

    row: InspectionRow
    scope: list[ScopeEntry]
    pillars: list[Pillar]
    questions: list[Question]
    judgments: dict[str, tuple[Judgment, Grade]]  # by subject (question or pillar id)
    summaries: dict[str, Summary]  # by subject
    checks: dict[str, list[JudgmentCheck]] = field(default_factory=dict)  # by judgment id
    findings: Counter[str] = field(default_factory=Counter)  # by question
    items: Counter[tuple[str, str]] = field(default_factory=Counter)  # by (question, kind)
    coverage: CoverageFacts | None = None  # area frameworks: counts and known grades


def report_card(session: Session, inspection_id: str) -> ReportCard | None:
    row = get_inspection(session, inspection_id)
    if row is None:
        return None
    framework_id = row.framework.id
    scope = session.execute(
        select(ScopeEntry)
        .where(ScopeEntry.inspection_id == inspection_id)
        .order_by(ScopeEntry.position)
    ).scalars()
    pillars = session.execute(
        select(Pillar).where(Pillar.framework_id == framework_id).order_by(Pillar.position)
    ).scalars()
    questions = session.execute(
        select(Question).where(Question.framework_id == framework_id).order_by(Question.position)
    ).scalars()
    judgments = session.execute(
        judgments_with_grades().where(Judgment.inspection_id == inspection_id)
    ).all()
    summaries = session.execute(
        select(Summary).where(Summary.inspection_id == inspection_id)
    ).scalars()
    finding_counts = session.execute(
        select(Finding.question_id, func.count())
        .where(Finding.inspection_id == inspection_id)
        .group_by(Finding.question_id)
    ).all()
    item_counts = session.execute(
        select(ActionItem.question_id, ActionItem.kind, func.count())
        .where(ActionItem.inspection_id == inspection_id)
        .group_by(ActionItem.question_id, ActionItem.kind)
    ).all()
    judged = {j.subject: (j, g) for j, g in judgments}
    facts = None
    if row.framework.structure == "areas":
        key = (row.force.id, framework_id)
        facts = coverage_facts(session, force_id=key[0], framework_id=key[1]).get(
            key, CoverageFacts()
        )
    return ReportCard(
        coverage=facts,
        row=row,
        scope=list(scope),
        pillars=list(pillars),
        questions=list(questions),
        judgments=judged,
        checks=checks_of(session, [j.id for j, _ in judged.values()]),
        summaries={s.subject: s for s in summaries},
        findings=Counter({question: n for question, n in finding_counts}),
        items=Counter({(question, kind): n for question, kind, n in item_counts}),
    )


@dataclass
class LatestGrades:
    """A force's most recent inspection and its pillar judgments (by pillar id)."""

    row: InspectionRow
    pillars: dict[str, tuple[Judgment, Grade]]


def latest_by_force(session: Session) -> dict[str, LatestGrades]:
    """Each force's latest inspection (by framework year, then publication) with its
    pillar grades, in two queries whatever the number of forces."""
    latest: dict[str, InspectionRow] = {}
    for row in session.execute(_with_names()).all():
        found = InspectionRow(*row)
        held = latest.get(found.force.id)
        if held is None or _recency(found) > _recency(held):
            latest[found.force.id] = found
    if not latest:
        return {}
    ids = [row.inspection.id for row in latest.values()]
    pillar_judgments = session.execute(
        judgments_with_grades().where(
            Judgment.inspection_id.in_(ids), Judgment.question_id.is_(None)
        )
    ).all()
    answer = {force: LatestGrades(row, {}) for force, row in latest.items()}
    for judgment, grade in pillar_judgments:
        answer[judgment.force_id].pillars[judgment.pillar_id] = (judgment, grade)
    return answer


def _recency(row: InspectionRow) -> tuple[str, str]:
    # Year labels ('2014', '2018/19', '2021/22', '2023-25') sort in time order as text.
    published = row.inspection.published
    return row.framework.year_label, published.isoformat() if published else ""


@dataclass
class ForceCycles:
    """What is held of one force in every framework, and the judgments of its latest
    inspection in each family (pillars; areas)."""

    frameworks: list[Framework]  # newest first
    held: dict[str, InspectionRow]  # by framework id
    latest: dict[str, InspectionRow]  # by family ('pillars', 'areas')
    judgments: dict[str, list[tuple[Judgment, Grade, str]]]  # by inspection id
    checks: dict[str, list[JudgmentCheck]]  # by judgment id
    coverage: dict[str, CoverageFacts]  # by framework id
    grades_held: dict[str, int]  # judgments held, by framework id


def force_cycles(session: Session, force_id: str) -> ForceCycles:
    frameworks = list(
        session.execute(select(Framework).order_by(Framework.year_label.desc())).scalars()
    )
    rows, _ = list_inspections(session, force=force_id, sort=[], limit=1000, offset=0)
    held = {row.framework.id: row for row in rows}
    latest: dict[str, InspectionRow] = {}
    for framework in frameworks:  # newest first: the first held of a family is its latest
        if framework.id in held:
            latest.setdefault(framework.structure, held[framework.id])
    judgments: dict[str, list[tuple[Judgment, Grade, str]]] = {}
    for row in latest.values():
        found, _ = list_judgments(
            session,
            JudgmentFilters(inspection=row.inspection.id),
            sort=[("pillar_position", False), ("position", False)],
            limit=1000,
            offset=0,
        )
        judgments[row.inspection.id] = found
    ids = [j.id for found in judgments.values() for j, _, _ in found]
    facts = coverage_facts(session, force_id=force_id)
    return ForceCycles(
        frameworks=frameworks,
        held=held,
        latest=latest,
        judgments=judgments,
        checks=checks_of(session, ids),
        coverage={framework: f for (_, framework), f in facts.items()},
        grades_held=dict(
            session.execute(
                select(Judgment.framework_id, func.count())
                .where(Judgment.force_id == force_id)
                .group_by(Judgment.framework_id)
            ).all()
        ),
    )
