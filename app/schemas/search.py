"""Full-text search results."""

from __future__ import annotations

from pydantic import Field

from app.schemas.base import SearchKind, _Public


class SearchHitPublic(_Public):
    kind: SearchKind
    id: str = Field(description="The id of the finding, summary or item that matched.")
    inspection: str
    force: str
    pillar: str | None
    question: str | None
    title: str
    snippet: str = Field(description="Matching text with hits between <mark> and </mark>.")
    score: float = Field(description="Higher is better; comparable within one response.")
    href: str | None


class SearchResults(_Public):
    query: str
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[SearchHitPublic]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts of all matches by kind, pillar, question and grade."
    )
