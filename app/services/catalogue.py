"""Queries for the reference catalogue: forces and frameworks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session

from app.models import Force, Framework, Grade, Pillar, Question
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
