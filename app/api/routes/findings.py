"""Findings sections and boxed items: the text behind the grades."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlmodel import Session

from app import schemas
from app.api import present
from app.api.deps import SessionDep
from app.api.formats import Source
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG, require_findings_held
from app.api.problems import data_responses, not_found, problem_responses
from app.services import findings
from app.services.findings import Filters

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix="/v1", tags=["findings"], responses=data_responses())

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
        sort_query(findings.FINDING_SORTS, "inspection,position"),
    ] = None,
) -> Page[schemas.FindingPublic]:
    require_findings_held(listing.session, inspection)
    filters = Filters(force=force, inspection=inspection, pillar=pillar, question=question)
    return listing.answer(findings_source(filters, sort))


def findings_source(
    filters: Filters | None = None, sort: str | None = None
) -> Source[schemas.FindingPublic]:
    fields = parse_sort(sort, findings.FINDING_SORTS, "inspection,position")

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.FindingPublic], int]:
        rows, count = findings.list_findings(
            session, filters or Filters(), sort=fields, limit=limit, offset=offset
        )
        return [present.finding(r) for r in rows], count

    return Source("findings", schemas.FindingPublic, fetch)


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
    row = findings.get_finding(session, finding_id)
    if row is None:
        raise not_found("finding", finding_id)
    return present.finding(row)


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
        sort_query(findings.ITEM_SORTS, "inspection,position"),
    ] = None,
) -> Page[schemas.ItemPublic]:
    filters = Filters(
        force=force, inspection=inspection, pillar=pillar, question=question, kind=kind
    )
    require_findings_held(listing.session, inspection)
    return listing.answer(recommendations_source(filters, sort))


def recommendations_source(
    filters: Filters | None = None, sort: str | None = None
) -> Source[schemas.ItemPublic]:
    fields = parse_sort(sort, findings.ITEM_SORTS, "inspection,position")

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.ItemPublic], int]:
        rows, count = findings.list_items(
            session, filters or Filters(), sort=fields, limit=limit, offset=offset
        )
        return [present.item(r) for r in rows], count

    return Source("recommendations", schemas.ItemPublic, fetch)
