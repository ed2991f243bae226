"""Search results: each hit with the URL of its JSON."""

from __future__ import annotations

from app import schemas
from app.models import ITEM_KINDS
from app.resources.urls import urls
from app.services.search import Hit, SearchOutcome


def hit_href(hit: Hit) -> str:
    """Where a hit's JSON is: the finding, the question's boxed items, or the card."""
    if hit.kind == "finding":
        return urls.finding(hit.ref_id)
    if hit.kind in ITEM_KINDS:
        return urls.recommendations(inspection=hit.inspection, question=hit.question)
    return urls.inspection(hit.inspection)


def hit(row: Hit) -> schemas.SearchHitPublic:
    return schemas.SearchHitPublic(
        kind=row.kind,
        id=row.ref_id,
        inspection=row.inspection,
        force=row.force,
        pillar=row.pillar,
        question=row.question,
        title=row.title,
        snippet=row.snippet,
        score=row.score,
        href=hit_href(row),
    )


def results(
    query: str,
    outcome: SearchOutcome,
    *,
    limit: int,
    offset: int,
    next_url: str | None,
    previous_url: str | None,
) -> schemas.SearchResults:
    return schemas.SearchResults(
        query=query,
        count=outcome.count,
        limit=limit,
        offset=offset,
        next=next_url,
        previous=previous_url,
        items=[hit(h) for h in outcome.hits],
        facets=outcome.facets,
    )
