"""The inspectorate's glossary terms that reports link to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import Session

from app import schemas
from app.api.formats import Source
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG
from app.api.problems import data_responses
from app.services import glossary

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix="/v1", tags=["glossary"], responses=data_responses())


@router.get(
    "/glossary",
    summary="List glossary terms and where they are cited",
    description="Each term links to the inspectorate's glossary; citations say which "
    "inspection, section and page link to it.",
    responses=list_responses(400),
)
def list_glossary(
    listing: ListDep,
    inspection: Annotated[
        str | None, Query(pattern=SLUG, description="Only terms this inspection cites.")
    ] = None,
    sort: Annotated[str | None, sort_query(glossary.GLOSSARY_SORTS, "id")] = None,
) -> Page[schemas.GlossaryTermPublic]:
    return listing.answer(glossary_source(inspection=inspection, sort=sort))


def glossary_source(
    *, inspection: str | None = None, sort: str | None = None
) -> Source[schemas.GlossaryTermPublic]:
    fields = parse_sort(sort, glossary.GLOSSARY_SORTS, "id")

    def fetch(
        session: Session, limit: int, offset: int
    ) -> tuple[list[schemas.GlossaryTermPublic], int]:
        rows, count = glossary.list_terms(
            session, inspection=inspection, sort=fields, limit=limit, offset=offset
        )
        items = [
            schemas.GlossaryTermPublic(
                id=term.id,
                term=term.term,
                url=term.url,
                citations=[
                    schemas.CitationPublic(
                        inspection=c.inspection_id,
                        section=c.section,
                        page=c.page,
                        finding=c.finding_id,
                    )
                    for c in citations
                ],
            )
            for term, citations in rows
        ]
        return items, count

    return Source("glossary", schemas.GlossaryTermPublic, fetch)
