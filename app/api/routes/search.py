"""Full-text search over findings, summaries, boxed items and observations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from app import schemas
from app.api.deps import SessionDep
from app.api.filters import (
    REFUSE_REPEATED,
    AnyQuestionFilter,
    CheckDep,
    ForceFilter,
    InspectionFilter,
    PillarFilter,
)
from app.api.json_body import json_body
from app.api.listing import MAX_LIMIT, Paging, page_links, paging_with
from app.api.problem_docs import data_responses, problem_responses
from app.api.problems import InvalidParam, ProblemError
from app.resources import search as search_resource
from app.resources.urls import API
from app.schemas import SearchKind
from app.services import search as search_service
from app.services.search import SearchFilters, SearchQueryError

# A query string over MAX_QUERY_BYTES is a 414 (app/api/security.py), on every operation.
router = APIRouter(
    prefix=API, tags=["search"], responses=data_responses(), dependencies=REFUSE_REPEATED
)

# Hits per page unless `limit` says otherwise (at most MAX_LIMIT, as every list). Smaller
# than the lists' 100: each hit's snippet is made for the page (~85 us on SQLite, ~200 us
# on Postgres), so a page of 100 cost 8-22 ms of CPU however few hits a reader looks at;
# the HTML search page shows 20 too.
DEFAULT_LIMIT = 20

QUERY_LANGUAGE = f"""Full-text search, ranked best first, with highlighted snippets and facet
counts (by kind, pillar, question and grade) over every match.

Pages hold {DEFAULT_LIMIT} hits unless `limit` asks for more (at most {MAX_LIMIT}); `count` and
the facets always cover every match.

The query language:
- `vetting backlog`: every word must match; words are stemmed, so `vetted` finds `vetting`;
- `"control room"`: a phrase, its words in this order;
- `vetting OR corruption`: either term;
- `-firearms`, `-"control room"`: leave out what matches;
- other punctuation is ignored, and so are `AND` (implied) and `NOT` (use `-`).

Ranking: text relevance (BM25 on SQLite, length-normalised ts_rank on Postgres; a heading counts more
than body text) weighted by kind: causes of concern first, then recommendations, areas
for improvement, findings, summaries and observations.

A query that is empty, longer than 200 characters, has an unbalanced quote, starts or ends
with `OR`, or only leaves things out is a 400 problem.

The filters `force`, `inspection`, `pillar` and `question` are checked: a value naming
nothing here is a 400 `unknown-filter-value` problem suggesting the closest values, and a
filter given more than once matches any of its values.
"""

SearchPagingDep = Annotated[
    Paging,
    Depends(
        paging_with(
            DEFAULT_LIMIT,
            description=f"Hits per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
        )
    ),
]


@router.get(
    "/search",
    summary="Search findings, summaries and recommendations",
    description=QUERY_LANGUAGE,
    responses=problem_responses(400),
)
def search(
    request: Request,
    response: Response,
    session: SessionDep,
    paging: SearchPagingDep,
    check: CheckDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=search_service.MAX_QUERY_LENGTH,
            description="The query (see the query language above).",
            examples=["vetting"],
        ),
    ],
    kind: Annotated[
        SearchKind | None,
        Query(
            description="Only matches of this kind: finding, summary (of a pillar or question), "
            "inspection (the HM Inspector's observations), or a boxed item's kind."
        ),
    ] = None,
    force: ForceFilter = None,
    inspection: InspectionFilter = None,
    pillar: PillarFilter = None,
    question: AnyQuestionFilter = None,
) -> schemas.SearchResults:
    try:
        parsed = search_service.parse_query(q)
    except SearchQueryError as error:
        raise ProblemError(
            400,
            "invalid-search-query",
            f"Cannot read the search query: {error}.",
            errors=[InvalidParam(name="query.q", reason=str(error))],
        ) from None
    filters = SearchFilters(
        kind=kind,
        force=check("force", "force", force),
        inspection=check("inspection", "inspection", inspection),
        pillar=check("pillar", "pillar", pillar),
        question=check("question", "question_or_area", question),
    )
    outcome = search_service.search(
        session, parsed, filters, limit=paging.limit, offset=paging.offset
    )
    next_url, previous_url = page_links(request, response, outcome.count, paging)
    results = search_resource.results(
        q,
        outcome,
        limit=paging.limit,
        offset=paging.offset,
        next_url=next_url,
        previous_url=previous_url,
    )
    return json_body(results, response)  # type: ignore[return-value]
