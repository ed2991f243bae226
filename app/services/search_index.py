"""Full-text search over findings, summaries, action items and observations.

One table, `search_index`, created by the migrations rather than the models because
each backend does it its own way: an FTS5 virtual table (porter stemming over
unicode61) on SQLite, a table with a generated `tsvector` column and a GIN index on
Postgres. The loader rewrites an inspection's rows in its own transaction, so the
index never disagrees with the tables it was built from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

SEARCH_TABLE = "search_index"
COLUMNS = ("kind", "ref_id", "inspection", "question", "pillar", "title", "body")


def is_search_table(name: str | None) -> bool:
    """True for the search table and SQLite's FTS5 shadow tables (not in the models)."""
    return bool(name) and (name == SEARCH_TABLE or name.startswith(f"{SEARCH_TABLE}_"))


@dataclass(frozen=True)
class SearchRow:
    kind: str  # finding | summary | item | inspection
    ref_id: str  # the id of the row it indexes, in the table `kind` names
    inspection: str
    question: str | None
    pillar: str | None
    title: str
    body: str


@dataclass(frozen=True)
class SearchHit:
    kind: str
    ref_id: str
    inspection: str
    question: str | None
    pillar: str | None
    title: str
    snippet: str
    score: float  # higher is better, comparable only within one result list


def delete_inspection(session: Session, inspection_id: str) -> None:
    session.execute(
        text(f"DELETE FROM {SEARCH_TABLE} WHERE inspection = :inspection"),
        {"inspection": inspection_id},
    )


def replace_inspection(session: Session, inspection_id: str, rows: Iterable[SearchRow]) -> int:
    """Rewrite the search rows of one inspection; returns how many were written."""
    delete_inspection(session, inspection_id)
    params = [{c: getattr(row, c) for c in COLUMNS} for row in rows]
    if params:
        session.execute(
            text(
                f"INSERT INTO {SEARCH_TABLE} ({', '.join(COLUMNS)}) "
                f"VALUES ({', '.join(':' + c for c in COLUMNS)})"
            ),
            params,
        )
    return len(params)


def _fts5_query(query: str) -> str:
    # Quote every word so user input is never read as FTS5 syntax (AND, NEAR, "*").
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())


def search(session: Session, query: str, *, limit: int = 20) -> list[SearchHit]:
    """Rows matching every word of `query` (stemmed), best first."""
    if not query.split():
        return []
    if session.get_bind().dialect.name == "sqlite":
        statement = text(
            f"SELECT kind, ref_id, inspection, question, pillar, title, "
            f"snippet({SEARCH_TABLE}, 6, '[', ']', '…', 16) AS snippet, "
            f"-bm25({SEARCH_TABLE}, 0, 0, 0, 0, 0, 4.0, 1.0) AS score "
            f"FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH :query "
            f"ORDER BY score DESC, ref_id LIMIT :limit"
        )
        params = {"query": _fts5_query(query), "limit": limit}
    else:
        statement = text(
            f"SELECT kind, ref_id, inspection, question, pillar, title, "
            f"ts_headline('english', body, q, 'StartSel=[,StopSel=],MaxWords=16,MinWords=8') "
            f"AS snippet, ts_rank(document, q) AS score "
            f"FROM {SEARCH_TABLE}, plainto_tsquery('english', :query) AS q "
            f"WHERE document @@ q ORDER BY score DESC, ref_id LIMIT :limit"
        )
        params = {"query": query, "limit": limit}
    return [SearchHit(**row) for row in session.execute(statement, params).mappings()]
