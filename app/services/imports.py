"""Importing over HTTP a report, or a file of grade records (or grade counts): parse,
validate, load and record, in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.db import writing
from app.ingest.count_load import store_grade_counts
from app.ingest.document import ReportDocument
from app.ingest.grade_counts import GradeCountRecord, is_count_file, read_grade_counts
from app.ingest.grade_load import store_grade_records
from app.ingest.grades import GradeRecord, GradeRecordError, read_csv_rows, read_grade_records
from app.ingest.load import LoadResult, load_document
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.ingest.reference import default_reference
from app.models import GradeCount, ImportRecord, Inspection
from app.services.data_version import current_version

UNNAMED = "import"  # the source file name of a report sent without one


def _with_stored_facts(engine: Engine, source: ReportSource, inspection_id: str) -> ReportSource:
    """Facts the request leaves out keep their stored values: re-sending a report's text
    alone must not erase its publication date, source or licence."""
    with Session(engine) as session:
        stored = session.get(Inspection, inspection_id)
        if stored is None:
            return source
        return replace(
            source,
            path=source.path
            if source.path.name != UNNAMED
            else Path(stored.source_file or UNNAMED),
            published=source.published or stored.published,
            source_url=source.source_url or stored.source_url,
            licence=source.licence or stored.licence,
        )


@dataclass
class ImportOutcome:
    document: ReportDocument
    result: LoadResult


def import_report(
    engine: Engine, text: str, source: ReportSource, *, key_name: str, dry_run: bool
) -> ImportOutcome:
    """Raises ReportParseError or LoadError for a report that cannot be stored."""
    document = parse(text, force_id=source.force, source="request body")
    source = _with_stored_facts(engine, source, document.inspection_id)

    def record(session: Session, result: LoadResult) -> None:
        session.add(
            ImportRecord(
                received_at=datetime.now(UTC),
                key_name=key_name,
                inspection_id=result.inspection_id,
                status=result.status,
                content_sha256=source.sha256,
                data_version=result.data_version,
                counts=result.counts,
            )
        )
        session.flush()

    result = load_document(engine, document, source, dry_run=dry_run, after=record)
    return ImportOutcome(document=document, result=result)


# --- grade-record files (text/csv) -------------------------------------------------------

UPLOAD = "upload.csv"  # the file name of a CSV sent without one
RECORDS, COUNTS = "grade-records", "grade-counts"


class _DryRun(Exception):
    """Ends a dry run's transaction (rolled back) carrying what the import would do."""

    def __init__(self, outcome: GradeImportOutcome) -> None:
        self.outcome = outcome


@dataclass
class GradeImportOutcome:
    kind: str  # RECORDS or COUNTS
    file: str
    status: str  # created, replaced or unchanged (what a dry run would do)
    records: int  # grades (or count rows) the file holds
    created: list[str] = field(default_factory=list)  # inspection ids
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    checked: int = 0  # grades compared with a report's judgments, not stored as grades
    warnings: list[str] = field(default_factory=list)  # sources disagreeing
    data_version: int = 0  # the version the data is at after it (would be, in a dry run)
    changed: bool = False  # whether it changed the data (would have, in a dry run)

    @property
    def inspections(self) -> list[str]:
        return [*self.created, *self.replaced, *self.unchanged]


def import_grades(
    engine: Engine,
    text: str,
    path: Path,
    *,
    key_name: str,
    dry_run: bool,
    force: str | None = None,
    framework: str | None = None,
    licence: str | None = None,
) -> GradeImportOutcome:
    """Read, check and store one grade-record (or grade-count) file as `peel load FILE.csv`
    does, and record the import, all in one transaction (rolled back in a dry run).

    Raises GradeRecordError (FILE:LINE: message) for a file that does not fit the
    catalogue, LoadError for one the database's catalogue cannot hold; nothing is written
    then.
    """
    reference = default_reference()
    header, _ = read_csv_rows(path, text)
    counting = is_count_file(header)
    if counting:
        counts = read_grade_counts(path, reference, text=text)
        lines = [(c.force, c.line) for c in counts]
    else:
        records = read_grade_records(path, reference, framework=framework, text=text)
        lines = [(r.force, r.line) for r in records]
    if force is not None:
        stray = next(((stated, line) for stated, line in lines if stated != force), None)
        if stray is not None:
            raise GradeRecordError(
                path, stray[1], f"force {stray[0]!r}, but this file is given as {force!r}'s"
            )
    try:
        with writing(engine) as session:
            before = current_version(session)
            if counting:
                outcome = _store_counts(session, counts, path)
            else:
                outcome = _store_records(session, records, path, licence)
            outcome.data_version = current_version(session)
            outcome.changed = outcome.data_version != before
            if outcome.status == "unchanged" and outcome.changed:
                outcome.status = "replaced"  # e.g. checks of a report's judgments added
            session.add(
                ImportRecord(
                    received_at=datetime.now(UTC),
                    key_name=key_name,
                    # The inspection, for a file of one; else the file, by its name.
                    inspection_id=outcome.inspections[0]
                    if len(outcome.inspections) == 1
                    else path.name,
                    status=outcome.status,
                    content_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    data_version=outcome.data_version,
                    counts=_record_counts(outcome),
                )
            )
            session.flush()
            if dry_run:
                raise _DryRun(outcome)  # rolls the whole transaction back
    except _DryRun as rolled_back:
        return rolled_back.outcome
    return outcome


def _store_records(
    session: Session, records: list[GradeRecord], path: Path, licence: str | None
) -> GradeImportOutcome:
    result = store_grade_records(session, records, path, licence=licence)
    status = "created" if result.created else "replaced" if result.replaced else "unchanged"
    return GradeImportOutcome(
        kind=RECORDS,
        file=path.name,
        status=status,
        records=len(records),
        created=result.created,
        replaced=result.replaced,
        unchanged=result.unchanged,
        checked=result.checked,
        warnings=[*result.warnings, *result.count_warnings],
    )


def _store_counts(
    session: Session, counts: list[GradeCountRecord], path: Path
) -> GradeImportOutcome:
    stated_before = session.execute(
        select(func.count()).select_from(GradeCount).where(GradeCount.source_file == path.name)
    ).scalar_one()
    result = store_grade_counts(session, counts, path)
    status = (
        "unchanged" if result.status == "unchanged" else "replaced" if stated_before else "created"
    )
    return GradeImportOutcome(
        kind=COUNTS, file=path.name, status=status, records=len(counts), warnings=result.warnings
    )


def _record_counts(outcome: GradeImportOutcome) -> dict[str, int]:
    return {
        "records": outcome.records,
        "inspections_created": len(outcome.created),
        "inspections_replaced": len(outcome.replaced),
        "inspections_unchanged": len(outcome.unchanged),
        "checked": outcome.checked,
        "warnings": len(outcome.warnings),
    }
