"""The whole report, section by section, and the public entry points parse and parse_file."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from app.ingest.document import ForceRef, PillarSection, ReportDocument
from app.ingest.errors import ReportParseError
from app.ingest.ids import inspection_id
from app.ingest.parse.cursor import Cursor, Reading
from app.ingest.parse.force import identify_force
from app.ingest.parse.format import ANNEX, is_pillar_divider
from app.ingest.parse.glossary import read_glossary
from app.ingest.parse.observations import is_observations_heading, read_observations
from app.ingest.parse.pillars import read_pillar
from app.ingest.parse.preamble import read_preamble
from app.ingest.parse.summary import is_summary_heading, judgments, read_overall_summary
from app.ingest.reference import Framework, Reference, default_reference
from app.ingest.text import layout


def _read_report(text: str, reference: Reference, forced: str | None) -> ReportDocument:
    page = layout(text)
    blocks = page.blocks
    prose = "\n".join(block.text for block in blocks)
    force = identify_force(prose, reference, forced)
    cursor = Cursor(blocks, page.line_count)
    summary_at = cursor.find(is_summary_heading, "the 'Overall summary' page")
    preamble = read_preamble(blocks[:summary_at], reference)
    framework = preamble.framework
    observations_at = cursor.find(is_observations_heading, "the HM Inspector's observations")
    reading = Reading(cursor, framework)
    reading.marks.start(blocks[0].first_line, "introduction")
    reading.marks.start(blocks[summary_at].first_line, "overall-summary")
    reading.marks.start(blocks[observations_at].first_line, "observations")
    if observations_at <= summary_at + 1:
        raise ReportParseError(
            blocks[summary_at].first_line, "the overall summary is empty: expected grades"
        )
    grades = read_overall_summary(blocks[summary_at + 1 : observations_at], framework)
    cursor.index = observations_at + 1
    observations = read_observations(cursor, framework)

    pillars: list[PillarSection] = []
    while (block := cursor.peek()) is not None and not ANNEX.match(block.text):
        if not is_pillar_divider(block, framework):
            raise ReportParseError(
                block.first_line,
                f"expected a pillar section ({', '.join(p.name for p in framework.pillars)}), "
                f"found {block.text[:60]!r}",
            )
        pillars.append(read_pillar(reading, grades))
    if annex := cursor.peek():
        reading.marks.stop(annex.first_line)
    _check_all_pillars(framework, pillars, page.line_count)

    return ReportDocument(
        force=ForceRef(id=force.id, name=force.name),
        framework=framework.id,
        year_label=framework.year_label,
        inspection_id=inspection_id(force.id, framework.year_label),
        scope=preamble.scope,
        judgments=judgments(framework, pillars, grades),
        observations=observations.paragraphs,
        inspector=observations.inspector,
        pillars=pillars,
        items=reading.items.items,
        glossary=read_glossary(page.footers, reading.marks, prose),
    )


def _check_all_pillars(framework: Framework, pillars: list[PillarSection], last_line: int) -> None:
    found = {p.pillar for p in pillars}
    for pillar in framework.pillars:
        if pillar.id not in found:
            raise ReportParseError(
                last_line,
                f"the report ends here: expected the section for the pillar {pillar.name!r}",
            )


def parse(
    text: str,
    reference: Reference | None = None,
    *,
    force_id: str | None = None,
    source: str = "<report>",
) -> ReportDocument:
    """Parse a report's text into a validated document, or raise ReportParseError."""
    try:
        return _read_report(text, reference or default_reference(), force_id)
    except ReportParseError as error:
        raise error.with_source(source) from None
    except ValidationError as error:
        raise ReportParseError(
            1, f"the report does not make a valid document: {error}", source
        ) from None


def parse_file(
    path: Path, *, force_id: str | None = None, reference: Reference | None = None
) -> ReportDocument:
    """Read a UTF-8 report file and parse it; undecodable bytes are a ReportParseError."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ReportParseError(
            line,
            f"the file is not UTF-8 text (byte 0x{data[error.start]:02X}): expected a report's text",
            str(path),
        ) from None
    return parse(text, reference, force_id=force_id, source=str(path))
