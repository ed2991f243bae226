"""What the store raises for input it cannot take (nothing of it is written)."""

from __future__ import annotations


class LoadError(ValueError):
    """A document or a file of records that does not fit the catalogue or its source."""


class SourceError(Exception):
    """A source `peel load` / `peel seed` cannot store: unreadable, not parsed, or not
    fitting the catalogue. The message is for a person (the file and line, and what to
    do); nothing of the source was stored."""
