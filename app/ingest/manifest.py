"""Where a report comes from: the seed manifest (seed/manifest.csv) and ReportSource."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

MANIFEST_NAME = "manifest.csv"


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ReportSource:
    """A report file and the facts the manifest states about it.

    `sha256` is the hash of the text as loaded: the loader compares it to skip a report
    it already holds.
    """

    path: Path
    kind: str = "report"
    force: str | None = None
    framework: str | None = None
    published: date | None = None
    source_url: str | None = None
    licence: str | None = None
    sha256: str = ""

    def with_text(self, text: str) -> ReportSource:
        """This source with `sha256` set from the text actually read."""
        return replace(self, sha256=sha256_text(text))


def _optional(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _manifest_rows(directory: Path) -> list[dict[str, str]]:
    with (directory / MANIFEST_NAME).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _source_from_row(directory: Path, row: dict[str, str]) -> ReportSource:
    published = _optional(row.get("published"))
    return ReportSource(
        path=directory / row["file"],
        kind=_optional(row.get("kind")) or "report",
        force=_optional(row.get("force")),
        framework=_optional(row.get("framework")),
        published=date.fromisoformat(published) if published else None,
        source_url=_optional(row.get("source_url")),
        licence=_optional(row.get("licence")),
    )


def read_manifest(seed_dir: Path) -> list[ReportSource]:
    """The manifest's rows in file order, each with the sha256 of its text."""
    sources = [_source_from_row(seed_dir, row) for row in _manifest_rows(seed_dir)]
    return [s.with_text(s.path.read_text(encoding="utf-8")) for s in sources]


def source_for_path(path: Path, text: str, *, force: str | None = None) -> ReportSource:
    """The source of a report file: its row in a manifest beside it, if there is one.

    `force` (the command line's --force) wins over the manifest's.
    """
    source = ReportSource(path=path)
    if (path.parent / MANIFEST_NAME).is_file():
        row = next((r for r in _manifest_rows(path.parent) if r.get("file") == path.name), None)
        if row is not None:
            source = _source_from_row(path.parent, row)
    if force is not None:
        source = replace(source, force=force)
    return source.with_text(text)


def manifest_source(seed_dir: Path, path: Path) -> ReportSource | None:
    """The manifest's line for the file at `path` (wherever the manifest points), if any."""
    if not (seed_dir / MANIFEST_NAME).is_file():
        return None
    wanted = path.resolve()
    for row in _manifest_rows(seed_dir):
        source = _source_from_row(seed_dir, row)
        if source.path.resolve() == wanted:
            return source
    return None
