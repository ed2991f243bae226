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
    kind: str  # finding | summary | inspection | the item kind (cause-of-concern, ...)
    ref_id: str  # the id of the row it indexes, in the table `kind` names
    inspection: str
    question: str | None
    pillar: str | None
    title: str
    body: str


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
