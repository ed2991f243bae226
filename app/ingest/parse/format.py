"""The inspectorate's report format: words and shapes shared by several section readers.

These are the same in every report of the format (a grade word under a heading, a
pillar's divider page, "Annex"); nothing here is specific to a force or a year.
"""

from __future__ import annotations

import re

from app.ingest.errors import ReportParseError
from app.ingest.ids import normalise
from app.ingest.parse.paragraphs import is_terminated
from app.ingest.reference import Framework, Grade, Question
from app.ingest.text import Block

YEAR = r"\d{4}(?:/\d{2})?"
ANNEX = re.compile(r"^Annex\b")
BULLET = re.compile(r"^[•●▪◦\-–]\s*")


def looks_like_heading(block: Block) -> bool:
    text = block.text
    return (
        block.is_single_line
        and len(text) <= 90
        and len(text.split()) <= 12
        and text[0].isupper()
        and not is_terminated(text)
        and not text.endswith(",")
        and not BULLET.match(text)
    )


def grade_of(framework: Framework, printed: str, line: int) -> Grade:
    """The framework's grade printed here, or a ReportParseError naming the line."""
    grade = framework.grade_for(printed)
    if grade is None:
        known = ", ".join(g.name for g in framework.grades)
        raise ReportParseError(
            line,
            f"unknown grade {printed.strip()!r} for {framework.id}: expected one of {known}",
        )
    return grade


def is_pillar_divider(block: Block, framework: Framework) -> bool:
    """A pillar's part starts on a new page with the pillar's name."""
    return block.starts_page and framework.pillar_for(block.text) is not None


def ends_pillar_part(block: Block, framework: Framework) -> bool:
    """Does this block end the current pillar's part (the next pillar, or the annexes)?"""
    return bool(ANNEX.match(block.text)) or is_pillar_divider(block, framework)


def question_heading(block: Block, candidates: list[Question]) -> Question | None:
    """The question whose name (or alias) this block is, among the candidates."""
    if not block.is_single_line:
        return None
    wanted = normalise(block.text)
    return next((q for q in candidates if any(normalise(n) == wanted for n in q.names)), None)
