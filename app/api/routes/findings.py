"""Findings sections and boxed items: the text behind the grades."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app import schemas
from app.api.deps import SessionDep
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG, require_findings_held
from app.api.problems import data_responses, not_found, problem_responses
from app.resources import findings
from app.resources.urls import API
from app.services.findings import Filters

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix=API, tags=["findings"], responses=data_responses())

ForceFilter = Annotated[str | None, Query(pattern=SLUG, description="police.uk force id")]
InspectionFilter = Annotated[str | None, Query(pattern=SLUG, examples=["west-midlands-2018-19"])]
PillarFilter = Annotated[str | None, Query(pattern=SLUG, description="e.g. legitimacy")]
QuestionFilter = Annotated[
    str | None, Query(pattern=SLUG, description="e.g. ethical-and-lawful-workforce-behaviour")
]
FINDING_ID = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){2}$"


@router.get(
    "/findings",
    summary="List findings sections",
    description="The detailed findings of each question: a heading and its paragraphs, in "
    "report order, with the page the section starts on. Filtering on an inspection built "
    "from assessment pages (grades only) is a 404 `findings-not-held` problem.",
    responses=list_responses(400, 404),
)
def list_findings(
    listing: ListDep,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    pillar: PillarFilter = None,
    question: QuestionFilter = None,
    sort: Annotated[
        str | None,
        sort_query(findings.FINDING_SORTS, findings.DEFAULT_SORT),
    ] = None,
) -> Page[schemas.FindingPublic]:
    require_findings_held(listing.session, inspection)
    filters = Filters(force=force, inspection=inspection, pillar=pillar, question=question)
    fields = parse_sort(sort, findings.FINDING_SORTS, findings.DEFAULT_SORT)
    if listing.format != "json":  # CSV or NDJSON: every matching item, streamed
        return listing.answer(findings.findings_source(filters, fields))
    items, count = findings.finding_dicts(
        listing.session, filters, fields, listing.paging.limit, listing.paging.offset
    )
    # The bytes of the Page the decorator declares, made without building it.
    return listing.json_page(items, count)  # type: ignore[return-value]


@router.get(
    "/findings/{finding_id}",
    summary="Get one findings section",
    description="Ids are `<inspection>.<question>.<heading slug>` and never change.",
    responses=problem_responses(400, 404),
)
def get_finding(
    session: SessionDep,
    finding_id: Annotated[
        str,
        Path(
            pattern=FINDING_ID,
            examples=["west-midlands-2018-19.protecting-vulnerable-people.responding-to-incidents"],
        ),
    ],
) -> schemas.FindingPublic:
    finding = findings.finding_of(session, finding_id)
    if finding is None:
        raise not_found("finding", finding_id)
    return finding


@router.get(
    "/recommendations",
    summary="List areas for improvement, causes of concern and recommendations",
    description="The boxed items of each question. A recommendation names the cause of "
    "concern it answers. Filtering on an inspection built from assessment pages (grades "
    "only) is a 404 `findings-not-held` problem.",
    responses=list_responses(400, 404),
)
def list_recommendations(
    listing: ListDep,
    kind: Annotated[
        Literal["area-for-improvement", "cause-of-concern", "recommendation"] | None,
        Query(description="Only items of this kind."),
    ] = None,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    pillar: PillarFilter = None,
    question: QuestionFilter = None,
    sort: Annotated[
        str | None,
        sort_query(findings.ITEM_SORTS, findings.DEFAULT_SORT),
    ] = None,
) -> Page[schemas.ItemPublic]:
    filters = Filters(
        force=force, inspection=inspection, pillar=pillar, question=question, kind=kind
    )
    require_findings_held(listing.session, inspection)
    fields = parse_sort(sort, findings.ITEM_SORTS, findings.DEFAULT_SORT)
    return listing.answer(findings.recommendations_source(filters, fields))
