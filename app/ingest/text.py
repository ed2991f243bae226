"""The layout layer of a report text: lines, pages, footers and blocks.

PDF extraction leaves page furniture in the text. This module removes it and says
where each remaining line stood, so the parser above it sees only prose blocks:

- a line that begins with a single space starts a new page;
- a line holding only a number (" 14 ") ends the page with that number, and the
  text after it is on the next page;
- URLs alone on a line are page footers (glossary and other links);
- blank lines separate blocks; a block is a run of text lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.ingest.errors import ReportParseError

_PAGE_START = re.compile(r"^ \S")
_PAGE_NUMBER = re.compile(r"^ \s*(\d{1,4})\s*$")
_URL = re.compile(r"^\s*(https?://\S+)\s*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")
_WRAPPED_HYPHEN = re.compile(r"[A-Za-z]-$")


@dataclass(frozen=True)
class Footer:
    url: str
    line: int
    page: int


@dataclass
class Block:
    """Consecutive text lines with no blank line, footer or page start between them."""

    lines: list[tuple[int, str]]
    page: int
    starts_page: bool
    text: str = field(init=False)

    def __post_init__(self) -> None:
        self.text = unwrap(line for _, line in self.lines)

    @property
    def first_line(self) -> int:
        return self.lines[0][0]

    @property
    def last_line(self) -> int:
        return self.lines[-1][0]

    @property
    def is_single_line(self) -> bool:
        return len(self.lines) == 1


@dataclass
class Layout:
    blocks: list[Block]
    footers: list[Footer]
    line_count: int


def unwrap(lines: Iterable[str]) -> str:
    """Join wrapped lines into one line of prose with single spaces.

    A line ending in a hyphen after a letter ("higher-") joins the next without a
    space: the report hyphenates compounds, never syllables.
    """
    text = ""
    for raw in lines:
        line = re.sub(r"\s+", " ", raw).strip()
        if not line:
            continue
        if not text:
            text = line
        elif _WRAPPED_HYPHEN.search(text) and line[0].isalpha():
            text += line
        else:
            text += " " + line
    return text


def check_is_text(text: str) -> None:
    if not text.strip():
        raise ReportParseError(1, "the report is empty: expected the text of an inspection report")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ReportParseError(
            line,
            f"unexpected control character U+{ord(bad.group()):04X}: "
            "expected plain text extracted from a report",
        )


def _page_numbers(breaks: int, anchors: dict[int, int]) -> list[int]:
    """Absolute page number of each page index.

    Printed page numbers (anchors: page index -> number) are the only fixed points:
    the extraction drops some pages entirely (charts), so each page is counted from
    the nearest printed number, forward or back.
    """
    if not anchors:
        return [index + 1 for index in range(breaks)]
    numbers = []
    for index in range(breaks):
        anchor = min(anchors, key=lambda i: (abs(i - index), i))
        numbers.append(anchors[anchor] + (index - anchor))
    return numbers


def layout(text: str) -> Layout:
    """Split a report into prose blocks and footers, each with its line and page."""
    check_is_text(text)
    raw_lines = [line.rstrip("\r") for line in text.split("\n")]

    page_of_line: list[int] = []  # page index per line
    anchors: dict[int, int] = {}
    page_index = 0
    pending_break = False
    seen_text = False
    for raw in raw_lines:
        number = _PAGE_NUMBER.match(raw)
        if number:
            anchors[page_index] = int(number.group(1))
            pending_break = True
        elif raw.strip():
            if (_PAGE_START.match(raw) or pending_break) and seen_text:
                page_index += 1
            pending_break = False
            seen_text = True
        page_of_line.append(page_index)
    pages = _page_numbers(page_index + 1, anchors)

    blocks: list[Block] = []
    footers: list[Footer] = []
    current: list[tuple[int, str]] = []
    current_starts_page = False

    def close() -> None:
        nonlocal current
        if current:
            page = pages[page_of_line[current[0][0] - 1]]
            blocks.append(Block(current, page, current_starts_page))
            current = []

    for number, raw in enumerate(raw_lines, start=1):
        url = _URL.match(raw)
        if not raw.strip() or _PAGE_NUMBER.match(raw) or url:
            close()
            if url:
                footers.append(Footer(url.group(1), number, pages[page_of_line[number - 1]]))
            continue
        if _PAGE_START.match(raw):
            close()
            current_starts_page = True
        elif not current:
            current_starts_page = False
        current.append((number, raw))
    close()
    return Layout(blocks=blocks, footers=footers, line_count=len(raw_lines))
