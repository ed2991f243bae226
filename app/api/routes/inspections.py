"""Inspections, the report card, and a force's grade history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlmodel import Session

from app import schemas
from app.api import present
from app.api.deps import SessionDep
from app.api.formats import Source
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG, ForceDep
from app.api.problems import data_responses, not_found, problem_responses
from app.services import inspections, judgments

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix="/v1", tags=["inspections"], responses=data_responses())

ForceFilter = Annotated[
    str | None, Query(pattern=SLUG, description="Only this force (police.uk id).")
]
FrameworkFilter = Annotated[
    str | None, Query(pattern=SLUG, description="Only this framework, e.g. peel-2018-19.")
]
InspectionSort = Annotated[str | None, sort_query(inspections.INSPECTION_SORTS, "id")]


@router.get(
    "/inspections",
    summary="List inspections",
    description="One inspection is one report for one force in one framework.",
    responses=list_responses(400),
)
def list_inspections(
    listing: ListDep,
    force: ForceFilter = None,
    framework: FrameworkFilter = None,
    sort: InspectionSort = None,
) -> Page[schemas.InspectionPublic]:
    return listing.answer(inspections_source(force=force, framework=framework, sort=sort))


@router.get(
    "/forces/{force_id}/inspections",
    summary="List one force's inspections",
    description="The same as `/v1/inspections?force={force_id}`, and a 404 for an unknown force.",
    responses=list_responses(400, 404),
)
def list_force_inspections(
    force: ForceDep,
    listing: ListDep,
    framework: FrameworkFilter = None,
    sort: InspectionSort = None,
) -> Page[schemas.InspectionPublic]:
    return listing.answer(inspections_source(force=force.id, framework=framework, sort=sort))


def inspections_source(
    *, force: str | None = None, framework: str | None = None, sort: str | None = None
) -> Source[schemas.InspectionPublic]:
    fields = parse_sort(sort, inspections.INSPECTION_SORTS, "id")

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.InspectionPublic], int]:
        rows, count = inspections.list_inspections(
            session, force=force, framework=framework, sort=fields, limit=limit, offset=offset
        )
        return [present.inspection(r) for r in rows], count

    return Source("inspections", schemas.InspectionPublic, fetch)


@router.get(
    "/inspections/{inspection_id}",
    summary="Get an inspection's report card",
    description="Source, publication date, licence and inspector; the scope table; every "
    "pillar and question judgment (with the year it was last inspected and, when carried "
    "over, the report's sentence saying so); summaries; the HM Inspector's observations; "
    "counts of findings and boxed items; and links to them.",
    responses=problem_responses(400, 404),
)
def get_inspection(
    session: SessionDep,
    inspection_id: Annotated[str, Path(pattern=SLUG, examples=["west-midlands-2018-19"])],
) -> schemas.InspectionCard:
    card = inspections.report_card(session, inspection_id)
    if card is None:
        raise not_found("inspection", inspection_id)
    return present.report_card(card)


HISTORY_NOTE = (
    "Points are ordered oldest first. Each grade is on its framework's scale; "
    "`comparable_with_previous` is false where the previous point is on another scale. "
    "A carried-over point repeats an earlier inspection's grade (see `last_inspected`, and "
    "`carried_over_from` when that inspection is held). Questions are worded differently "
    "in each framework, so each has a line of its own; an area (PEEL 2021/22 on) keeps one "
    "line across the area frameworks, its points on different scales."
)


@router.get(
    "/forces/{force_id}/history",
    summary="Get a force's grade history",
    description="The grade timeline per pillar and question across inspections, marking "
    "carried-over judgments and where scales are not comparable.",
    responses=problem_responses(400, 404),
)
def get_force_history(session: SessionDep, force: ForceDep) -> schemas.ForceHistory:
    entries = judgments.force_history(session, force.id)
    held, _ = inspections.list_inspections(
        session, force=force.id, sort=[("framework", False)], limit=1000, offset=0
    )
    checks = judgments.checks_of(session, [entry.judgment.id for entry in entries])
    return present.force_history(force, entries, held, checks, note=HISTORY_NOTE)
