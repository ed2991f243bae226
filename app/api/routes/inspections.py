"""Inspections, the report card, and a force's grade history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from app import schemas
from app.api.deps import SessionDep
from app.api.filters import REFUSE_REPEATED, CheckDep, ForceFilter, FrameworkFilter
from app.api.json_body import json_body
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG, ForceDep
from app.api.problem_docs import data_responses, problem_responses
from app.api.problems import not_found
from app.resources import history, inspections
from app.resources.urls import API

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["inspections"], responses=data_responses(), dependencies=REFUSE_REPEATED
)

InspectionSort = Annotated[str | None, sort_query(inspections.SORTS, inspections.DEFAULT_SORT)]


def _sort(sort: str | None) -> list[tuple[str, bool]]:
    return parse_sort(sort, inspections.SORTS, inspections.DEFAULT_SORT)


@router.get(
    "/inspections",
    summary="List inspections",
    description="One inspection is one report for one force in one framework. A `force` or "
    "`framework` naming nothing here is a 400 `unknown-filter-value` problem suggesting the "
    "closest ids; either given more than once matches any of its values.",
    responses=list_responses(400),
)
def list_inspections(
    listing: ListDep,
    check: CheckDep,
    force: ForceFilter = None,
    framework: FrameworkFilter = None,
    sort: InspectionSort = None,
) -> Page[schemas.InspectionPublic]:
    return listing.answer(
        inspections.source(
            force=check("force", "force", force),  # type: ignore[arg-type]
            framework=check("framework", "framework", framework),  # type: ignore[arg-type]
            sort=_sort(sort),
        )
    )


@router.get(
    "/forces/{force_id}/inspections",
    summary="List one force's inspections",
    description="The same as `/v1/inspections?force={force_id}`, and a 404 for an unknown force.",
    responses=list_responses(400, 404),
)
def list_force_inspections(
    force: ForceDep,
    listing: ListDep,
    check: CheckDep,
    framework: FrameworkFilter = None,
    sort: InspectionSort = None,
) -> Page[schemas.InspectionPublic]:
    return listing.answer(
        inspections.source(
            force=force.id,
            framework=check("framework", "framework", framework),  # type: ignore[arg-type]
            sort=_sort(sort),
        )
    )


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
    inspection_id: Annotated[
        str,
        Path(
            pattern=SLUG,
            description="An inspection id, `<force>-<year label>` (lowercase letters, digits "
            "and hyphens), e.g. `west-midlands-2018-19`.",
            examples=["west-midlands-2018-19"],
        ),
    ],
) -> schemas.InspectionCard:
    card = inspections.card_of(session, inspection_id)
    if card is None:
        raise not_found("inspection", inspection_id)
    return json_body(card)  # type: ignore[return-value]


@router.get(
    "/forces/{force_id}/history",
    summary="Get a force's grade history",
    description="The grade timeline per pillar and question across inspections, marking "
    "carried-over judgments and where scales are not comparable.",
    responses=problem_responses(400, 404),
)
def get_force_history(session: SessionDep, force: ForceDep) -> schemas.ForceHistory:
    return history.history_of(session, force)[0]
