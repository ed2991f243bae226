"""Queries for judgments: filtered lists and a force's grade history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from app.models import Framework, Grade, Judgment, JudgmentCheck, Pillar, Question
from app.services.catalogue import Values, matching, values_of
from app.services.query import (
    LIMIT,
    OFFSET,
    cached_statement,
    judgments_with_grades,
    ordered,
    page,
    records,
    where_equal,
)

# The grade facet of judgments with no grade: carried over, the grade not known here.
NOT_AVAILABLE = "not-available"

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
    """None: not filtered; a value, or several (any of them matches)."""

    force: Values = None
    inspection: Values = None
    framework: Values = None
    pillar: Values = None
    question: Values = None
    level: str | None = None  # "pillar" | "question" | "area"
    area: Values = None
    grade: Values = None
    carried_over: bool | None = None
    last_inspected: Values = None


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


_J = Judgment.__table__.c  # type: ignore[attr-defined]
_G = Grade.__table__.c  # type: ignore[attr-defined]
_Q = Question.__table__.c  # type: ignore[attr-defined]
_P = Pillar.__table__.c  # type: ignore[attr-defined]
_C = JudgmentCheck.__table__.c  # type: ignore[attr-defined]
# Core columns (no ORM entities): a page's rows are plain tuples read by name.
_ROW_COLUMNS = (
    _J.id,
    _J.inspection_id,
    _J.force_id,
    _J.framework_id,
    _J.pillar_id,
    _J.question_id,
    _J.grade_id,
    _J.last_inspected,
    _J.carried_over,
    _J.carried_over_sentence,
    _J.source_url,
    _J.source_kind,
    _J.source_date,
    _G.name.label("grade_name"),
    _G.rank.label("grade_rank"),
    func.coalesce(_Q.name, _P.name).label("name"),
)
_SORT_COLUMNS: dict[str, Any] = {
    "inspection": _J.inspection_id,
    "force": _J.force_id,
    "framework": _J.framework_id,
    "pillar": _J.pillar_id,
    # NULL sorts first on SQLite and last on Postgres: compare '' instead, on both.
    "question": func.coalesce(_J.question_id, ""),
    "grade": func.coalesce(_G.rank, 99),
    "last_inspected": func.coalesce(_J.last_inspected, ""),
    "pillar_position": func.coalesce(_P.position, 0),
    "position": func.coalesce(_Q.position, 0),
}
_FILTER_COLUMNS: dict[str, Any] = {
    "force": _J.force_id,
    "inspection": _J.inspection_id,
    "framework": _J.framework_id,
    "pillar": _J.pillar_id,
    "question": _J.question_id,
    # `not-available` names the judgments with no grade (carried over, not known here).
    "grade": func.coalesce(_J.grade_id, NOT_AVAILABLE),
    "carried_over": _J.carried_over,
    "last_inspected": _J.last_inspected,
}


def _bound(column: Any, name: str, many: bool) -> Any:
    """`column = :name`, or `column IN (:name)` (expanding) for several values."""
    if many:
        return column.in_(bindparam(name, expanding=True))
    return column == bindparam(name)


def _shape(filters: JudgmentFilters) -> tuple[tuple[tuple[str, bool], ...], Any, str | None, dict]:
    """What shapes the filtered statement (given filters, each with whether it has
    several values; area: None, or whether it has several; level) and the values of its
    bound parameters."""
    values: dict[str, Any] = {}
    given: list[tuple[str, bool]] = []
    for name in (*_FILTER_COLUMNS, "area"):
        raw = getattr(filters, name)
        found = values_of(raw) if name != "carried_over" else None
        if raw is None:
            continue
        if found is not None and len(found) > 1:
            values[f"j_{name}"] = list(found)
            given.append((name, True))
        else:
            values[f"j_{name}"] = found[0] if found is not None else raw
            given.append((name, False))
    area = next((many for name, many in given if name == "area"), None)
    return tuple(g for g in given if g[0] != "area"), area, filters.level, values


def _core_filtered(
    statement: Any, given: tuple[tuple[str, bool], ...], area: Any, level: str | None
) -> Any:
    """`_filtered` on the table's Core columns, values as bound parameters."""
    for name, many in given:
        statement = statement.where(_bound(_FILTER_COLUMNS[name], f"j_{name}", many))
    if any(name == "question" for name, _ in given):
        statement = statement.where(_J.pillar_id.is_not(None))
    if area is not None:
        statement = statement.where(_bound(_J.question_id, "j_area", area), _J.pillar_id.is_(None))
    if level == "pillar":
        statement = statement.where(_J.question_id.is_(None))
    elif level == "question":
        statement = statement.where(_J.question_id.is_not(None), _J.pillar_id.is_not(None))
    elif level == "area":
        statement = statement.where(_J.pillar_id.is_(None))
    return statement


def _graded_core(statement: Any) -> Any:
    return (
        statement.outerjoin_from(
            Judgment.__table__,  # type: ignore[attr-defined]
            Grade.__table__,  # type: ignore[attr-defined]
            (_G.framework_id == _J.framework_id) & (_G.id == _J.grade_id),
        )
        .outerjoin(
            Question.__table__,  # type: ignore[attr-defined]
            (_Q.framework_id == _J.framework_id) & (_Q.id == _J.question_id),
        )
        .outerjoin(
            Pillar.__table__,  # type: ignore[attr-defined]
            (_P.framework_id == _J.framework_id) & (_P.id == _J.pillar_id),
        )
    )


def _page_statement(
    columns: Sequence[Any], shape: tuple[Any, ...], sort: tuple[tuple[str, bool], ...]
) -> Any:
    given, area, level = shape
    clauses = [
        _SORT_COLUMNS[name].desc() if descending else _SORT_COLUMNS[name].asc()
        for name, descending in sort
    ]
    return (
        _core_filtered(_graded_core(select(*columns)), given, area, level)
        .order_by(*clauses, _J.id)
        .limit(LIMIT)
        .offset(OFFSET)
    )


def judgment_rows(
    session: Session,
    filters: JudgmentFilters,
    *,
    sort: Sequence[tuple[str, bool]],
    limit: int,
    offset: int,
    count: int | None = None,
) -> tuple[list[Any], int, dict[str, list[Any]]]:
    """`list_judgments` and `checks_of` as Core rows: (the page's rows, with the
    judgment's columns, `grade_name`, `grade_rank` and `name`; the count of all, unless
    given (the grade facets add up to it); the page's checks by judgment id). Statements
    are kept per shape (app.services.query.cached_statement)."""
    given, area, level, values = _shape(filters)
    shape = (given, area, level)
    connection = session.connection()
    if count is None:
        counted = cached_statement(
            ("judgments.count", shape),
            lambda: _core_filtered(
                select(func.count()).select_from(Judgment.__table__),  # type: ignore[attr-defined]
                given,
                area,
                level,
            ),
        )
        count = connection.execute(counted, values).scalar_one()
    if count <= offset:
        return [], count, {}
    order = tuple(sort)
    statement = cached_statement(
        ("judgments.page", shape, order), lambda: _page_statement(_ROW_COLUMNS, shape, order)
    )
    params = {**values, "page_limit": limit, "page_offset": offset}
    rows = records(connection.execute(statement, params))
    checks: dict[str, list[Any]] = {}
    if rows:
        # The checks of the page's judgments: the page's statement again as a subquery
        # (no list of ids to bind: one compiled statement whatever the page).
        checked = cached_statement(
            ("judgments.checks", shape, order),
            lambda: (
                select(
                    _C.judgment_id,
                    _C.source_url,
                    _C.grade_id,
                    _C.source_kind,
                    _C.source_date,
                    _C.superseded,
                )
                .where(_C.judgment_id.in_(_page_statement([_J.id], shape, order).scalar_subquery()))
                .order_by(
                    _C.judgment_id, func.coalesce(_C.source_date, ""), _C.source_url, _C.grade_id
                )
            ),
        )
        for check in records(connection.execute(checked, params)):
            checks.setdefault(check.judgment_id, []).append(check)
    return rows, count, checks


def _filtered(filters: JudgmentFilters, statement: Any = None) -> Any:
    statement = where_equal(
        _graded() if statement is None else statement,
        {"carried_over": filters.carried_over},
        {"carried_over": Judgment.carried_over},
    )
    for name, column in {
        "force": Judgment.force_id,
        "inspection": Judgment.inspection_id,
        "framework": Judgment.framework_id,
        "pillar": Judgment.pillar_id,
        "question": Judgment.question_id,
        "grade": func.coalesce(Judgment.grade_id, NOT_AVAILABLE),
        "last_inspected": Judgment.last_inspected,
    }.items():
        if getattr(filters, name) is not None:
            statement = statement.where(matching(column, getattr(filters, name)))
    # A question is graded under a pillar; an area (stored as a question) under none.
    if filters.question is not None:
        statement = statement.where(Judgment.pillar_id.is_not(None))
    if filters.area is not None:
        statement = statement.where(
            matching(Judgment.question_id, filters.area), Judgment.pillar_id.is_(None)
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
    given, area, level, values = _shape(filters)
    counted = cached_statement(
        ("judgments.facets", given, area, level),
        lambda: _core_filtered(
            select(_J.framework_id, _J.grade_id, func.count()).select_from(
                Judgment.__table__  # type: ignore[attr-defined]
            ),
            given,
            area,
            level,
        ).group_by(_J.framework_id, _J.grade_id),
    )
    facets: dict[str, dict[str, int]] = {}
    for scale, grade, n in sorted(
        session.connection().execute(counted, values).all(),
        key=lambda r: (r[0], -r[2], r[1] or ""),
    ):
        facets.setdefault(scale, {})[grade or NOT_AVAILABLE] = n
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
