"""The entry points of writing: one function for each way data comes in.

- `load_report_file`: a report's text file (`peel load`, `peel seed`);
- `load_grade_file`: a grade-record or grade-count CSV (`peel load FILE.csv`, `peel seed`;
  app/store/grade_flows.py, re-exported here);
- `seed`: the catalogue and every source of the seed manifest (`peel seed`, and
  `peel serve` on an empty database);
- `import_report`, `import_grades`: the same over HTTP (`POST /v1/imports`), with
  `dry_run` and the import's record written in the load's own transaction.

A report is parsed (`_parse`) and loaded (app/store/report.py) the same way on every
path; a CSV likewise (app/store/grade_flows.py). The reference data comes from the
REFERENCE_DIR setting (app/store/catalogue.py `configured_reference`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app.config import get_settings
from app.db import migrate
from app.ingest.document import ReportDocument
from app.ingest.errors import ReportParseError
from app.ingest.manifest import (
    ReportSource,
    UnreadableFile,
    manifest_sources,
    read_text_file,
    source_for_path,
)
from app.ingest.parse import parse
from app.models import ImportRecord, Inspection
from app.progress import Progress
from app.store.catalogue import configured_reference, sync_catalogue
from app.store.errors import LoadError, SourceError
from app.store.grade_flows import (
    UPLOAD,
    GradeImportOutcome,
    grade_file_source,
    import_grades,
    load_grade_file,
)
from app.store.report import LoadResult, load_document

__all__ = [
    "PARSE_HINT",
    "UNNAMED",
    "UPLOAD",
    "GradeImportOutcome",
    "ImportOutcome",
    "grade_file_source",
    "import_grades",
    "import_report",
    "load_grade_file",
    "load_report_file",
    "seed",
]

UNNAMED = "import"  # the source file name of a report sent without one

PARSE_HINT = (
    "peel: the line named above is where reading stopped; check that the file is a PEEL "
    "report's text (UTF-8, as extracted from the published PDF), and pass --force ID if the "
    "text does not name its force"
)


# --- reports -----------------------------------------------------------------------------


def _parse(text: str, source: ReportSource, origin: str) -> ReportDocument:
    return parse(text, configured_reference(), force_id=source.force, source=origin)


def load_report_file(
    engine: Engine, path: Path, *, force: str | None = None, source: ReportSource | None = None
) -> LoadResult:
    """Parse and store one report file (its facts from `source`, else from a manifest
    beside it); SourceError for one it cannot load.

    The parse comes first, so a report that does not parse writes nothing at all; the
    catalogue is upserted before the load, so a freshly migrated database can take it.
    """
    try:
        text = read_text_file(path)  # one line for a file that is not UTF-8 text
        source = source.with_text(text) if source else source_for_path(path, text, force=force)
    except UnreadableFile as error:
        raise SourceError(str(error)) from None
    try:
        document = _parse(text, source, str(path))
    except ReportParseError as error:
        raise SourceError(f"{error}\n{PARSE_HINT}") from None
    sync_catalogue(engine, configured_reference())
    try:
        return load_document(engine, document, source)
    except LoadError as error:
        raise SourceError(str(error)) from None


@dataclass
class ImportOutcome:
    document: ReportDocument
    result: LoadResult


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


def import_report(
    engine: Engine, text: str, source: ReportSource, *, key_name: str, dry_run: bool
) -> ImportOutcome:
    """A report sent over HTTP: parsed and loaded as `load_report_file` does, its import
    recorded in the same transaction (all rolled back in a dry run).

    Raises ReportParseError or LoadError for a report that cannot be stored."""
    document = _parse(text, source, "request body")
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


# --- the seed manifest -------------------------------------------------------------------


def seed(engine: Engine, seed_dir: Path | None, progress: Progress) -> int:
    """Migrate, upsert the catalogue, load every source of the manifest (report texts and
    grade-record files, in its order), reporting each on `progress`; returns how many
    failed (each reported, the others loaded). SourceError for a manifest that cannot be
    read (nothing loaded then)."""
    try:
        sources = manifest_sources(seed_dir or get_settings().seed_dir)
    except UnreadableFile as error:
        raise SourceError(str(error)) from None
    migrate(engine)
    catalogue = sync_catalogue(engine, configured_reference())
    progress.say(f"catalogue: {catalogue.inserted} rows added, {catalogue.updated} updated")
    failed = 0
    for n, source in enumerate(sources, start=1):
        progress.step(n, len(sources), source.path.name)
        try:
            if source.kind == "grades":
                loaded = load_grade_file(engine, source)
                for line in loaded.warning_lines:
                    progress.error(line)
                outcome = loaded.summary
            else:
                result = load_report_file(engine, source.path, source=source)
                outcome = f"{result.status} ({result.rows} rows)"
        except SourceError as error:
            progress.done(n, len(sources), source.path.name, "failed")
            progress.error(str(error))
            failed += 1
            continue
        progress.done(n, len(sources), source.path.name, outcome)
    if failed:
        progress.error(
            f"{failed} of {len(sources)} sources failed to load (above); fix them or their "
            "manifest line, then run `peel seed` again: sources already loaded are not repeated"
        )
    return failed
