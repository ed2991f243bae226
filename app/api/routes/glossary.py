"""The inspectorate's glossary terms that reports link to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.filters import ID_PATTERN, REFUSE_REPEATED, CheckDep
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.problem_docs import data_responses
from app.resources import glossary
from app.resources.urls import API

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["glossary"], responses=data_responses(), dependencies=REFUSE_REPEATED
)


@router.get(
    "/glossary",
    summary="List glossary terms and where they are cited",
    description="Each term links to the inspectorate's glossary; citations say which "
    "inspection, section and page link to it.",
    responses=list_responses(400),
)
def list_glossary(
    listing: ListDep,
    check: CheckDep,
    inspection: Annotated[
        str | None,
        Query(
            pattern=ID_PATTERN,
            description="Only terms this inspection cites: an inspection id (letters, digits "
            "and hyphens; matched case-insensitively), e.g. `west-midlands-2018-19`. One "
            "inspection (given twice is a 400); an id no inspection has is a 400 "
            "`unknown-filter-value` problem that suggests the closest ids.",
            examples=["west-midlands-2018-19"],
        ),
    ] = None,
    sort: Annotated[str | None, sort_query(glossary.SORTS, glossary.DEFAULT_SORT)] = None,
) -> Page[schemas.GlossaryTermPublic]:
    fields = parse_sort(sort, glossary.SORTS, glossary.DEFAULT_SORT)
    cited_by = check.one("inspection", "inspection", inspection)
    return listing.answer(glossary.source(inspection=cited_by, sort=fields))
