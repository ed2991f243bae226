"""Forces and frameworks: the reference catalogue."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app import schemas
from app.api import formats
from app.api.deps import SessionDep
from app.api.filters import REFUSE_REPEATED
from app.api.listing import (
    BOM_DESCRIPTION,
    ListDep,
    Page,
    list_responses,
    origin,
    parse_sort,
    sort_query,
)
from app.api.lookups import ForceDep, FrameworkDep
from app.api.problem_docs import data_responses, problem_responses
from app.api.problems import InvalidParam, ProblemError, not_acceptable
from app.resources import forces, frameworks, grids
from app.resources.urls import API

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["catalogue"], responses=data_responses(), dependencies=REFUSE_REPEATED
)


@router.get(
    "/forces",
    summary="List police forces",
    description="The 43 territorial forces of England and Wales, British Transport Police and "
    "the Police Service of Northern Ireland, with the ids data.police.uk uses.",
    responses=list_responses(400),
)
def list_forces(
    listing: ListDep,
    sort: Annotated[str | None, sort_query(forces.SORTS, forces.DEFAULT_SORT)] = None,
) -> Page[schemas.ForcePublic]:
    return listing.answer(forces.source(parse_sort(sort, forces.SORTS, forces.DEFAULT_SORT)))


@router.get(
    "/forces/{force_id}",
    summary="Get one police force with its current grades",
    description="A force by its data.police.uk id, with links to its inspections and "
    "history; `latest`: its latest inspection of each family of frameworks (areas, from "
    "PEEL 2021/22; pillars, to 2018/19) with every grade and its source; `cycles`: for every "
    "framework, whether grades are held, the force was inspected with no grade known here, "
    "nothing is known here, or the framework did not inspect it. Grades of different "
    "frameworks are not comparable.",
    responses=problem_responses(400, 404),
)
def get_force(session: SessionDep, force: ForceDep) -> schemas.ForceDetail:
    return forces.detail_of(session, force)


@router.get(
    "/frameworks",
    summary="List inspection frameworks",
    description="The inspection programmes (PEEL 2018/19, 2021/22, 2023-25). Grades are only "
    "comparable within one framework.",
    responses=list_responses(400),
)
def list_frameworks(
    listing: ListDep,
    sort: Annotated[str | None, sort_query(frameworks.SORTS, frameworks.DEFAULT_SORT)] = None,
) -> Page[schemas.FrameworkPublic]:
    fields = parse_sort(sort, frameworks.SORTS, frameworks.DEFAULT_SORT)
    return listing.answer(frameworks.source(fields))


@router.get(
    "/frameworks/{framework_id}",
    summary="Get one framework with its grade scale, pillars and questions",
    description="The grade scale (best first; ungraded outside it), the pillars with their "
    "headline questions, and every question with its official wording and the aliases "
    "reports use. Frameworks organised in areas list them under `areas`.",
    responses=problem_responses(400, 404),
)
def get_framework(session: SessionDep, framework: FrameworkDep) -> schemas.FrameworkDetail:
    return frameworks.detail_of(session, framework)


@router.get(
    "/frameworks/{framework_id}/grades",
    summary="Compare every force's pillar, question or area grades in one framework",
    description="The force x pillar grid of one framework (force x area from PEEL 2021/22; "
    "force x question with `level=question`), with each grade's source, and the "
    "distribution per pillar, question or area (forces per grade). At question level each "
    "cell also says whether a page states the grade was carried over from an earlier "
    "inspection (`carried_over`, `last_inspected`); null where no page held here says. "
    "A force no source gives a grade for is `not-available` (null grade): nothing is "
    "guessed; a force the framework did not inspect is `not-inspected`. In area frameworks "
    "each force says how many of its grades are known here and, where pages state it, how "
    "many areas got each grade (`coverage`). Grades are on this framework's own scale: "
    "never compare them with another framework's. With `format=csv` (or `Accept: text/csv`) "
    "the grid for a spreadsheet: one row per force, per pillar, question or area a column of "
    "grade slugs and its `.grade_name`, `.status` (questions: `.carried_over`, "
    "`.last_inspected`) and `.source_url` columns, then the coverage (area frameworks) and "
    "why a force was not inspected.",
    responses={
        200: {
            "description": "The grid as JSON, or as CSV (`format=csv`, `Accept: text/csv`).",
            "content": {formats.MEDIA_TYPES["csv"]: {"schema": {"type": "string"}}},
        },
        **problem_responses(400, 404, 406),
    },
)
def get_framework_grades(
    request: Request,
    session: SessionDep,
    framework: FrameworkDep,
    level: Annotated[
        Literal["pillar", "question", "area"] | None,
        Query(
            description="What the columns grade: `pillar` (the default of a pillar "
            "framework) or `question` in PEEL 2014 to 2018/19; `area` (the only level, "
            "and the default) from PEEL 2021/22."
        ),
    ] = None,
    format_: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="json (default) or csv. Wins over the Accept header."),
    ] = None,
    bom: Annotated[bool, Query(description=BOM_DESCRIPTION)] = False,
) -> schemas.FrameworkGrades:
    if level is not None and (level == "area") != (framework.structure == "areas"):
        offered_levels = "area" if framework.structure == "areas" else "pillar or question"
        raise ProblemError(
            400,
            "invalid-request",
            f"{framework.id} grades {framework.structure}: level={level} is not one of its "
            f"levels ({offered_levels}).",
            errors=[InvalidParam(name="query.level", reason=f"one of {offered_levels} here")],
        )
    offered: tuple[formats.Format, ...] = ("json", "csv")
    chosen = format_ or formats.negotiate(request.headers.get("accept"), offered)
    if chosen is None:
        raise not_acceptable(formats.MEDIA_TYPES[fmt] for fmt in offered)
    if chosen == "json":
        return grids.grades_of(session, framework, level)
    header, rows = grids.grades_table(session, framework, origin(request), level)
    stem = formats.filename_stem("grades", [framework.id, *([level] if level else [])])
    return Response(  # type: ignore[return-value]  # FastAPI sends a Response as it is
        formats.csv_text(header, rows, bom=bom),
        media_type=formats.MEDIA_TYPES["csv"],
        headers={"Content-Disposition": formats.disposition("csv", stem), "Vary": "Accept"},
    )
