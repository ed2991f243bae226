"""Queries for the reference catalogue: forces and frameworks, and the values filters name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from app.models import Force, Framework, Grade, Inspection, Judgment, Pillar, Question
from app.services.query import ordered, page

FORCE_SORTS = ("id", "name", "country")
FRAMEWORK_SORTS = ("id", "year_label", "name")


def list_forces(
    session: Session, *, sort: Sequence[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[Force], int]:
    columns = {"id": Force.id, "name": Force.name, "country": Force.country}
    statement = ordered(select(Force), sort, columns, Force.id)
    rows, count = page(session, statement, limit=limit, offset=offset)
    return [row[0] for row in rows], count


def get_force(session: Session, force_id: str) -> Force | None:
    return session.get(Force, force_id)


def list_frameworks(
    session: Session, *, sort: Sequence[tuple[str, bool]], limit: int, offset: int
) -> tuple[list[Framework], int]:
    columns = {"id": Framework.id, "year_label": Framework.year_label, "name": Framework.name}
    statement = ordered(select(Framework), sort, columns, Framework.id)
    rows, count = page(session, statement, limit=limit, offset=offset)
    return [row[0] for row in rows], count


def get_framework(session: Session, framework_id: str) -> Framework | None:
    return session.get(Framework, framework_id)


def framework_catalogue(
    session: Session, framework_id: str
) -> tuple[list[Grade], list[Pillar], list[Question]]:
    """A framework's grade scale (best first, ungraded last), pillars and questions."""
    grades = session.execute(
        select(Grade).where(Grade.framework_id == framework_id).order_by(Grade.position)
    ).scalars()
    pillars = session.execute(
        select(Pillar).where(Pillar.framework_id == framework_id).order_by(Pillar.position)
    ).scalars()
    questions = session.execute(
        select(Question)
        .where(Question.framework_id == framework_id)
        .order_by(Question.pillar_id, Question.position)
    ).scalars()
    return list(grades), list(pillars), list(questions)


# --- filter values: what a list filter may name ----------------------------------------

Values = str | Sequence[str] | None  # one value, any of several, or not filtered


def values_of(value: Values) -> tuple[str, ...] | None:
    """A filter's values as a tuple (None: not filtered)."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def matching(column: Any, value: Values) -> Any:
    """`column = value`, or `column IN (values)` for several."""
    values = values_of(value)
    assert values is not None
    return column == values[0] if len(values) == 1 else column.in_(values)


@dataclass(frozen=True)
class FilterValues:
    """Every value a filter may name, as stored: ids of forces, frameworks, pillars,
    questions (of a pillar), areas (questions of no pillar), grades (of any scale), the
    year labels (of frameworks and of `last_inspected`), and each inspection's
    `source_kind` (by id)."""

    forces: tuple[str, ...]
    frameworks: tuple[str, ...]
    pillars: tuple[str, ...]
    questions: tuple[str, ...]
    areas: tuple[str, ...]
    grades: tuple[str, ...]
    year_labels: tuple[str, ...]
    inspections: dict[str, str]


def filter_values(session: Session) -> FilterValues:
    """The catalogue's values, in a few small queries (callers cache it per data version)."""

    def ids(statement: Any) -> tuple[str, ...]:
        return tuple(sorted({row[0] for row in session.execute(statement) if row[0] is not None}))

    return FilterValues(
        forces=ids(select(Force.id)),
        frameworks=ids(select(Framework.id)),
        pillars=ids(select(Pillar.id)),
        questions=ids(select(Question.id).where(Question.pillar_id.is_not(None))),  # type: ignore[union-attr]
        areas=ids(select(Question.id).where(Question.pillar_id.is_(None))),  # type: ignore[union-attr]
        grades=ids(select(Grade.id)),
        year_labels=tuple(
            sorted({*ids(select(Framework.year_label)), *ids(select(Judgment.last_inspected))})
        ),
        inspections=dict(session.execute(select(Inspection.id, Inspection.source_kind)).all()),
    )
