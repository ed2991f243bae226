"""Paragraphs rebuilt from blocks: the one place that says when a block continues a paragraph.

PDF extraction cuts paragraphs wherever a page ends, a footer link stands or a box
interrupts the prose, so one printed paragraph can arrive as several blocks. A block
continues the paragraph before it when that paragraph has not ended a sentence, or when
the block itself begins in lower case (mid-sentence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.ingest.text import Block, unwrap


def is_terminated(text: str) -> bool:
    """Does this prose end a sentence (so the next block starts a new paragraph)?"""
    stripped = text.rstrip("’”)] ")
    return bool(stripped) and stripped[-1] in ".?!:;"


def starts_mid_sentence(block: Block) -> bool:
    """Does this block begin in lower case, carrying on a sentence begun before it?"""
    return block.text[0].islower()


@dataclass
class Paragraph:
    first_line: int
    last_line: int
    text: str


@dataclass
class Paragraphs:
    """The paragraphs of one stretch of prose (a summary, a finding, the observations)."""

    items: list[Paragraph] = field(default_factory=list)
    open: bool = False  # may the next block continue the last paragraph?

    @property
    def awaits_continuation(self) -> bool:
        """Is the last paragraph open and cut mid-sentence?"""
        return self.open and not is_terminated(self.items[-1].text)

    def continues(self, block: Block) -> bool:
        """The joining rule: does this block carry on the last paragraph?"""
        return self.awaits_continuation or (self.open and starts_mid_sentence(block))

    def add(self, block: Block) -> None:
        if self.continues(block):
            last = self.items[-1]
            last.last_line = block.last_line
            last.text = unwrap([last.text, block.text])
        else:
            self.items.append(Paragraph(block.first_line, block.last_line, block.text))
            self.open = True

    def close(self) -> None:
        """The next block starts a new paragraph, whatever it looks like."""
        self.open = False

    def pop(self) -> str | None:
        """Take the last paragraph off (the observations' signature block names its author)."""
        return self.items.pop().text if self.items else None

    def texts(self) -> list[str]:
        return [paragraph.text for paragraph in self.items]

    def last_line(self, default: int) -> int:
        return self.items[-1].last_line if self.items else default
