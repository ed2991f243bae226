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
from dataclasses import astuple, dataclass, field
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from app.services.per_version import PerVersion
from app.services.query import records

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
    """None: not filtered; a value, or a tuple of several (any of them matches)."""

    kind: str | tuple[str, ...] | None = None
    force: str | tuple[str, ...] | None = None
    inspection: str | tuple[str, ...] | None = None
    pillar: str | tuple[str, ...] | None = None
    question: str | tuple[str, ...] | None = None


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
    """Matches best first: one page with snippets, the exact count and the facet counts.

    The cost follows the page, not the number of matches: the database ranks and cuts
    the page itself (LIMIT/OFFSET), snippets are made for the page's rows alone, and the
    count and facets come from one grouped COUNT, kept per (query, filters, data version)
    in a small in-process cache, so a query asked again costs the page alone.
    """
    sql = _POSTGRES if session.get_bind().dialect.name == "postgresql" else _SQLITE
    where, params = _filter_sql(filters)
    tsquery = ""
    if sql is _POSTGRES:
        tsquery, term_params = _postgres_tsquery_sql(parsed)
        params.update(term_params)
    else:
        params["query"] = parsed.fts5()

    def statement(template: str) -> Any:
        return text(template.format(tsquery=tsquery, filters=where, score=sql.score))

    def totals() -> tuple[int, dict[str, dict[str, int]]]:
        groups = session.execute(statement(sql.facets), params).all()
        return sum(g.n for g in groups), _facets(groups)

    count, facets = _facet_cache.get(session, (parsed.fts5(), astuple(filters)), totals)
    page: list[Any] = []
    if offset < count:
        page = records(
            session.execute(statement(sql.page), {**params, "limit": limit, "offset": offset})
        )
    texts = {r.rowid: r for r in page}  # where each row's title and snippet are
    if page and sql.texts is not None:
        ids = bindparam("ids", expanding=True)
        found = session.execute(
            statement(sql.texts).bindparams(ids), {**params, "ids": list(texts)}
        )
        texts = {t.rowid: t for t in records(found)}
    hits = [
        Hit(
            kind=r.kind,
            ref_id=r.ref_id,
            inspection=r.inspection,
            force=r.force,
            pillar=r.pillar,
            question=r.question,
            title=texts[r.rowid].title,
            snippet=texts[r.rowid].snippet,
            score=round(float(r.score), 6),
        )
        for r in page
    ]
    return SearchOutcome(
        hits=hits, count=count, facets={name: dict(values) for name, values in facets.items()}
    )


def _filter_sql(filters: SearchFilters) -> tuple[str, dict[str, str]]:
    """Conditions on the index row `s` alone (a force is its inspections). Several values
    of a filter are an IN list of bound parameters (`:f_force_0, :f_force_1`)."""
    conditions, params = [], {}

    def bound(name: str) -> str:
        value = getattr(filters, name)
        if isinstance(value, str):
            params[f"f_{name}"] = value
            return f"= :f_{name}"
        names = [f"f_{name}_{n}" for n in range(len(value))]
        params.update(zip(names, value, strict=True))
        return f"IN ({', '.join(':' + n for n in names)})"

    for name in ("kind", "inspection", "pillar", "question"):
        if getattr(filters, name) is not None:
            conditions.append(f"s.{name} {bound(name)}")
    if filters.force is not None:
        conditions.append(
            f"s.inspection IN (SELECT id FROM inspection WHERE force_id {bound('force')})"
        )
    return "".join(f" AND {c}" for c in conditions), params


FACETS = ("kind", "pillar", "question", "grade")


def _facets(groups: list[Any]) -> dict[str, dict[str, int]]:
    """Facet counts from the matches' counts per (kind, pillar, question, grade)."""
    facets: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    for group in groups:
        for name in FACETS:
            value = getattr(group, name)
            if value is not None:
                facets[name][value] += group.n
    # Most frequent first, ties by value: the same order on every backend and run.
    return {
        name: dict(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
        for name, counter in facets.items()
    }


# --- the count and facets, cached per (database, data version, query, filters) ------------

FACET_CACHE_ENTRIES = 512
_facet_cache: PerVersion[tuple[int, dict[str, dict[str, int]]]] = PerVersion(FACET_CACHE_ENTRIES)


def clear_cache() -> None:
    """Forget every cached count and facets (benchmarks; a load needs no call)."""
    _facet_cache.clear()


# --- the SQL, per backend ----------------------------------------------------------------

_MARK_OPEN_SQL = f"'{_MARK_OPEN}', '{_MARK_CLOSE}'"


@dataclass(frozen=True)
class _Sql:
    """Statements over the index `s`; {filters} adds `AND ...` conditions on `s`,
    {tsquery} is the Postgres query expression, {score} the ranking expression."""

    score: str
    facets: str  # count per (kind, pillar, question, grade) over every match
    page: str  # the page's rows (a `rowid` each), ranked, cut by :limit and :offset
    texts: str | None  # the page's titles and snippets by rowid, when `page` has none


_FACET_COLUMNS = "s.kind, s.pillar, s.question, j.grade_id"
_FACET_SELECT = "s.kind, s.pillar, s.question, j.grade_id AS grade, COUNT(*) AS n"
_GRADE_JOIN = (
    "LEFT JOIN judgment j"
    " ON j.inspection_id = s.inspection AND j.subject = COALESCE(s.question, s.pillar)"
)
_PAGE_ORDER = "score DESC, s.kind, s.ref_id"
_OUTER_ORDER = "p.score DESC, p.kind, p.ref_id"

# FTS5 finds the matches and ranks them (bm25, in C, from its doclists); their short
# columns come from `search_index_meta` by rowid (migration 0005), never from the
# stored FTS5 row, which would load each body. SQLite keeps only the best
# :limit + :offset rows while it sorts. snippet() and the title are read afterwards for
# the page's rowids alone.
_SQLITE_SOURCE = "search_index JOIN search_index_meta s ON s.id = search_index.rowid"
_SQLITE = _Sql(
    score=f"-bm25(search_index, 0, 0, 0, 0, 0, 4.0, 1.0) * {_KIND_WEIGHT_SQL}",
    facets=f"""
        SELECT {_FACET_SELECT}
        FROM {_SQLITE_SOURCE} {_GRADE_JOIN}
        WHERE search_index MATCH :query{{filters}}
        GROUP BY {_FACET_COLUMNS}
    """,
    page=f"""
        SELECT p.*, i.force_id AS force
        FROM (
            SELECT s.id AS rowid, s.kind, s.ref_id, s.inspection, s.pillar, s.question,
                   {{score}} AS score
            FROM {_SQLITE_SOURCE}
            WHERE search_index MATCH :query{{filters}}
            ORDER BY {_PAGE_ORDER} LIMIT :limit OFFSET :offset
        ) p
        JOIN inspection i ON i.id = p.inspection
        ORDER BY {_OUTER_ORDER}
    """,
    texts=f"""
        SELECT rowid, title, snippet(search_index, 6, {_MARK_OPEN_SQL}, '…', 24) AS snippet
        FROM search_index
        WHERE search_index MATCH :query AND rowid IN :ids
    """,
)

# The GIN index over the stored tsvector (migration 0001) finds the matches; ts_rank
# reads each match's tsvector, the sort keeps the best :limit + :offset, and
# ts_headline runs over the page's rows alone (outside the ranked subquery).
_POSTGRES = _Sql(
    score=f"ts_rank(s.document, q.query, 1) * {_KIND_WEIGHT_SQL}",  # 1: length-normalised
    facets=f"""
        SELECT {_FACET_SELECT}
        FROM search_index s CROSS JOIN (SELECT {{tsquery}} AS query) q {_GRADE_JOIN}
        WHERE s.document @@ q.query{{filters}}
        GROUP BY {_FACET_COLUMNS}
    """,
    page=f"""
        SELECT p.*, i.force_id AS force, p.kind || ':' || p.ref_id AS rowid,
               ts_headline('english', b.body, q.query,
                           'StartSel={_MARK_OPEN}, StopSel={_MARK_CLOSE}, MaxWords=35, MinWords=15')
                   AS snippet
        FROM (
            SELECT s.kind, s.ref_id, s.inspection, s.pillar, s.question, s.title,
                   {{score}} AS score
            FROM search_index s CROSS JOIN (SELECT {{tsquery}} AS query) q
            WHERE s.document @@ q.query{{filters}}
            ORDER BY {_PAGE_ORDER} LIMIT :limit OFFSET :offset
        ) p
        CROSS JOIN (SELECT {{tsquery}} AS query) q
        JOIN search_index b ON b.kind = p.kind AND b.ref_id = p.ref_id
        JOIN inspection i ON i.id = p.inspection
        ORDER BY {_OUTER_ORDER}
    """,
    texts=None,
)


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
