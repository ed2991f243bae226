"""Queries for findings sections and boxed items (areas for improvement, causes of
concern, recommendations)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.models import ActionItem, Finding, Inspection, Question
from app.services.catalogue import Values, matching, values_of
from app.services.query import LIMIT, OFFSET, cached_statement, ordered, page, records

FINDING_SORTS = ("position", "inspection", "question", "page", "heading")
ITEM_SORTS = ("position", "inspection", "question", "kind", "page")


@dataclass
class Filters:
    """None: not filtered; a value, or several (any of them matches)."""

    force: Values = None
    inspection: Values = None
    pillar: Values = None
    question: Values = None
    kind: Values = None


def _where_matching(statement: Any, filters: Filters, columns: dict[str, Any]) -> Any:
    for name, column in columns.items():
        value = getattr(filters, name)
        if value is not None:
            statement = statement.where(matching(column, value))
    return statement


@dataclass
class FindingRow:
    finding: Finding
    force: str
    pillar: str | None


def _findings() -> object:
    return (
        select(Finding, Inspection.force_id, Question.pillar_id)
        .join(Inspection, Inspection.id == Finding.inspection_id)
        .join(
            Question,
            (Question.framework_id == Finding.framework_id) & (Question.id == Finding.question_id),
        )
    )


def list_findings(
    session: Session, filters: Filters, *, sort: Sequence[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[FindingRow], int]:
    statement = _where_matching(
        _findings(),
        filters,
        {
            "force": Inspection.force_id,
            "inspection": Finding.inspection_id,
            "pillar": Question.pillar_id,
            "question": Finding.question_id,
        },
    )
    columns = {
        "position": Finding.position,
        "inspection": Finding.inspection_id,
        "question": Finding.question_id,
        "page": Finding.page,
        "heading": Finding.heading,
    }
    statement = ordered(statement, sort, columns, Finding.id)
    rows, count = page(session, statement, limit=limit, offset=offset)
    return [FindingRow(*row) for row in rows], count


_TABLES = (Finding.__table__, Inspection.__table__, Question.__table__)  # type: ignore[attr-defined]
_F = Finding.__table__.c  # type: ignore[attr-defined]
_I = Inspection.__table__.c  # type: ignore[attr-defined]
_Q = Question.__table__.c  # type: ignore[attr-defined]
_FINDING_FILTERS = {
    "force": _I.force_id,
    "inspection": _F.inspection_id,
    "pillar": _Q.pillar_id,
    "question": _F.question_id,
}
_FINDING_SORTS = {
    "position": _F.position,
    "inspection": _F.inspection_id,
    "question": _F.question_id,
    "page": _F.page,
    "heading": _F.heading,
}


def _finding_joins(statement: Any, given: tuple[tuple[str, bool], ...]) -> Any:
    finding, inspection, question = _TABLES
    statement = statement.select_from(
        finding.join(inspection, _I.id == _F.inspection_id).join(
            question, (_Q.framework_id == _F.framework_id) & (_Q.id == _F.question_id)
        )
    )
    for name, many in given:
        column = _FINDING_FILTERS[name]
        if many:  # several values: IN, one expanding parameter
            statement = statement.where(column.in_(bindparam(f"f_{name}", expanding=True)))
        else:
            statement = statement.where(column == bindparam(f"f_{name}"))
    return statement


def finding_rows(
    session: Session, filters: Filters, *, sort: Sequence[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[Any], int]:
    """`list_findings` as Core rows (the finding's columns, `force_id`, `pillar_id`), in
    statements kept per shape (app.services.query.cached_statement)."""
    values: dict[str, Any] = {}
    given_names: list[tuple[str, bool]] = []
    for name in _FINDING_FILTERS:
        found = values_of(getattr(filters, name))
        if found is not None:
            many = len(found) > 1
            values[f"f_{name}"] = list(found) if many else found[0]
            given_names.append((name, many))
    given = tuple(given_names)
    connection = session.connection()
    counted = cached_statement(
        ("findings.count", given), lambda: _finding_joins(select(func.count()), given)
    )
    count = connection.execute(counted, values).scalar_one()
    if count <= offset:
        return [], count
    order = tuple(sort)

    def build() -> Any:
        statement = _finding_joins(
            select(
                _F.id,
                _F.inspection_id,
                _F.question_id,
                _F.heading,
                _F.position,
                _F.page,
                _F.paragraphs,
                _F.start_line,
                _F.end_line,
                _I.force_id,
                _Q.pillar_id,
            ),
            given,
        )
        clauses = [
            _FINDING_SORTS[name].desc() if descending else _FINDING_SORTS[name].asc()
            for name, descending in order
        ]
        return statement.order_by(*clauses, _F.id).limit(LIMIT).offset(OFFSET)

    statement = cached_statement(("findings.page", given, order), build)
    params = {**values, "page_limit": limit, "page_offset": offset}
    return records(connection.execute(statement, params)), count


def get_finding(session: Session, finding_id: str) -> FindingRow | None:
    row = session.execute(_findings().where(Finding.id == finding_id)).first()
    return FindingRow(*row) if row else None


@dataclass
class ItemRow:
    item: ActionItem
    force: str
    pillar: str | None
    cause: ActionItem | None


def list_items(
    session: Session, filters: Filters, *, sort: Sequence[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[ItemRow], int]:
    cause = aliased(ActionItem)
    statement = (
        select(ActionItem, Inspection.force_id, Question.pillar_id, cause)
        .join(Inspection, Inspection.id == ActionItem.inspection_id)
        .join(
            Question,
            (Question.framework_id == ActionItem.framework_id)
            & (Question.id == ActionItem.question_id),
        )
        .outerjoin(cause, cause.id == ActionItem.answers_id)
    )
    statement = _where_matching(
        statement,
        filters,
        {
            "kind": ActionItem.kind,
            "force": Inspection.force_id,
            "inspection": ActionItem.inspection_id,
            "pillar": Question.pillar_id,
            "question": ActionItem.question_id,
        },
    )
    columns = {
        "position": ActionItem.position,
        "inspection": ActionItem.inspection_id,
        "question": ActionItem.question_id,
        "kind": ActionItem.kind,
        "page": ActionItem.page,
    }
    statement = ordered(statement, sort, columns, ActionItem.id)
    rows, count = page(session, statement, limit=limit, offset=offset)
    return [ItemRow(*row) for row in rows], count
