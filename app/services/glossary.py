"""Queries for glossary terms and where reports cite them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session

from app.models import GlossaryCitation, GlossaryTerm
from app.services.query import ordered, page

GLOSSARY_SORTS = ("id", "term")


def list_terms(
    session: Session,
    *,
    inspection: str | None,
    sort: Sequence[tuple[str, bool]],
    limit: int,
    offset: int,
) -> tuple[list[tuple[GlossaryTerm, list[GlossaryCitation]]], int]:
    statement = select(GlossaryTerm)
    if inspection is not None:
        cited = select(GlossaryCitation.term_id).where(GlossaryCitation.inspection_id == inspection)
        statement = statement.where(GlossaryTerm.id.in_(cited))
    columns = {"id": GlossaryTerm.id, "term": GlossaryTerm.term}
    rows, count = page(
        session, ordered(statement, sort, columns, GlossaryTerm.id), limit=limit, offset=offset
    )
    terms = [row[0] for row in rows]
    citations: dict[str, list[GlossaryCitation]] = defaultdict(list)
    if terms:
        found = session.execute(
            select(GlossaryCitation)
            .where(GlossaryCitation.term_id.in_([t.id for t in terms]))
            .order_by(GlossaryCitation.inspection_id, GlossaryCitation.line)
        ).scalars()
        for citation in found:
            if inspection is None or citation.inspection_id == inspection:
                citations[citation.term_id].append(citation)
    return [(term, citations[term.id]) for term in terms], count
