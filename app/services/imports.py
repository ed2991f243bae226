"""Importing a report sent over HTTP: parse, validate, load and record, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from app.ingest.document import ReportDocument
from app.ingest.load import LoadResult, load_document
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.models import ImportRecord, Inspection

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
