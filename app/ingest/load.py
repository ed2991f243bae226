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
from typing import Any, Literal

from sqlalchemy import Engine, delete, func, insert, select
from sqlmodel import Session, SQLModel

from app.db import writing
from app.ingest.document import ReportDocument
from app.ingest.ids import child_id
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
from app.services import search_index
from app.services.data_version import record_change

Status = Literal["created", "replaced", "unchanged"]
Row = dict[str, Any]

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


class LoadError(ValueError):
    """A document that does not fit the catalogue or its source (nothing was written)."""


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


# --- row helpers (shared with app.ingest.catalogue) ---------------------------------


def table_of(model: type[SQLModel]) -> Any:
    return model.__table__  # type: ignore[attr-defined]


def complete(model: type[SQLModel], values: Row) -> Row:
    """`values` with every column of `model` present (missing ones None), nothing else."""
    return {column.name: values.get(column.name) for column in table_of(model).columns}


def primary_key(model: type[SQLModel], row: Row) -> tuple[Any, ...]:
    return tuple(row[column.name] for column in table_of(model).primary_key.columns)


def stored_rows(session: Session, model: type[SQLModel], *where: Any) -> dict[tuple, Row]:
    """Rows of `model` matching `where`, as plain dicts keyed by primary key."""
    result = session.execute(select(table_of(model)).where(*where)).mappings()
    return {primary_key(model, dict(row)): dict(row) for row in result}


def insert_rows(session: Session, model: type[SQLModel], rows: list[Row]) -> int:
    """Insert `rows` in the order given; the single place the loader adds rows."""
    if rows:
        session.execute(insert(table_of(model)), rows)
    return len(rows)


# --- document -> rows ---------------------------------------------------------------


@dataclass
class _Rows:
    inspection: Row
    children: dict[type[SQLModel], list[Row]]
    terms: list[Row]
    search: list[search_index.SearchRow]


def _document_rows(document: ReportDocument, source: ReportSource, *, now: datetime) -> _Rows:
    iid, framework = document.inspection_id, document.framework
    inspection = complete(
        Inspection,
        {
            "id": iid,
            "force_id": document.force.id,
            "framework_id": framework,
            "year_label": document.year_label,
            "source_kind": source.kind,
            "source_file": source.path.name,
            "published": source.published,
            "source_url": source.source_url,
            "licence": source.licence,
            "inspector": document.inspector,
            "observations": list(document.observations),
            "content_sha256": source.sha256,
            "data_version": None,  # set when the load writes
            "loaded_at": now,
        },
    )
    scope = [
        complete(
            ScopeEntry,
            {
                "inspection_id": iid,
                "question_id": entry.question,
                "framework_id": framework,
                "position": position,
                "label": entry.label,
                "inspected": entry.inspected,
                "line": entry.line,
            },
        )
        for position, entry in enumerate(document.scope, start=1)
    ]
    judgments = [
        complete(
            Judgment,
            {
                "id": child_id(iid, j.question or j.pillar),
                "inspection_id": iid,
                "force_id": document.force.id,
                "framework_id": framework,
                "pillar_id": j.pillar,
                "question_id": j.question,
                "subject": j.question or j.pillar,
                "grade_id": j.grade,
                "last_inspected": j.last_inspected,
                "carried_over": j.carried_over,
                "carried_over_sentence": j.carried_over_sentence,
                "line": j.line,
                "source_url": source.source_url,
            },
        )
        for j in document.judgments
    ]
    summaries: list[Row] = []
    findings: list[Row] = []
    search = [
        search_index.SearchRow(
            "inspection",
            iid,
            iid,
            None,
            None,
            f"{document.force.name} {document.year_label}",
            "\n\n".join(document.observations),
        )
    ]
    pillar_of: dict[str, str] = {}
    for pillar in document.pillars:
        sections = [(pillar.pillar, None, pillar.headline_question, pillar)]
        sections += [(pillar.pillar, q.question, q.heading, q) for q in pillar.questions]
        for pillar_id, question_id, heading, section in sections:
            subject = question_id or pillar_id
            summaries.append(
                complete(
                    Summary,
                    {
                        "id": child_id(iid, subject),
                        "inspection_id": iid,
                        "framework_id": framework,
                        "pillar_id": pillar_id,
                        "question_id": question_id,
                        "subject": subject,
                        "position": len(summaries) + 1,
                        "heading": heading,
                        "page": section.page,
                        "paragraphs": list(section.summary),
                        "start_line": section.span.start_line,
                        "end_line": section.span.end_line,
                    },
                )
            )
            search.append(
                search_index.SearchRow(
                    "summary",
                    child_id(iid, subject),
                    iid,
                    question_id,
                    pillar_id,
                    heading,
                    "\n\n".join(section.summary),
                )
            )
        for question in pillar.questions:
            pillar_of[question.question] = pillar.pillar
            for finding in question.findings:
                finding_id = child_id(iid, question.question, finding.key)
                findings.append(
                    complete(
                        Finding,
                        {
                            "id": finding_id,
                            "inspection_id": iid,
                            "framework_id": framework,
                            "question_id": question.question,
                            "key": finding.key,
                            "position": len(findings) + 1,
                            "heading": finding.heading,
                            "page": finding.page,
                            "paragraphs": list(finding.paragraphs),
                            "start_line": finding.span.start_line,
                            "end_line": finding.span.end_line,
                        },
                    )
                )
                search.append(
                    search_index.SearchRow(
                        "finding",
                        finding_id,
                        iid,
                        question.question,
                        pillar.pillar,
                        finding.heading,
                        "\n\n".join(finding.paragraphs),
                    )
                )

    def item_id(key: str) -> str:
        return child_id(iid, *key.split("/"))

    items = []
    for position, item in enumerate(document.items, start=1):
        items.append(
            complete(
                ActionItem,
                {
                    "id": item_id(item.key),
                    "inspection_id": iid,
                    "framework_id": framework,
                    "question_id": item.question,
                    "kind": item.kind,
                    "key": item.key,
                    "position": position,
                    "text": item.text,
                    "page": item.page,
                    "start_line": item.span.start_line,
                    "end_line": item.span.end_line,
                    "answers_id": item_id(item.answers) if item.answers else None,
                },
            )
        )
        search.append(
            search_index.SearchRow(
                item.kind,
                item_id(item.key),
                iid,
                item.question,
                pillar_of.get(item.question),
                item.kind.replace("-", " ").capitalize(),
                item.text,
            )
        )
    # Items another item answers go first: the self-referencing foreign key is checked
    # row by row on SQLite.
    items.sort(key=lambda row: row["answers_id"] is not None)

    finding_ids = {row["id"] for row in findings}
    terms: dict[str, Row] = {}
    citations: dict[tuple, Row] = {}
    for term in document.glossary:
        if term.citations:  # a term nobody cites would be removed as an orphan
            terms.setdefault(term.key, {"id": term.key, "term": term.term, "url": term.url})
        for citation in term.citations:
            in_finding = child_id(iid, *citation.section.split("/"))
            row = {
                "inspection_id": iid,
                "term_id": term.key,
                "section": citation.section,
                "line": citation.line,
                "page": citation.page,
                "finding_id": in_finding if in_finding in finding_ids else None,
            }
            citations.setdefault(primary_key(GlossaryCitation, row), row)
    return _Rows(
        inspection=inspection,
        children={
            ScopeEntry: scope,
            Judgment: judgments,
            Summary: summaries,
            Finding: findings,
            ActionItem: items,
            GlossaryCitation: list(citations.values()),
        },
        terms=list(terms.values()),
        search=search,
    )


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


def _children_stored(session: Session, inspection_id: str, rows: _Rows) -> bool:
    """Whether every row the document makes is stored already, and nothing else is."""
    for model, wanted in rows.children.items():
        stored = stored_rows(session, model, table_of(model).c.inspection_id == inspection_id)
        if stored != {primary_key(model, row): row for row in wanted}:
            return False
    terms = table_of(GlossaryTerm)
    stored_terms = stored_rows(session, GlossaryTerm, terms.c.id.in_([t["id"] for t in rows.terms]))
    return stored_terms == {(t["id"],): t for t in rows.terms}


def stored_checks(session: Session, inspection_id: str) -> dict[tuple, Row]:
    """Other sources' checks of this inspection's judgments (app/ingest/grade_load.py),
    keyed by (judgment id, source url). Not the report's content: kept across a reload of
    it (judgment ids are natural keys, so they find their judgments again)."""
    checks, judgments = table_of(JudgmentCheck), table_of(Judgment)
    of_inspection = select(judgments.c.id).where(judgments.c.inspection_id == inspection_id)
    return stored_rows(session, JudgmentCheck, checks.c.judgment_id.in_(of_inspection))


def _counts(rows: _Rows) -> dict[str, int]:
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
    rows = _document_rows(document, source, now=now)
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
