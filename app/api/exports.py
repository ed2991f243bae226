"""The whole dataset as files (`peel export`): each list's export, as the API streams it.

The sources are the list endpoints' own (`app.resources.sources()`), with no filter and
the default sort, so a file holds exactly what `GET /v1/<name>?format=...` answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from app.api import formats
from app.api.formats import Format
from app.resources import sources


def export_all(engine: Engine, directory: Path, fmt: Format) -> Iterator[tuple[Path, int]]:
    """Write every resource to `directory` (created if need be); yield (file, rows) each."""
    directory.mkdir(parents=True, exist_ok=True)
    for source in sources():
        yield formats.write(engine, source, fmt, directory)
