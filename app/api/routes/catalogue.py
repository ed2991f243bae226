"""Forces and frameworks: the reference catalogue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlmodel import Session

from app import schemas
from app.api import present, present_grades
from app.api.deps import SessionDep
from app.api.formats import Source
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import ForceDep, FrameworkDep
from app.api.problems import data_responses, problem_responses
from app.services import catalogue, comparison, inspections

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix="/v1", tags=["catalogue"], responses=data_responses())


@router.get(
    "/forces",
    summary="List police forces",
    description="The 43 territorial forces of England and Wales, British Transport Police and "
    "the Police Service of Northern Ireland, with the ids data.police.uk uses.",
    responses=list_responses(400),
)
def list_forces(
    listing: ListDep,
    sort: Annotated[str | None, sort_query(catalogue.FORCE_SORTS, "id")] = None,
) -> Page[schemas.ForcePublic]:
    return listing.answer(forces_source(sort))


def forces_source(sort: str | None = None) -> Source[schemas.ForcePublic]:
    fields = parse_sort(sort, catalogue.FORCE_SORTS, "id")

    def fetch(session: Session, limit: int, offset: int) -> tuple[list[schemas.ForcePublic], int]:
        rows, count = catalogue.list_forces(session, sort=fields, limit=limit, offset=offset)
        return [present.force(r) for r in rows], count

    return Source("forces", schemas.ForcePublic, fetch)


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
    return present_grades.force_detail(
        present.force(force), inspections.force_cycles(session, force.id)
    )


@router.get(
    "/frameworks",
    summary="List inspection frameworks",
    description="The inspection programmes (PEEL 2018/19, 2021/22, 2023-25). Grades are only "
    "comparable within one framework.",
    responses=list_responses(400),
)
def list_frameworks(
    listing: ListDep,
    sort: Annotated[str | None, sort_query(catalogue.FRAMEWORK_SORTS, "id")] = None,
) -> Page[schemas.FrameworkPublic]:
    return listing.answer(frameworks_source(sort))


def frameworks_source(sort: str | None = None) -> Source[schemas.FrameworkPublic]:
    fields = parse_sort(sort, catalogue.FRAMEWORK_SORTS, "id")

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.FrameworkPublic], int]:
        rows, count = catalogue.list_frameworks(session, sort=fields, limit=limit, offset=offset)
        return [present.framework(r) for r in rows], count

    return Source("frameworks", schemas.FrameworkPublic, fetch)


@router.get(
    "/frameworks/{framework_id}",
    summary="Get one framework with its grade scale, pillars and questions",
    description="The grade scale (best first; ungraded outside it), the pillars with their "
    "headline questions, and every question with its official wording and the aliases "
    "reports use. Frameworks organised in areas list them under `areas`.",
    responses=problem_responses(400, 404),
)
def get_framework(session: SessionDep, framework: FrameworkDep) -> schemas.FrameworkDetail:
    grades, pillars, questions = catalogue.framework_catalogue(session, framework.id)
    return schemas.FrameworkDetail(
        **present.framework(framework).model_dump(),
        grades=[schemas.GradePublic(id=g.id, name=g.name, rank=g.rank) for g in grades],
        pillars=[
            schemas.PillarPublic(
                id=p.id,
                name=p.name,
                position=p.position,
                headline_question=p.headline_question,
                questions=[present.question(q) for q in questions if q.pillar_id == p.id],
            )
            for p in pillars
        ],
        areas=[present.question(q) for q in questions if q.pillar_id is None],
    )


@router.get(
    "/frameworks/{framework_id}/grades",
    summary="Compare every force's pillar (or area) grades in one framework",
    description="The force x pillar grid of one framework (force x area from PEEL 2021/22), "
    "with each grade's source, and the distribution per pillar or area (forces per grade). "
    "A force no source gives a grade for is `not-available` (null grade): nothing is "
    "guessed; a force the framework did not inspect is `not-inspected`. In area frameworks "
    "each force says how many of its grades are known here and, where pages state it, how "
    "many areas got each grade (`coverage`). Grades are on this framework's own scale: "
    "never compare them with another framework's.",
    responses=problem_responses(400, 404),
)
def get_framework_grades(session: SessionDep, framework: FrameworkDep) -> schemas.FrameworkGrades:
    return present_grades.framework_grades(comparison.framework_grid(session, framework))
