"""Queries for judgments: filtered lists and a force's grade history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from app.models import Framework, Grade, Judgment, JudgmentCheck, Pillar, Question
from app.services.query import judgments_with_grades, ordered, page, where_equal

JUDGMENT_SORTS = (
    "inspection",
    "force",
    "framework",
    "pillar",
    "question",
    "grade",
    "last_inspected",
)


@dataclass
class JudgmentFilters:
    force: str | None = None
    inspection: str | None = None
    framework: str | None = None
    pillar: str | None = None
    question: str | None = None
    level: str | None = None  # "pillar" | "question" | "area"
    area: str | None = None
    grade: str | None = None
    carried_over: bool | None = None
    last_inspected: str | None = None


def _graded() -> Any:
    """Judgments with their grade and the name of what they grade (pillar, question or
    area)."""
    return (
        judgments_with_grades(func.coalesce(Question.name, Pillar.name))
        .outerjoin(
            Question,
            (Question.framework_id == Judgment.framework_id)
            & (Question.id == Judgment.question_id),
        )
        .outerjoin(
            Pillar,
            (Pillar.framework_id == Judgment.framework_id) & (Pillar.id == Judgment.pillar_id),
        )
    )


def level_of(judgment: Judgment) -> str:
    if judgment.pillar_id is None:
        return "area"
    return "pillar" if judgment.question_id is None else "question"


def list_judgments(
    session: Session,
    filters: JudgmentFilters,
    *,
    sort: Sequence[tuple[str, bool]],
    limit: int,
    offset: int,
) -> tuple[list[tuple[Judgment, Grade, str]], int]:
    """(judgment, grade, name of what it grades) of one page, and the count of all."""
    statement = _filtered(filters)
    columns = {
        "inspection": Judgment.inspection_id,
        "force": Judgment.force_id,
        "framework": Judgment.framework_id,
        "pillar": Judgment.pillar_id,
        # NULL sorts first on SQLite and last on Postgres: compare '' instead, on both.
        "question": func.coalesce(Judgment.question_id, ""),
        "grade": func.coalesce(Grade.rank, 99),
        "last_inspected": func.coalesce(Judgment.last_inspected, ""),
        # Not offered to clients: the catalogue's order, for a report card's reading.
        "pillar_position": func.coalesce(Pillar.position, 0),
        "position": func.coalesce(Question.position, 0),
    }
    rows, count = page(
        session, ordered(statement, sort, columns, Judgment.id), limit=limit, offset=offset
    )
    return [(row[0], row[1], row[2]) for row in rows], count


def _filtered(filters: JudgmentFilters, statement: Any = None) -> Any:
    statement = where_equal(
        _graded() if statement is None else statement,
        {name: value for name, value in vars(filters).items() if name not in ("level", "area")},
        {
            "force": Judgment.force_id,
            "inspection": Judgment.inspection_id,
            "framework": Judgment.framework_id,
            "pillar": Judgment.pillar_id,
            "question": Judgment.question_id,
            "grade": Judgment.grade_id,
            "carried_over": Judgment.carried_over,
            "last_inspected": Judgment.last_inspected,
        },
    )
    # A question is graded under a pillar; an area (stored as a question) under none.
    if filters.question is not None:
        statement = statement.where(Judgment.pillar_id.is_not(None))
    if filters.area is not None:
        statement = statement.where(
            Judgment.question_id == filters.area, Judgment.pillar_id.is_(None)
        )
    if filters.level == "pillar":
        statement = statement.where(Judgment.question_id.is_(None))
    elif filters.level == "question":
        statement = statement.where(
            Judgment.question_id.is_not(None), Judgment.pillar_id.is_not(None)
        )
    elif filters.level == "area":
        statement = statement.where(Judgment.pillar_id.is_(None))
    return statement


def grade_facets(session: Session, filters: JudgmentFilters) -> dict[str, dict[str, int]]:
    """Judgments matching `filters` (over every page) per scale, then per grade, most
    first: grades of different frameworks are never added together."""
    counted = _filtered(
        filters, select(Judgment.framework_id, Judgment.grade_id, func.count())
    ).group_by(Judgment.framework_id, Judgment.grade_id)
    facets: dict[str, dict[str, int]] = {}
    for scale, grade, n in sorted(
        session.execute(counted).all(), key=lambda r: (r[0], -r[2], r[1])
    ):
        facets.setdefault(scale, {})[grade] = n
    return facets


@dataclass
class HistoryEntry:
    judgment: Judgment
    grade: Grade
    framework: Framework
    name: str


def force_history(session: Session, force_id: str) -> list[HistoryEntry]:
    """Every judgment of one force with the subject's name: pillars and their questions
    first (by position), then areas (by position); each subject oldest framework first."""
    rows = session.execute(
        _graded()
        .add_columns(Framework)
        .join(Framework, Framework.id == Judgment.framework_id)
        .where(Judgment.force_id == force_id)
        .order_by(
            Judgment.pillar_id.is_(None),
            Pillar.position,
            Question.position.nulls_first(),
            Framework.year_label,
        )
    ).all()
    return [
        HistoryEntry(judgment, grade, framework, name) for judgment, grade, name, framework in rows
    ]


def checks_of(session: Session, judgment_ids: Sequence[str]) -> dict[str, list[JudgmentCheck]]:
    """Other sources' checks of these judgments, by judgment id, in one query."""
    if not judgment_ids:
        return {}
    rows = session.execute(
        select(JudgmentCheck)
        .where(JudgmentCheck.judgment_id.in_(list(judgment_ids)))
        .order_by(
            JudgmentCheck.judgment_id,
            func.coalesce(JudgmentCheck.source_date, ""),
            JudgmentCheck.source_url,
            JudgmentCheck.grade_id,
        )
    ).scalars()
    found: dict[str, list[JudgmentCheck]] = {}
    for check in rows:
        found.setdefault(check.judgment_id, []).append(check)
    return found
