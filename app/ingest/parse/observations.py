"""The HM Inspector's observations: paragraphs up to the signature, which names the author."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.ingest.parse.cursor import Cursor
from app.ingest.parse.format import is_pillar_divider
from app.ingest.parse.paragraphs import Paragraphs
from app.ingest.reference import Framework
from app.ingest.text import Block

_HEADING = re.compile(r"^HM (Chief )?Inspector['’]s observations$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^HM (Chief )?Inspector of Constabulary", re.IGNORECASE)


def is_observations_heading(block: Block) -> bool:
    return bool(_HEADING.match(block.text))


@dataclass(frozen=True)
class Observations:
    paragraphs: list[str]
    inspector: str | None  # the paragraph before the signature's title


def read_observations(cursor: Cursor, framework: Framework) -> Observations:
    """From after the heading to the signature (or the first pillar's divider)."""
    paragraphs = Paragraphs()
    while (block := cursor.peek()) is not None and not is_pillar_divider(block, framework):
        cursor.take()
        if _SIGNATURE.match(block.text):
            inspector = paragraphs.pop()
            return Observations(paragraphs.texts(), inspector)
        paragraphs.add(block)
    return Observations(paragraphs.texts(), None)
