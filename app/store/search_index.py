"""Full-text search over findings, summaries, action items and observations.

One table, `search_index`, created by the migrations rather than the models because
each backend does it its own way: an FTS5 virtual table (porter stemming over
unicode61) on SQLite, a table with a generated `tsvector` column and a GIN index on
Postgres. The loader rewrites an inspection's rows in its own transaction, so the
index never disagrees with the tables it was built from.

On SQLite, `search_index_meta` repeats each row's short columns (kind, ref_id,
inspection, question, pillar) under the FTS5 rowid (migration 0005): FTS5 reads a
row's stored columns by loading the whole row, body included, so ranking and facet
counts over many matches read them from this narrow table instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session

SEARCH_TABLE = "search_index"
META_TABLE = "search_index_meta"  # SQLite only
COLUMNS = ("kind", "ref_id", "inspection", "question", "pillar", "title", "body")
META_COLUMNS = ("kind", "ref_id", "inspection", "question", "pillar")


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


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def delete_inspection(session: Session, inspection_id: str) -> None:
    params = {"inspection": inspection_id}
    if _sqlite(session):
        # By rowid, found through the narrow table's index: no scan of the FTS5 rows.
        session.execute(
            text(
                f"DELETE FROM {SEARCH_TABLE} WHERE rowid IN "
                f"(SELECT id FROM {META_TABLE} WHERE inspection = :inspection)"
            ),
            params,
        )
        session.execute(text(f"DELETE FROM {META_TABLE} WHERE inspection = :inspection"), params)
        return
    session.execute(text(f"DELETE FROM {SEARCH_TABLE} WHERE inspection = :inspection"), params)


def replace_inspection(session: Session, inspection_id: str, rows: Iterable[SearchRow]) -> int:
    """Rewrite the search rows of one inspection; returns how many were written."""
    delete_inspection(session, inspection_id)
    params = [{c: getattr(row, c) for c in COLUMNS} for row in rows]
    if not params:
        return 0
    columns = COLUMNS
    if _sqlite(session):  # the FTS5 row and its narrow copy share a rowid
        last = session.execute(
            text(f"SELECT rowid FROM {SEARCH_TABLE} ORDER BY rowid DESC LIMIT 1")  # FTS5: O(1)
        ).scalar()
        first = (last or 0) + 1
        params = [{"rowid": first + n, **row} for n, row in enumerate(params)]
        columns = ("rowid", *COLUMNS)
        session.execute(
            text(
                f"INSERT INTO {META_TABLE} (id, {', '.join(META_COLUMNS)}) "
                f"VALUES (:rowid, {', '.join(':' + c for c in META_COLUMNS)})"
            ),
            params,
        )
    session.execute(
        text(
            f"INSERT INTO {SEARCH_TABLE} ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        ),
        params,
    )
    return len(params)
