"""The preamble (everything before the overall summary): the framework and the scope table.

The scope table's header ("... Inspected in 2018/19?") names the inspection year, hence
the framework; each row after it says whether an area was inspected this round. Without
a table, the year of a known framework printed most often in the preamble decides.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from app.ingest.document import ScopeEntry
from app.ingest.errors import ReportParseError
from app.ingest.parse.format import YEAR
from app.ingest.reference import Framework, Reference
from app.ingest.text import Block

_SCOPE_HEADER = re.compile(r"^(?P<label>.+?)\s+Inspected in (?P<year>\S+?)\?\s*$", re.IGNORECASE)
_SCOPE_ROW = re.compile(r"^(?P<area>.+?)\s+(?P<answer>Yes|No)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Preamble:
    framework: Framework
    scope: list[ScopeEntry]


def read_preamble(blocks: list[Block], reference: Reference) -> Preamble:
    year_label, table_at = _scope_header(blocks)
    if year_label is None:
        year_label = _most_printed_year(blocks, reference)
    framework = reference.framework_for_year(year_label)
    if framework is None:
        line = blocks[table_at].first_line if table_at is not None else 1
        raise ReportParseError(line, f"no known framework for the inspection year {year_label!r}")
    scope = [] if table_at is None else _read_scope(blocks[table_at:], framework)
    return Preamble(framework, scope)


def _scope_header(blocks: list[Block]) -> tuple[str | None, int | None]:
    """The year the scope table's header names, and the position of its block."""
    for position, block in enumerate(blocks):
        for _, line in block.lines:
            header = _SCOPE_HEADER.match(line.strip())
            if header:
                return header.group("year"), position
    return None, None


def _most_printed_year(blocks: list[Block], reference: Reference) -> str:
    years = Counter(
        y
        for block in blocks
        for y in re.findall(YEAR, block.text)
        if reference.framework_for_year(y)
    )
    if not years:
        line = blocks[0].first_line if blocks else 1
        raise ReportParseError(
            line,
            "cannot identify the inspection year: expected a scope table or a year "
            "of a known framework (such as 2018/19) before the overall summary",
        )
    return years.most_common(1)[0][0]


def _read_scope(blocks: list[Block], framework: Framework) -> list[ScopeEntry]:
    """The table's rows: every line after the header up to the first that is not a row."""
    entries: list[ScopeEntry] = []
    lines = [pair for block in blocks for pair in block.lines][1:]  # after the header
    for number, line in lines:
        row = _SCOPE_ROW.match(line.strip())
        if row is None:
            break
        question = framework.question_for(row.group("area"))
        if question is None:
            raise ReportParseError(
                number,
                f"unknown area {row.group('area')!r} in the scope table of {framework.id}",
            )
        entries.append(
            ScopeEntry(
                question=question.id,
                label=row.group("area").strip(),
                inspected=row.group("answer").lower() == "yes",
                line=number,
            )
        )
    return entries
