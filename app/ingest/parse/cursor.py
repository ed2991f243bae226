"""What the section readers share: a cursor over the blocks, and what they collect.

`Cursor` walks the blocks `app.ingest.text.layout` yields; each reader takes the blocks
of its section and leaves the cursor on the first block after it. Across sections the
readers fill two accumulators: `SectionMarks` (where each section starts, so footer links
can be attributed to the section they stand in) and `ActionItems` (the boxed items,
numbered per question and kind).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from app.ingest.document import ActionItem, ItemKind, SourceSpan
from app.ingest.errors import ReportParseError
from app.ingest.parse.format import ends_pillar_part
from app.ingest.reference import Framework, Question
from app.ingest.text import Block


@dataclass
class Cursor:
    blocks: list[Block]
    line_count: int
    index: int = 0

    def peek(self, offset: int = 0) -> Block | None:
        position = self.index + offset
        return self.blocks[position] if position < len(self.blocks) else None

    def take(self) -> Block:
        block = self.blocks[self.index]
        self.index += 1
        return block

    def expect(self, what: str) -> Block:
        """The next block; at the end of the report, an error saying what was expected."""
        if self.peek() is None:
            raise ReportParseError(self.line_count, f"the report ends here: expected {what}")
        return self.take()

    def find(self, predicate: Callable[[Block], bool], what: str) -> int:
        """The position of the first block from here that matches, without moving."""
        for position in range(self.index, len(self.blocks)):
            if predicate(self.blocks[position]):
                return position
        raise ReportParseError(self.line_count, f"the report ends here: expected {what}")

    @property
    def line(self) -> int:
        """Where the cursor stands: the next block's first line, or the report's last line."""
        block = self.peek()
        return block.first_line if block is not None else self.line_count


@dataclass(frozen=True)
class Mark:
    line: int
    section: str  # "" where no section is (the annexes)


@dataclass
class SectionMarks:
    """Where each section starts (in reading order)."""

    marks: list[Mark] = field(default_factory=list)

    def start(self, line: int, section: str) -> None:
        self.marks.append(Mark(line, section))

    def stop(self, line: int) -> None:
        """From this line on, text belongs to no section."""
        self.marks.append(Mark(line, ""))

    def locator(self) -> Callable[[int], str | None]:
        """A function from a line to the section it stands in ("" or None for none)."""
        ordered = sorted(self.marks, key=lambda mark: mark.line)
        lines = [mark.line for mark in ordered]

        def section_at(line: int) -> str | None:
            position = bisect_right(lines, line)
            return ordered[position - 1].section if position else None

        return section_at


@dataclass
class ActionItems:
    """Areas for improvement, causes of concern and recommendations, in reading order."""

    items: list[ActionItem] = field(default_factory=list)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(
        self, kind: ItemKind, question: Question, text: str, block: Block, answers: str | None
    ) -> ActionItem:
        self.counts[question.id, kind] += 1
        item = ActionItem(
            key=f"{question.id}/{kind}/{self.counts[question.id, kind]}",
            kind=kind,
            question=question.id,
            text=text,
            page=block.page,
            span=SourceSpan(start_line=block.first_line, end_line=block.last_line),
            answers=answers,
        )
        self.items.append(item)
        return item


@dataclass
class Reading:
    """The state of reading one report once its framework is known."""

    cursor: Cursor
    framework: Framework
    marks: SectionMarks = field(default_factory=SectionMarks)
    items: ActionItems = field(default_factory=ActionItems)

    def next_in_part(self) -> Block | None:
        """The next block, unless the report or the current pillar's part ends there."""
        block = self.cursor.peek()
        if block is None or ends_pillar_part(block, self.framework):
            return None
        return block
