"""Glossary terms and the sections that cite them."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import GlossaryCitation, GlossaryTerm
from app.resources.source import SortFields, Source, sort_fields
from app.services import glossary

SORTS = glossary.GLOSSARY_SORTS
DEFAULT_SORT = "id"


def term(row: GlossaryTerm, citations: list[GlossaryCitation]) -> schemas.GlossaryTermPublic:
    return schemas.GlossaryTermPublic(
        id=row.id,
        term=row.term,
        url=row.url,
        citations=[
            schemas.CitationPublic(
                inspection=c.inspection_id, section=c.section, page=c.page, finding=c.finding_id
            )
            for c in citations
        ],
    )


def source(
    *, inspection: str | None = None, sort: SortFields | None = None
) -> Source[schemas.GlossaryTermPublic]:
    fields = sort_fields(sort, DEFAULT_SORT)

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.GlossaryTermPublic], int]:
        rows, count = glossary.list_terms(
            session, inspection=inspection, sort=fields, limit=limit, offset=offset
        )
        return [term(row, citations) for row, citations in rows], count

    return Source("glossary", schemas.GlossaryTermPublic, fetch)
