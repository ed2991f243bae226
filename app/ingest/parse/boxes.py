"""Boxed items inside a question section: areas for improvement, causes of concern, and
the recommendations that answer a cause of concern.

A box is a title block ("Areas for improvement") and bulleted blocks; a cause of concern
is one block of text, optionally followed by a "Recommendations" box whose items answer it.
"""

from __future__ import annotations

from app.ingest.document import ItemKind
from app.ingest.errors import ReportParseError
from app.ingest.ids import normalise
from app.ingest.parse.cursor import Reading
from app.ingest.parse.format import BULLET
from app.ingest.reference import Question
from app.ingest.text import Block

_TITLES: dict[str, ItemKind] = {
    "areas for improvement": "area-for-improvement",
    "area for improvement": "area-for-improvement",
    "cause of concern": "cause-of-concern",
    "causes of concern": "cause-of-concern",
    "recommendation": "recommendation",
    "recommendations": "recommendation",
}


def box_kind(block: Block) -> ItemKind | None:
    """The kind of box this block is the title of, if it is one."""
    return _TITLES.get(normalise(block.text))


def read_box(reading: Reading, kind: ItemKind, question: Question) -> int:
    """Read one box after its title (and a cause of concern's recommendations).

    Returns the box's last line.
    """
    if kind != "cause-of-concern":
        return _read_bullets(reading, kind, question, answers=None)
    statement = reading.cursor.expect("the text of the cause of concern")
    cause = reading.items.add(kind, question, statement.text, statement, None)
    nxt = reading.cursor.peek()
    if nxt is not None and box_kind(nxt) == "recommendation":
        reading.cursor.take()
        return _read_bullets(reading, "recommendation", question, answers=cause.key)
    return statement.last_line


def _read_bullets(reading: Reading, kind: ItemKind, question: Question, answers: str | None) -> int:
    cursor = reading.cursor
    last_line = 0
    while (block := cursor.peek()) is not None and BULLET.match(block.text):
        cursor.take()
        reading.items.add(kind, question, BULLET.sub("", block.text, count=1), block, answers)
        last_line = block.last_line
    if last_line == 0:
        raise ReportParseError(
            cursor.line, f"expected at least one bulleted item in the {kind.replace('-', ' ')} box"
        )
    return last_line
