"""Findings sections and boxed items: the text behind the grades."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app import schemas
from app.api.deps import SessionDep
from app.api.filters import (
    REFUSE_REPEATED,
    AnyQuestionFilter,
    CheckDep,
    FilterCheck,
    ForceFilter,
    InspectionFilter,
    PillarFilter,
)
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.problem_docs import data_responses, problem_responses
from app.api.problems import not_found
from app.resources import findings
from app.resources.urls import API
from app.services.findings import Filters

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["findings"], responses=data_responses(), dependencies=REFUSE_REPEATED
)

FINDING_ID = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*){2}$"
FILTERS_NOTE = (
    " Every filter is checked: a value naming nothing here (a force, inspection, pillar or "
    "question that does not exist) is a 400 `unknown-filter-value` problem suggesting the "
    "closest values; a filter given more than once matches any of its values. Filtering "
    "on an inspection built from assessment pages (grades only) is a 404 "
    "`findings-not-held` problem."
)


def _filters(
    check: FilterCheck,
    force: list[str] | None,
    inspection: list[str] | None,
    pillar: list[str] | None,
    question: list[str] | None,
    kind: str | None = None,
) -> Filters:
    """The checked filters; 404 `findings-not-held` for a grades-only inspection."""
    filters = Filters(
        force=check("force", "force", force),
        inspection=check("inspection", "inspection", inspection),
        pillar=check("pillar", "pillar", pillar),
        question=check("question", "question_or_area", question),
        kind=kind,
    )
    check.findings_held(filters.inspection)  # type: ignore[arg-type]
    return filters


@router.get(
    "/findings",
    summary="List findings sections",
    description="The detailed findings of each question: a heading and its paragraphs, in "
    "report order, with the page the section starts on." + FILTERS_NOTE,
    responses=list_responses(400, 404),
)
def list_findings(
    listing: ListDep,
    check: CheckDep,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    pillar: PillarFilter = None,
    question: AnyQuestionFilter = None,
    sort: Annotated[
        str | None,
        sort_query(findings.FINDING_SORTS, findings.DEFAULT_SORT),
    ] = None,
) -> Page[schemas.FindingPublic]:
    filters = _filters(check, force, inspection, pillar, question)
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
            description="A finding's id: its inspection, question and heading slug, joined "
            "by dots (lowercase letters, digits and hyphens each), e.g. "
            "`west-midlands-2018-19.protecting-vulnerable-people.responding-to-incidents`.",
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
    "concern it answers." + FILTERS_NOTE,
    responses=list_responses(400, 404),
)
def list_recommendations(
    listing: ListDep,
    check: CheckDep,
    kind: Annotated[
        Literal["area-for-improvement", "cause-of-concern", "recommendation"] | None,
        Query(description="Only items of this kind."),
    ] = None,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    pillar: PillarFilter = None,
    question: AnyQuestionFilter = None,
    sort: Annotated[
        str | None,
        sort_query(findings.ITEM_SORTS, findings.DEFAULT_SORT),
    ] = None,
) -> Page[schemas.ItemPublic]:
    filters = _filters(check, force, inspection, pillar, question, kind)
    fields = parse_sort(sort, findings.ITEM_SORTS, findings.DEFAULT_SORT)
    return listing.answer(findings.recommendations_source(filters, fields))
