"""Where a report comes from: the seed manifest (seed/manifest.csv) and ReportSource, and
`read_text_file`, the one way a source file's text is read (`peel parse/load/seed`)."""

from __future__ import annotations

import csv
import errno
import hashlib
import io
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

MANIFEST_NAME = "manifest.csv"


class UnreadableFile(ValueError):
    """A file that is not UTF-8 text, or cannot be read at all. Its message is one line,
    `PATH: what is wrong` (and what to do), for a person."""


def read_text_file(path: Path) -> str:
    """The text of a UTF-8 file; UnreadableFile (one line) for a missing, unreadable or
    directory path, binary data, or text in another encoding (e.g. Windows-1252)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"{path}: cannot read: {_os_reason(error)}") from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnreadableFile(
            f"{path}: binary data, not text (a NUL byte at offset {nul}); give a UTF-8 text file"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02X} at offset "
            f"{error.start}); save it as UTF-8"
        ) from None


def _os_reason(error: OSError) -> str:
    reasons = {
        errno.ENOENT: "no such file",
        errno.EISDIR: "it is a directory, not a file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is not a directory",
    }
    return reasons.get(error.errno or 0) or (error.strerror or str(error)).lower()


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
    """The manifest's rows; UnreadableFile for a manifest that is not UTF-8 text."""
    text = read_text_file(directory / MANIFEST_NAME)
    return list(csv.DictReader(io.StringIO(text, newline="")))


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


def manifest_sources(seed_dir: Path) -> list[ReportSource]:
    """The manifest's rows in file order, their files not read (no sha256 yet): a source
    that cannot be read fails alone, when it is loaded."""
    return [_source_from_row(seed_dir, row) for row in _manifest_rows(seed_dir)]


def read_manifest(seed_dir: Path) -> list[ReportSource]:
    """The manifest's rows in file order, each with the sha256 of its text;
    UnreadableFile for the first file that is not UTF-8 text."""
    return [s.with_text(read_text_file(s.path)) for s in manifest_sources(seed_dir)]


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
