"""The inspectorate's glossary terms that reports link to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app import schemas
from app.api.listing import ListDep, Page, list_responses, parse_sort, sort_query
from app.api.lookups import SLUG
from app.api.problems import data_responses
from app.resources import glossary
from app.resources.urls import API

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(prefix=API, tags=["glossary"], responses=data_responses())


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
    sort: Annotated[str | None, sort_query(glossary.SORTS, glossary.DEFAULT_SORT)] = None,
) -> Page[schemas.GlossaryTermPublic]:
    fields = parse_sort(sort, glossary.SORTS, glossary.DEFAULT_SORT)
    return listing.answer(glossary.source(inspection=inspection, sort=fields))
