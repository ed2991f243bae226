"""Findings sections and boxed items (areas for improvement, causes of concern,
recommendations): presenters and list sources."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from app import schemas
from app.models import ActionItem, Finding
from app.resources.source import SortFields, Source, sort_fields
from app.resources.urls import urls
from app.services import findings
from app.services.findings import Filters, FindingRow, ItemRow

FINDING_SORTS = findings.FINDING_SORTS
ITEM_SORTS = findings.ITEM_SORTS
DEFAULT_SORT = "inspection,position"


def finding(row: FindingRow) -> schemas.FindingPublic:
    f: Finding = row.finding
    return schemas.FindingPublic(
        id=f.id,
        inspection=f.inspection_id,
        force=row.force,
        pillar=row.pillar,
        question=f.question_id,
        heading=f.heading,
        position=f.position,
        page=f.page,
        paragraphs=list(f.paragraphs),
        source_lines=schemas.SourceLines(start=f.start_line, end=f.end_line),
        href=urls.finding(f.id),
    )


def finding_dict(row: Any) -> dict[str, Any]:
    """`finding` of a Core row (`findings.finding_rows`) as the JSON object of
    `FindingPublic` (its fields, in its order), without building the model."""
    return {
        "id": row.id,
        "inspection": row.inspection_id,
        "force": row.force_id,
        "pillar": row.pillar_id,
        "question": row.question_id,
        "heading": row.heading,
        "position": row.position,
        "page": row.page,
        "paragraphs": list(row.paragraphs),
        "source_lines": {"start": row.start_line, "end": row.end_line},
        "href": urls.finding(row.id),
    }


def finding_dicts(
    session: Session, filters: Filters, fields: SortFields, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of findings as JSON objects, and the count of all."""
    rows, count = findings.finding_rows(session, filters, sort=fields, limit=limit, offset=offset)
    return [finding_dict(row) for row in rows], count


def item(row: ItemRow) -> schemas.ItemPublic:
    i: ActionItem = row.item
    cause = row.cause
    return schemas.ItemPublic(
        id=i.id,
        kind=i.kind,
        inspection=i.inspection_id,
        force=row.force,
        pillar=row.pillar,
        question=i.question_id,
        position=i.position,
        text=i.text,
        page=i.page,
        cause_of_concern=(
            schemas.CauseOfConcernRef(
                id=cause.id,
                text=cause.text,
                href=urls.recommendations(inspection=cause.inspection_id, kind="cause-of-concern"),
            )
            if cause
            else None
        ),
        href=urls.recommendations(inspection=i.inspection_id, question=i.question_id),
    )


def findings_source(
    filters: Filters | None = None, sort: SortFields | None = None
) -> Source[schemas.FindingPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.FindingPublic], int]:
        items, count = finding_dicts(session, filters or Filters(), fields, limit, offset)
        return [schemas.FindingPublic.model_validate(item) for item in items], count

    return Source("findings", schemas.FindingPublic, fetch)


def recommendations_source(
    filters: Filters | None = None, sort: SortFields | None = None
) -> Source[schemas.ItemPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.ItemPublic], int]:
        rows, count = findings.list_items(
            session, filters or Filters(), sort=fields, limit=limit, offset=offset
        )
        return [item(r) for r in rows], count

    return Source("recommendations", schemas.ItemPublic, fetch)


def finding_of(session: Session, finding_id: str) -> schemas.FindingPublic | None:
    """`GET /v1/findings/{id}`, or None for an unknown id."""
    row = findings.get_finding(session, finding_id)
    return None if row is None else finding(row)
