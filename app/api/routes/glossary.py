"""The inspectorate's glossary terms that reports link to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app import schemas
from app.api.deps import SessionDep
from app.api.listing import Page, PagingDep, page_of, parse_sort, sort_description
from app.api.lookups import SLUG
from app.api.problems import problem_responses
from app.services import glossary

router = APIRouter(prefix="/v1", tags=["glossary"])


@router.get(
    "/glossary",
    summary="List glossary terms and where they are cited",
    description="Each term links to the inspectorate's glossary; citations say which "
    "inspection, section and page link to it.",
    responses=problem_responses(400),
)
def list_glossary(
    request: Request,
    response: Response,
    session: SessionDep,
    paging: PagingDep,
    inspection: Annotated[
        str | None, Query(pattern=SLUG, description="Only terms this inspection cites.")
    ] = None,
    sort: Annotated[
        str | None, Query(description=sort_description(glossary.GLOSSARY_SORTS, "id"))
    ] = None,
) -> Page[schemas.GlossaryTermPublic]:
    fields = parse_sort(sort, glossary.GLOSSARY_SORTS, "id")
    rows, count = glossary.list_terms(
        session, inspection=inspection, sort=fields, limit=paging.limit, offset=paging.offset
    )
    items = [
        schemas.GlossaryTermPublic(
            id=term.id,
            term=term.term,
            url=term.url,
            citations=[
                schemas.CitationPublic(
                    inspection=c.inspection_id, section=c.section, page=c.page, finding=c.finding_id
                )
                for c in citations
            ],
        )
        for term, citations in rows
    ]
    return page_of(request, response, items, count, paging)
