"""The entry points for grade-record and grade-count files (CSV).

`load_grade_file` (`peel load FILE.csv`, `peel seed`) and `import_grades`
(`POST /v1/imports` with text/csv) read and check a file the same way
(`read_grade_file`) and store it the same way (`_store_grade_file`), in one transaction;
the import also records itself in it, and a dry run rolls it all back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from app.config import get_settings
from app.db import writing
from app.ingest.grade_counts import GradeCountRecord, is_count_file, read_grade_counts
from app.ingest.grades import GradeRecord, GradeRecordError, read_csv_rows, read_grade_records
from app.ingest.manifest import ReportSource, UnreadableFile, manifest_source, read_text_file
from app.models import GradeCount, ImportRecord
from app.store.catalogue import configured_reference
from app.store.changes import stored_version
from app.store.count_load import store_grade_counts
from app.store.errors import LoadError, SourceError
from app.store.grade_load import store_grade_records

UPLOAD = "upload.csv"  # the file name of a CSV sent without one
RECORDS, COUNTS = "grade-records", "grade-counts"
NOT_STORED = "peel: nothing of this file was stored"


@dataclass
class GradeFile:
    """A CSV read and checked: grade counts, or grade records."""

    path: Path
    counts: list[GradeCountRecord] | None = None
    records: list[GradeRecord] | None = None


def read_grade_file(
    path: Path,
    *,
    text: str | None = None,
    framework: str | None = None,
    force: str | None = None,
) -> GradeFile:
    """Read and check a grade-record (or grade-count) file, or `text` named `path`, against
    the reference data; `force`: every row must be that force's. GradeRecordError
    (FILE:LINE: message) at the first row that does not fit."""
    reference = configured_reference()
    header, _ = read_csv_rows(path, text)
    if is_count_file(header):
        read = GradeFile(path, counts=read_grade_counts(path, reference, text=text))
        lines = [(c.force, c.line) for c in read.counts or []]
    else:
        records = read_grade_records(path, reference, framework=framework, text=text)
        read = GradeFile(path, records=records)
        lines = [(r.force, r.line) for r in records]
    if force is not None:
        stray = next(((stated, line) for stated, line in lines if stated != force), None)
        if stray is not None:
            raise GradeRecordError(
                path, stray[1], f"force {stray[0]!r}, but this file is given as {force!r}'s"
            )
    return read


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
    summary: str = ""  # one line for `peel load` / `peel seed`

    @property
    def inspections(self) -> list[str]:
        return [*self.created, *self.replaced, *self.unchanged]

    @property
    def warning_lines(self) -> list[str]:
        return [f"WARNING: sources disagree: {warning}" for warning in self.warnings]


def _store_grade_file(session: Session, read: GradeFile, licence: str | None) -> GradeImportOutcome:
    """Store a file read by `read_grade_file` in the write transaction the caller holds."""
    path, before = read.path, stored_version(session)
    if read.counts is not None:
        stated_before = session.execute(
            select(func.count()).select_from(GradeCount).where(GradeCount.source_file == path.name)
        ).scalar_one()
        counted = store_grade_counts(session, read.counts, path)
        stored = "replaced" if stated_before else "created"
        outcome = GradeImportOutcome(
            kind=COUNTS,
            file=path.name,
            status="unchanged" if counted.status == "unchanged" else stored,
            records=len(read.counts),
            warnings=counted.warnings,
            summary=counted.summary,
        )
    else:
        records = read.records or []
        result = store_grade_records(session, records, path, licence=licence)
        outcome = GradeImportOutcome(
            kind=RECORDS,
            file=path.name,
            status="created" if result.created else "replaced" if result.replaced else "unchanged",
            records=len(records),
            created=result.created,
            replaced=result.replaced,
            unchanged=result.unchanged,
            checked=result.checked,
            warnings=[*result.warnings, *result.count_warnings],
            summary=result.summary,
        )
    outcome.data_version = stored_version(session)
    outcome.changed = outcome.data_version != before
    if outcome.status == "unchanged" and outcome.changed:
        outcome.status = "replaced"  # e.g. checks of a report's judgments added
    return outcome


def grade_file_source(
    path: Path, *, force: str | None = None, framework: str | None = None
) -> ReportSource:
    """A CSV named on the command line, with the facts of its seed-manifest line if it has
    one (framework, licence); `force` and `framework` given win. SourceError for a seed
    manifest that cannot be read."""
    try:
        listed = manifest_source(get_settings().seed_dir, path)
    except UnreadableFile as error:
        raise SourceError(str(error)) from None
    return ReportSource(
        path=path,
        kind="grades",
        force=force or (listed.force if listed else None),
        framework=framework or (listed.framework if listed else None),
        licence=listed.licence if listed else None,
    )


def load_grade_file(engine: Engine, source: ReportSource) -> GradeImportOutcome:
    """Read, check and store one grade-record (or grade-count) file in one transaction;
    SourceError for one it cannot store. Disagreements with reports are `warnings`."""
    try:
        text = read_text_file(source.path)  # one line for a file that is not UTF-8 text
    except UnreadableFile as error:
        raise SourceError(str(error)) from None
    try:
        read = read_grade_file(
            source.path, text=text, framework=source.framework, force=source.force
        )
        with writing(engine) as session:
            return _store_grade_file(session, read, source.licence)
    except (GradeRecordError, LoadError) as error:
        raise SourceError(f"{error}\n{NOT_STORED}") from None


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
    """A file sent over HTTP: read, checked and stored as `load_grade_file` does, its import
    recorded in the same transaction (all rolled back in a dry run).

    Raises GradeRecordError (FILE:LINE: message) for a file that does not fit the
    catalogue, LoadError for one the database's catalogue cannot hold; nothing is written
    then.
    """
    read = read_grade_file(path, text=text, framework=framework, force=force)
    try:
        with writing(engine) as session:
            outcome = _store_grade_file(session, read, licence)
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


def _record_counts(outcome: GradeImportOutcome) -> dict[str, int]:
    return {
        "records": outcome.records,
        "inspections_created": len(outcome.created),
        "inspections_replaced": len(outcome.replaced),
        "inspections_unchanged": len(outcome.unchanged),
        "checked": outcome.checked,
        "warnings": len(outcome.warnings),
    }
