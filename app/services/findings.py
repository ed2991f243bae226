"""Queries for findings sections and boxed items (areas for improvement, causes of
concern, recommendations)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from app.models import ActionItem, Finding, Inspection, Question
from app.services.query import ordered, page, where_equal

FINDING_SORTS = ("position", "inspection", "question", "page", "heading")
ITEM_SORTS = ("position", "inspection", "question", "kind", "page")


@dataclass
class Filters:
    force: str | None = None
    inspection: str | None = None
    pillar: str | None = None
    question: str | None = None
    kind: str | None = None


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
    statement = where_equal(
        _findings(),
        {
            "force": filters.force,
            "inspection": filters.inspection,
            "pillar": filters.pillar,
            "question": filters.question,
        },
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
    statement = where_equal(
        statement,
        vars(filters),
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
