"""Full-text search: the query language, and the query on SQLite FTS5 or Postgres tsvector.

The query language (documented in the API):
- words: every word must match, stemmed in English (`vetted` finds `vetting`);
- `"a phrase"`: the words in that order;
- `OR` between two terms: either may match (`vetting OR corruption`);
- `-word` or `-"a phrase"`: leave out what matches it;
- other punctuation is ignored, and so are `AND` (implied) and `NOT` (use `-`).
A query is a 400 when it is empty, too long, has an unbalanced quote, starts or ends
with OR, or has only left-out terms. User input never reaches the SQL text: FTS5 gets
every term quoted, Postgres gets each term as a bound parameter.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


class SearchQueryError(ValueError):
    """A query the language cannot read; the message says why, for the user."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase


@dataclass
class SearchQuery:
    """An AND of clauses, each an OR of terms; and terms to leave out."""

    clauses: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    def fts5(self) -> str:
        def quoted(term: Term) -> str:
            return '"' + " ".join(term.words) + '"'  # words hold only \w: nothing to escape

        positive = " AND ".join(
            "(" + " OR ".join(quoted(t) for t in clause) + ")" for clause in self.clauses
        )
        return positive + "".join(f" NOT {quoted(t)}" for t in self.excluded)


def parse_query(query: str) -> SearchQuery:
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchQueryError(f"the query is longer than {MAX_QUERY_LENGTH} characters")
    if query.count('"') % 2:
        raise SearchQueryError('the query has an unbalanced quote (")')
    parsed = SearchQuery()
    pending_or = False
    for match in _TOKEN.finditer(query):
        negated, phrase, bare = match.group(1) == "-", match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR":
                if not parsed.clauses or pending_or:
                    raise SearchQueryError("OR must stand between two terms")
                pending_or = True
                continue
            if bare in ("AND", "NOT"):
                continue
            negated = bare.startswith("-")
            phrase = bare
        words = tuple(w.lower() for w in _WORD.findall(phrase or ""))
        if not words:
            continue
        term = Term(words)
        if negated:
            parsed.excluded.append(term)
        elif pending_or:
            parsed.clauses[-1].append(term)
        else:
            parsed.clauses.append([term])
        pending_or = False
    if pending_or:
        raise SearchQueryError("OR must stand between two terms")
    if not parsed.clauses:
        raise SearchQueryError("the query has no word to search for")
    if sum(len(c) for c in parsed.clauses) + len(parsed.excluded) > MAX_TERMS:
        raise SearchQueryError(f"the query has more than {MAX_TERMS} terms")
    return parsed


@dataclass
class SearchFilters:
    kind: str | None = None
    force: str | None = None
    inspection: str | None = None
    pillar: str | None = None
    question: str | None = None


@dataclass
class Hit:
    kind: str
    ref_id: str
    inspection: str
    force: str
    pillar: str | None
    question: str | None
    title: str
    snippet: str
    score: float


@dataclass
class SearchOutcome:
    hits: list[Hit]
    count: int
    facets: dict[str, dict[str, int]]


_MARK_OPEN, _MARK_CLOSE = "<mark>", "</mark>"

# Text relevance times what a reader of inspections looks for first: the boxed
# judgments (a cause of concern above all), then findings, then summaries.
KIND_WEIGHTS = {
    "cause-of-concern": 2.0,
    "recommendation": 1.5,
    "area-for-improvement": 1.3,
    "finding": 1.0,
    "summary": 0.9,
    "inspection": 0.8,
}
_KIND_WEIGHT_SQL = (
    "CASE s.kind "
    + " ".join(f"WHEN '{kind}' THEN {weight}" for kind, weight in KIND_WEIGHTS.items())
    + " ELSE 1.0 END"
)


def search(
    session: Session, parsed: SearchQuery, filters: SearchFilters, *, limit: int, offset: int
) -> SearchOutcome:
    """Matches best first: one page with snippets, the total count and facet counts."""
    if session.get_bind().dialect.name == "postgresql":
        return _search_postgres(session, parsed, filters, limit=limit, offset=offset)
    return _search_sqlite(session, parsed, filters, limit=limit, offset=offset)


def _filter_sql(filters: SearchFilters) -> tuple[str, dict[str, str]]:
    conditions, params = [], {}
    for name in ("kind", "inspection", "pillar", "question"):
        value = getattr(filters, name)
        if value is not None:
            conditions.append(f"s.{name} = :f_{name}")
            params[f"f_{name}"] = value
    if filters.force is not None:
        conditions.append("i.force_id = :f_force")
        params["f_force"] = filters.force
    return "".join(f" AND {c}" for c in conditions), params


def _facets(rows: list[Any]) -> dict[str, dict[str, int]]:
    facets: dict[str, Counter[str]] = {
        name: Counter() for name in ("kind", "pillar", "question", "grade")
    }
    for row in rows:
        for name in facets:
            value = getattr(row, name)
            if value is not None:
                facets[name][value] += 1
    # Most frequent first, ties by value: the same order on every backend and run.
    return {
        name: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
        for name, counter in facets.items()
    }


_MATCHES = """
    SELECT s.kind, s.ref_id, s.inspection, i.force_id AS force, s.pillar, s.question,
           s.title, {score} AS score, {snippet} AS snippet, j.grade_id AS grade
    FROM {source}
    JOIN inspection i ON i.id = s.inspection
    LEFT JOIN judgment j
           ON j.inspection_id = s.inspection AND j.subject = COALESCE(s.question, s.pillar)
    WHERE {match}{filters}
"""
_SNIPPETS = "SELECT s.ref_id, {snippet} AS snippet FROM {source} WHERE {match} AND s.ref_id IN :ids"


@dataclass(frozen=True)
class _Dialect:
    source: str  # FROM clause naming the index `s`
    match: str  # WHERE clause that matches the query
    score: str
    snippet: str
    # SQLite makes a snippet for every row it selects, before the LIMIT: ask for the
    # page's alone afterwards. Postgres defers costly expressions past the LIMIT itself.
    snippets_apart: bool


def _run(
    session: Session,
    dialect: _Dialect,
    filters: str,
    params: dict[str, Any],
    limit: int,
    offset: int,
) -> SearchOutcome:
    """All matches for the count and facets (unranked), then the page, ranked, with
    snippets (they cost the most: only the page's are made)."""
    matches = _MATCHES.format(
        source=dialect.source,
        match=dialect.match,
        filters=filters,
        score="{score}",
        snippet="{snippet}",
    )
    everything = session.execute(text(matches.format(score="0", snippet="''")), params).all()
    page_rows = []
    if offset < len(everything):
        snippet = "''" if dialect.snippets_apart else dialect.snippet
        page_rows = session.execute(
            text(
                matches.format(score=dialect.score, snippet=snippet)
                + " ORDER BY score DESC, s.kind, s.ref_id LIMIT :limit OFFSET :offset"
            ),
            {**params, "limit": limit, "offset": offset},
        ).all()
    snippets = {r.ref_id: r.snippet for r in page_rows}
    if page_rows and dialect.snippets_apart:
        statement = text(
            _SNIPPETS.format(snippet=dialect.snippet, source=dialect.source, match=dialect.match)
        ).bindparams(bindparam("ids", expanding=True))
        snippets = dict(
            session.execute(statement, {**params, "ids": [r.ref_id for r in page_rows]}).all()
        )
    hits = [
        Hit(
            kind=r.kind,
            ref_id=r.ref_id,
            inspection=r.inspection,
            force=r.force,
            pillar=r.pillar,
            question=r.question,
            title=r.title,
            snippet=snippets[r.ref_id],
            score=round(float(r.score), 6),
        )
        for r in page_rows
    ]
    return SearchOutcome(hits=hits, count=len(everything), facets=_facets(everything))


def _search_sqlite(
    session: Session, parsed: SearchQuery, filters: SearchFilters, *, limit: int, offset: int
) -> SearchOutcome:
    where, params = _filter_sql(filters)
    params["query"] = parsed.fts5()
    dialect = _Dialect(
        source="search_index s",
        match="search_index MATCH :query",
        score=f"-bm25(search_index, 0, 0, 0, 0, 0, 4.0, 1.0) * {_KIND_WEIGHT_SQL}",
        snippet=f"snippet(search_index, 6, '{_MARK_OPEN}', '{_MARK_CLOSE}', '…', 24)",
        snippets_apart=True,
    )
    return _run(session, dialect, where, params, limit, offset)


def _search_postgres(
    session: Session, parsed: SearchQuery, filters: SearchFilters, *, limit: int, offset: int
) -> SearchOutcome:
    where, params = _filter_sql(filters)
    tsquery_sql, term_params = _postgres_tsquery_sql(parsed)
    params.update(term_params)
    dialect = _Dialect(
        source=f"search_index s CROSS JOIN (SELECT {tsquery_sql} AS query) q",
        match="s.document @@ q.query",
        score=f"ts_rank(s.document, q.query, 1) * {_KIND_WEIGHT_SQL}",  # 1: length-normalised
        snippet=(
            "ts_headline('english', s.body, q.query, "
            f"'StartSel={_MARK_OPEN}, StopSel={_MARK_CLOSE}, MaxWords=35, MinWords=15')"
        ),
        snippets_apart=False,
    )
    return _run(session, dialect, where, params, limit, offset)


def _postgres_tsquery_sql(parsed: SearchQuery) -> tuple[str, dict[str, str]]:
    """A tsquery expression whose every term is a bound parameter."""
    params: dict[str, str] = {}

    def term_sql(term: Term) -> str:
        name = f"t{len(params)}"
        params[name] = " ".join(term.words)
        return f"phraseto_tsquery('english', :{name})"

    clauses = ["(" + " || ".join(term_sql(t) for t in clause) + ")" for clause in parsed.clauses]
    expression = " && ".join(clauses)
    for term in parsed.excluded:
        expression += f" && !!{term_sql(term)}"
    return expression, params
