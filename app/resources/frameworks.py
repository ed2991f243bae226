"""Frameworks: the list source, a framework, and its catalogue (scale, pillars, questions)."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import Framework, Question
from app.resources.source import SortFields, Source, sort_fields
from app.resources.urls import urls
from app.services import catalogue

SORTS = catalogue.FRAMEWORK_SORTS
DEFAULT_SORT = "id"


def framework(row: Framework) -> schemas.FrameworkPublic:
    return schemas.FrameworkPublic(
        id=row.id,
        name=row.name,
        year_label=row.year_label,
        structure=row.structure,
        source_url=row.source_url,
        href=urls.framework(row.id),
    )


def question(row: Question) -> schemas.QuestionPublic:
    return schemas.QuestionPublic(
        id=row.id,
        name=row.name,
        official_question=row.official_question,
        pillar=row.pillar_id,
        position=row.position,
        graded=row.graded,
        aliases=list(row.aliases or []),
        verified=row.verified,
        source_url=row.source_url,
    )


def source(sort: SortFields | None = None) -> Source[schemas.FrameworkPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.FrameworkPublic], int]:
        rows, count = catalogue.list_frameworks(session, sort=fields, limit=limit, offset=offset)
        return [framework(r) for r in rows], count

    return Source("frameworks", schemas.FrameworkPublic, fetch)


def detail_of(session: Session, row: Framework) -> schemas.FrameworkDetail:
    """`GET /v1/frameworks/{id}`: the grade scale, the pillars with their questions, and
    the areas."""
    grades, pillars, questions = catalogue.framework_catalogue(session, row.id)
    return schemas.FrameworkDetail(
        **framework(row).model_dump(),
        grades=[schemas.GradePublic(id=g.id, name=g.name, rank=g.rank) for g in grades],
        pillars=[
            schemas.PillarPublic(
                id=p.id,
                name=p.name,
                position=p.position,
                headline_question=p.headline_question,
                questions=[question(q) for q in questions if q.pillar_id == p.id],
            )
            for p in pillars
        ],
        areas=[question(q) for q in questions if q.pillar_id is None],
    )
