"""Natural-key ids: the one place that says how a slug and every stored id are made.

Ids are built from what the source states (a force, a framework's year label, a
question, a heading), never from counters, so loading the same source again reproduces
every id; they are URL-safe, dot-joined slugs ('.' never occurs inside a slug).
"""

from __future__ import annotations

import re


def normalise(text: str) -> str:
    """Case- and whitespace-insensitive form used to compare names as printed."""
    text = text.replace("’", "'").replace("‘", "'").replace("–", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def slugify(text: str) -> str:
    """'Protecting vulnerable people' -> 'protecting-vulnerable-people'."""
    return re.sub(r"[^a-z0-9]+", "-", normalise(text).replace("'", "")).strip("-")


def inspection_id(force_id: str, year_label: str) -> str:
    """One force in one framework: 'kent' + '2018/19' -> 'kent-2018-19'."""
    return f"{force_id}-{slugify(year_label)}"


def child_id(inspection: str, *parts: str) -> str:
    """A row of an inspection: its id and the natural keys below it, dot-joined."""
    return ".".join((inspection, *parts))
