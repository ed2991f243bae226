"""Queries for inspections and their report card."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Bundle
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
from app.services.catalogue import Values, matching
from app.services.coverage import CoverageFacts, coverage_facts
from app.services.judgments import JudgmentFilters, checks_of, list_judgments
from app.services.per_version import PerVersion
from app.services.query import joined_records, judgments_with_grades, ordered, page, records

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
    force: Values = None,
    framework: Values = None,
    sort: Sequence[tuple[str, bool]],
    limit: int,
    offset: int,
) -> tuple[list[InspectionRow], int]:
    """Inspections of `force` and `framework` (each: one, any of several, or None: all)."""
    statement = _with_names()
    if force is not None:
        statement = statement.where(matching(Inspection.force_id, force))
    if framework is not None:
        statement = statement.where(matching(Inspection.framework_id, framework))
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


_I = Inspection.__table__.c  # type: ignore[attr-defined]
_F = Force.__table__.c  # type: ignore[attr-defined]
_W = Framework.__table__.c  # type: ignore[attr-defined]
_J = Judgment.__table__.c  # type: ignore[attr-defined]
_G = Grade.__table__.c  # type: ignore[attr-defined]
_C = JudgmentCheck.__table__.c  # type: ignore[attr-defined]
_ID = bindparam("inspection_id")
_FRAMEWORK = bindparam("framework_id")
_CHECK = "check_"  # the label prefix of a judgment check's columns beside the judgment's


def _card_statements() -> dict[str, Any]:
    """The report card's statements, Core columns only (rows read by attribute like the
    ORM objects they stand for), built once: values go in as bound parameters."""
    return {
        "inspection": select(
            Bundle("inspection", *_I),
            Bundle("force", *_F),
            Bundle("framework", *_W),
        )
        .join_from(Inspection.__table__, Force.__table__, _F.id == _I.force_id)  # type: ignore[attr-defined]
        .join(Framework.__table__, _W.id == _I.framework_id)  # type: ignore[attr-defined]
        .where(_I.id == _ID),
        "scope": select(*ScopeEntry.__table__.c)  # type: ignore[attr-defined]
        .where(ScopeEntry.__table__.c.inspection_id == _ID)  # type: ignore[attr-defined]
        .order_by(ScopeEntry.__table__.c.position),  # type: ignore[attr-defined]
        "pillars": select(*Pillar.__table__.c)  # type: ignore[attr-defined]
        .where(Pillar.__table__.c.framework_id == _FRAMEWORK)  # type: ignore[attr-defined]
        .order_by(Pillar.__table__.c.position),  # type: ignore[attr-defined]
        "questions": select(*Question.__table__.c)  # type: ignore[attr-defined]
        .where(Question.__table__.c.framework_id == _FRAMEWORK)  # type: ignore[attr-defined]
        .order_by(Question.__table__.c.position),  # type: ignore[attr-defined]
        # A judgment's columns, its grade's rank (all a card shows of the grade) and each of
        # its checks (a row per check, the check's columns NULL where it has none).
        "judgments": select(*_J, _G.rank, *(c.label(_CHECK + c.name) for c in _C))
        .outerjoin_from(
            Judgment.__table__,  # type: ignore[attr-defined]
            Grade.__table__,  # type: ignore[attr-defined]
            (_G.framework_id == _J.framework_id) & (_G.id == _J.grade_id),
        )
        .outerjoin(JudgmentCheck.__table__, _C.judgment_id == _J.id)  # type: ignore[attr-defined]
        .where(_J.inspection_id == _ID)
        .order_by(_J.id, func.coalesce(_C.source_date, ""), _C.source_url, _C.grade_id),
        "summaries": select(*Summary.__table__.c).where(  # type: ignore[attr-defined]
            Summary.__table__.c.inspection_id == _ID  # type: ignore[attr-defined]
        ),
        # Findings (kind NULL) and boxed items counted in one round trip.
        "counts": union_all(
            select(Finding.question_id, literal(None, String).label("kind"), func.count())
            .where(Finding.inspection_id == _ID)
            .group_by(Finding.question_id),
            select(ActionItem.question_id, ActionItem.kind, func.count())
            .where(ActionItem.inspection_id == _ID)
            .group_by(ActionItem.question_id, ActionItem.kind),
        ),
    }


_CARD: dict[str, Any] = {}
# A framework's pillars and questions change only with the catalogue: read once per data
# version, not by every card (two round trips fewer on Postgres).
_STRUCTURES: PerVersion[tuple[list[Any], list[Any]]] = PerVersion(64)


def _card() -> dict[str, Any]:
    if not _CARD:
        _CARD.update(_card_statements())
    return _CARD


def report_card(session: Session, inspection_id: str) -> ReportCard | None:
    """The card's rows: Core rows with the attributes of the tables' models (a judgment
    pair is (row, row): the row also carries its grade's `rank`)."""
    statements = _card()
    found = session.execute(statements["inspection"], {"inspection_id": inspection_id}).first()
    if found is None:
        return None
    row = InspectionRow(*found)
    connection = session.connection()
    by_inspection = {"inspection_id": inspection_id}
    by_framework = {"framework_id": row.framework.id}
    judged: dict[str, tuple[Any, Any]] = {}
    checks: dict[str, list[Any]] = {}
    joined = connection.execute(statements["judgments"], by_inspection)
    for judgment, check in joined_records(joined, _CHECK):
        judged[judgment.subject] = (judgment, judgment)
        if check is not None:
            checks.setdefault(check.judgment_id, []).append(check)
    findings: Counter[str] = Counter()
    items: Counter[tuple[str, str]] = Counter()
    for question_id, kind, count in connection.execute(statements["counts"], by_inspection):
        if kind is None:
            findings[question_id] = count
        else:
            items[(question_id, kind)] = count
    pillars, questions = _STRUCTURES.get(
        session,
        row.framework.id,
        lambda: (
            records(connection.execute(statements["pillars"], by_framework)),
            records(connection.execute(statements["questions"], by_framework)),
        ),
    )
    facts = None
    if row.framework.structure == "areas":
        key = (row.force.id, row.framework.id)
        facts = coverage_facts(session, force_id=key[0], framework_id=key[1]).get(
            key, CoverageFacts()
        )
    return ReportCard(
        coverage=facts,
        row=row,
        scope=records(connection.execute(statements["scope"], by_inspection)),
        pillars=pillars,
        questions=questions,
        judgments=judged,
        checks=checks,
        summaries={
            s.subject: s
            for s in records(connection.execute(statements["summaries"], by_inspection))
        },
        findings=findings,
        items=items,
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
                .where(Judgment.force_id == force_id, Judgment.grade_id.is_not(None))
                .group_by(Judgment.framework_id)
            ).all()
        ),
    )
