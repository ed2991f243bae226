"""Rows as plain dicts: the helpers every loader uses to compare and write rows.

Rows are keyed by their primary key (natural keys, so a source loaded again produces
the same keys) and inserted through `insert_rows`, the one place loaders add rows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session, SQLModel

from app.models import Judgment, JudgmentCheck

Row = dict[str, Any]


def table_of(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def complete(model: type[SQLModel], values: Row) -> Row:
    """`values` with every column of `model` present (missing ones None), nothing else."""
    return {column.name: values.get(column.name) for column in table_of(model).columns}


def primary_key(model: type[SQLModel], row: Row) -> tuple[Any, ...]:
    return tuple(row[column.name] for column in table_of(model).primary_key.columns)


def stored_rows(session: Session, model: type[SQLModel], *where: Any) -> dict[tuple, Row]:
    """Rows of `model` matching `where`, as plain dicts keyed by primary key."""
    result = session.execute(select(table_of(model)).where(*where)).mappings()
    return {primary_key(model, dict(row)): dict(row) for row in result}


def insert_rows(session: Session, model: type[SQLModel], rows: list[Row]) -> int:
    """Insert `rows` in the order given; the single place the loaders add rows."""
    if rows:
        session.execute(insert(table_of(model)), rows)
    return len(rows)


def stored_checks(session: Session, inspection_id: str) -> dict[tuple, Row]:
    """Other sources' checks of this inspection's judgments (app/store/grade_load.py),
    keyed by (judgment id, source url). Not the report's content: kept across a reload of
    it (judgment ids are natural keys, so they find their judgments again)."""
    checks, judgments = table_of(JudgmentCheck), table_of(Judgment)
    of_inspection = select(judgments.c.id).where(judgments.c.inspection_id == inspection_id)
    return stored_rows(session, JudgmentCheck, checks.c.judgment_id.in_(of_inspection))
