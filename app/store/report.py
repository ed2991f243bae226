"""Write one ReportDocument to the database, in one transaction, keyed by natural keys.

- Every row's primary key is derived from the document's natural keys, so the rows a
  document produces are a pure function of it.
- Unchanged report (same text hash and source facts): nothing is written.
- Otherwise the rows the document produces are compared with the stored ones; if they
  are equal nothing is written either (the write path is idempotent by itself). If not,
  the inspection's rows are replaced, its search rows rewritten, the data version bumped
  and a change recorded, all in the same transaction, so a failure half way leaves the
  database as it was.
- Writers are serialised (app.db.begin_write): two loads of one report queue, and the
  second finds the first's rows and reports `unchanged`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import Engine, delete, func, select
from sqlmodel import Session, SQLModel

from app.db import writing
from app.ingest.document import ReportDocument
from app.ingest.manifest import ReportSource
from app.models import (
    ActionItem,
    Finding,
    Force,
    Framework,
    GlossaryCitation,
    GlossaryTerm,
    Inspection,
    Judgment,
    JudgmentCheck,
    ScopeEntry,
    Summary,
)
from app.store import search_index
from app.store.changes import record_change
from app.store.errors import LoadError
from app.store.grade_load import judgments_as_checks
from app.store.report_rows import ReportRows, document_rows
from app.store.rows import Row, insert_rows, primary_key, stored_checks, stored_rows, table_of

__all__ = ["CHILD_TABLES", "LoadError", "LoadResult", "load_document"]

Status = Literal["created", "replaced", "unchanged"]

# Children of an inspection in insert order (parents first); deleted in reverse.
CHILD_TABLES: tuple[type[SQLModel], ...] = (
    ScopeEntry,
    Judgment,
    Summary,
    Finding,
    ActionItem,
    GlossaryCitation,
)
# Compared to decide "unchanged", but never part of the content.
_BOOKKEEPING = ("loaded_at", "data_version")


@dataclass(frozen=True)
class LoadResult:
    inspection_id: str
    status: Status
    counts: dict[str, int] = field(default_factory=dict)  # rows per table, this inspection
    data_version: int = 0
    previous: dict[str, int] = field(default_factory=dict)  # rows per table before the load

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


# --- the load -----------------------------------------------------------------------


def _check(session: Session, document: ReportDocument, source: ReportSource) -> None:
    if source.force is not None and source.force != document.force.id:
        raise LoadError(
            f"{source.path}: the report is about {document.force.id!r}, "
            f"its source says {source.force!r}"
        )
    if source.framework is not None and source.framework != document.framework:
        raise LoadError(
            f"{source.path}: the report is a {document.framework!r} report, "
            f"its source says {source.framework!r}"
        )
    if session.get(Framework, document.framework) is None:
        raise LoadError(f"unknown framework {document.framework!r}: run `peel seed` first")
    if session.get(Force, document.force.id) is None:
        raise LoadError(f"unknown force {document.force.id!r}: run `peel seed` first")


def _same(stored: Row | None, wanted: Row) -> bool:
    if stored is None:
        return False
    return all(stored[k] == v for k, v in wanted.items() if k not in _BOOKKEEPING)


def _children_stored(session: Session, inspection_id: str, rows: ReportRows) -> bool:
    """Whether every row the document makes is stored already, and nothing else is."""
    for model, wanted in rows.children.items():
        stored = stored_rows(session, model, table_of(model).c.inspection_id == inspection_id)
        if stored != {primary_key(model, row): row for row in wanted}:
            return False
    terms = table_of(GlossaryTerm)
    stored_terms = stored_rows(session, GlossaryTerm, terms.c.id.in_([t["id"] for t in rows.terms]))
    return stored_terms == {(t["id"],): t for t in rows.terms}


def _counts(rows: ReportRows) -> dict[str, int]:
    counts = {"inspection": 1}
    counts.update({table_of(model).name: len(r) for model, r in rows.children.items()})
    return counts


def _stored_counts(session: Session, inspection_id: str) -> dict[str, int]:
    counts = {"inspection": 1}
    for model in CHILD_TABLES:
        table = table_of(model)
        where = table.c.inspection_id == inspection_id
        counts[table.name] = session.execute(
            select(func.count()).select_from(table).where(where)
        ).scalar_one()
    return counts


def _upsert_terms(session: Session, terms: Iterable[Row]) -> None:
    # Terms are shared by every report that cites them; the newest load's wording wins.
    table = table_of(GlossaryTerm)
    terms = list(terms)
    stored = stored_rows(session, GlossaryTerm, table.c.id.in_([t["id"] for t in terms]))
    for term in terms:
        existing = stored.get((term["id"],))
        if existing is None:
            insert_rows(session, GlossaryTerm, [term])
        elif existing != term:
            session.execute(table.update().where(table.c.id == term["id"]).values(**term))


def _delete_orphan_terms(session: Session) -> None:
    terms, citations = table_of(GlossaryTerm), table_of(GlossaryCitation)
    session.execute(delete(terms).where(terms.c.id.not_in(select(citations.c.term_id))))


class _RolledBack(Exception):
    """Ends a dry run's transaction (rolled back) carrying what the load would do."""

    def __init__(self, result: LoadResult) -> None:
        self.result = result


AfterLoad = Callable[[Session, "LoadResult"], None]


def load_document(
    target: Engine | Session,
    document: ReportDocument,
    source: ReportSource,
    *,
    trust_hash: bool = True,
    dry_run: bool = False,
    after: AfterLoad | None = None,
) -> LoadResult:
    """Store `document` (read from `source`) as one inspection; see the module docstring.

    `trust_hash=False` skips the hash short-cut and compares every row instead.
    `dry_run=True` does everything, then rolls back: the result says what would change.
    `after(session, result)` runs inside the same transaction before it commits (an
    import's record is written with the rows it describes, or not at all).
    Raises LoadError for a document the catalogue cannot hold; nothing is written then.
    """
    try:
        with writing(target) as session:
            result = _load(session, document, source, trust_hash=trust_hash)
            if after is not None:
                after(session, result)
            if dry_run:
                raise _RolledBack(result)
            return result
    except _RolledBack as rolled_back:
        return rolled_back.result


def _load(
    session: Session, document: ReportDocument, source: ReportSource, *, trust_hash: bool
) -> LoadResult:
    iid = document.inspection_id
    _check(session, document, source)
    table = table_of(Inspection)
    stored = stored_rows(session, Inspection, table.c.id == iid).get((iid,))
    now = datetime.now(UTC)
    rows = document_rows(document, source, now=now)
    if trust_hash and _same(stored, rows.inspection):
        counts = _stored_counts(session, iid)
        return LoadResult(iid, "unchanged", counts, stored["data_version"], counts)
    if _same(stored, rows.inspection) and _children_stored(session, iid, rows):
        counts = _counts(rows)
        return LoadResult(iid, "unchanged", counts, stored["data_version"], counts)
    previous = _stored_counts(session, iid) if stored is not None else {}

    status: Status = "created" if stored is None else "replaced"
    version = record_change(
        session, f"inspection.{status}", inspection_id=iid, content_sha256=source.sha256
    )
    rows.inspection["data_version"] = version
    checks = list(stored_checks(session, iid).values()) if stored is not None else []
    if stored is not None and stored["source_kind"] != "report":
        # The report wins over grade records; what their pages said stays as checks.
        held = {primary_key(JudgmentCheck, c) for c in checks}
        checks += [
            c
            for c in judgments_as_checks(session, iid)
            if primary_key(JudgmentCheck, c) not in held
        ]
    for model in reversed(CHILD_TABLES):
        session.execute(delete(table_of(model)).where(table_of(model).c.inspection_id == iid))
    if stored is None:
        insert_rows(session, Inspection, [rows.inspection])
    else:
        session.execute(table.update().where(table.c.id == iid).values(**rows.inspection))
    _upsert_terms(session, rows.terms)
    for model in CHILD_TABLES:
        insert_rows(session, model, rows.children[model])
    _delete_orphan_terms(session)
    judged = {row["id"] for row in rows.children[Judgment]}
    insert_rows(session, JudgmentCheck, [c for c in checks if c["judgment_id"] in judged])
    search_index.replace_inspection(session, iid, rows.search)
    return LoadResult(iid, status, _counts(rows), version, previous)
