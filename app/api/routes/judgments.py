"""Judgments: grades for pillars and questions, filterable across inspections."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from app import schemas
from app.api.filters import (
    REFUSE_REPEATED,
    AreaFilter,
    CheckDep,
    ForceFilter,
    FrameworkFilter,
    GradeFilter,
    InspectionFilter,
    PillarFilter,
    QuestionFilter,
    YearFilter,
)
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.problem_docs import data_responses
from app.resources import judgments
from app.resources.urls import API
from app.services.judgments import JudgmentFilters, grade_facets

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["judgments"], responses=data_responses(), dependencies=REFUSE_REPEATED
)


class JudgmentPage(Page[schemas.JudgmentPublic]):
    """A page of judgments with grade counts over every page."""

    facets: dict[str, dict[str, dict[str, int]]] = Field(
        description="`grade`: matching judgments per scale (framework id), then per grade "
        "slug (`not-available`: carried over, the grade not known here): grades of different "
        "scales are never counted together."
    )


@router.get(
    "/judgments",
    summary="List judgments",
    description="Grades for pillars (`question` null), questions and areas (frameworks from "
    "PEEL 2021/22 grade areas, `pillar` null), of every force: e.g. "
    "`framework=peel-2018-19&pillar=effectiveness&level=pillar` is every force's 2018/19 "
    "effectiveness grade, `framework=peel-2023-25&area=investigating-crime` every force's "
    "2023-25 investigating-crime grade known here. Every grade comes with its `scale` (the "
    "framework): grades of different frameworks are not comparable. `facets.grade` counts "
    "the matches per scale (framework), then per grade over every page. Each judgment says "
    "where it comes from (`source_kind`, `source_url`, `source_date`), what other sources "
    "say of it (`cross_checks`) and which earlier grades a regrade replaced (`superseded`). "
    "A grade no source held here states is absent: not known here, never guessed; a "
    "judgment a page says was carried over without stating its grade has a null `grade`. "
    "`carried_over` is null where no source held here says whether the grade was given "
    "that round or carried over: `carried_over=false` matches only judgments a source says "
    "were given that round. Every "
    "catalogue filter is checked: a value naming nothing here is a 400 "
    "`unknown-filter-value` problem suggesting the closest values; a filter given more "
    "than once matches any of its values.",
    responses=list_responses(400),
)
def list_judgments(
    listing: ListDep,
    check: CheckDep,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    framework: FrameworkFilter = None,
    pillar: PillarFilter = None,
    question: QuestionFilter = None,
    area: AreaFilter = None,
    level: Annotated[
        Literal["pillar", "question", "area"] | None,
        Query(description="Only pillar-level, question-level or area judgments."),
    ] = None,
    grade: GradeFilter = None,
    carried_over: Annotated[
        bool | None, Query(description="Only judgments carried over (true) or made (false).")
    ] = None,
    last_inspected: YearFilter = None,
    sort: Annotated[
        str | None,
        sort_query(judgments.SORTS, judgments.DEFAULT_SORT),
    ] = None,
) -> JudgmentPage:
    filters = JudgmentFilters(
        force=check("force", "force", force),
        inspection=check("inspection", "inspection", inspection),
        framework=check("framework", "framework", framework),
        pillar=check("pillar", "pillar", pillar),
        question=check("question", "question", question),
        area=check("area", "area", area),
        level=level,
        grade=check("grade", "grade", grade),
        carried_over=carried_over,
        last_inspected=check("last_inspected", "year", last_inspected),
    )
    fields = parse_sort(sort, judgments.SORTS, judgments.DEFAULT_SORT)
    if listing.format != "json":  # CSV or NDJSON: the items alone
        return listing.answer(judgments.source(filters, fields))
    # The facets count every match, per scale and grade: their sum is the page's count.
    facets = grade_facets(listing.session, filters)
    count = sum(n for grades in facets.values() for n in grades.values())
    items, count = judgments.judgment_dicts(
        listing.session, filters, fields, listing.paging.limit, listing.paging.offset, count
    )
    # The bytes of a JudgmentPage, made without one (the declared return type stays the
    # response model of the OpenAPI document).
    return listing.json_page(items, count, facets={"grade": facets})  # type: ignore[return-value]
