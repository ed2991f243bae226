"""Bulk export of a list: every matching item as CSV or newline-delimited JSON, streamed.

A list endpoint describes what it lists as a `Source` (app/resources/source.py): a name (the file name), the item's
response model and `fetch(session, limit, offset) -> (items, count)`, which applies the
request's filters and sort. The JSON page calls `fetch` once; an export calls it batch by
batch (`BATCH_SIZE` items at a time, offset paging on the same ordered query) in a
session of its own, opened when the stream starts: the request's session may be closed
before the stream ends. `peel export` writes the same streams to files.

- NDJSON: one item a line, exactly the JSON object the page would hold.
- CSV: a header row, then one row an item. Nested objects become dotted columns
  (`force.id`, `source_lines.start`), lists of strings are joined with a blank line, lists
  of objects are a JSON string, null is empty, booleans are `true`/`false`. The columns
  come from the response model, so an empty export still has its header.
"""

from __future__ import annotations

import csv
import io
import json
import types
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Union, get_args, get_origin

from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.background import BackgroundTask

from app.db import read_snapshot
from app.resources.source import Fetch, Item, Source

Format = Literal["json", "csv", "ndjson"]
EXPORT_FORMATS: tuple[Format, ...] = ("csv", "ndjson")
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
}
BATCH_SIZE = 500

# --- content negotiation --------------------------------------------------------------


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if not media:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 1.0
        ranges.append((media, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The q of the most specific range matching `media_type` (0 when none does)."""
    main = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for media, quality in ranges:
        if media == media_type:
            specificity = 2
        elif media == f"{main}/*":
            specificity = 1
        elif media == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[0]:
            best = (specificity, quality)
    return best[1]


def negotiate(accept: str | None) -> Format | None:
    """The format an Accept header asks for; JSON on a tie; None when none is acceptable.

    No header, `*/*` and browsers' `text/html,...,*/*;q=0.8` all get JSON.
    """
    ranges = _media_ranges(accept or "")
    if not ranges:
        return "json"
    best: Format | None = None
    best_quality = 0.0
    for fmt, media_type in MEDIA_TYPES.items():  # JSON first: it wins ties
        quality = _quality(media_type, ranges)
        if quality > best_quality:
            best, best_quality = fmt, quality
    return best


# --- CSV columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # dotted: "source_lines.start"
    path: tuple[str, ...]
    kind: Literal["value", "strings", "json"]


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def columns(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Column]:
    """The CSV columns of a response model, nested models flattened to dotted names."""
    found: list[Column] = []
    for name, field in model.model_fields.items():
        key = field.alias or name
        path = (*prefix, key)
        annotation = _without_none(field.annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += columns(annotation, path)
        elif origin in (list, tuple, set, frozenset):
            strings = all(_without_none(a) is str for a in get_args(annotation) if a is not ...)
            found.append(Column(".".join(path), path, "strings" if strings else "json"))
        elif origin is dict or annotation is dict:
            found.append(Column(".".join(path), path, "json"))
        else:
            found.append(Column(".".join(path), path, "value"))
    return found


def _cell(data: dict[str, Any], column: Column) -> str:
    value: Any = data
    for key in column.path:
        if value is None:
            return ""
        value = value[key]
    if value is None:
        return ""
    if column.kind == "strings":
        return "\n\n".join(value)
    if column.kind == "json":
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _dump(item: BaseModel) -> dict[str, Any]:
    return item.model_dump(mode="json", by_alias=True)


# --- streams ------------------------------------------------------------------------------


def batches(
    session: Session, fetch: Fetch[Item], *, start: int = 0, stop: int | None = None
) -> Iterator[list[Item]]:
    """Items `start` to `stop` (None: to the end), BATCH_SIZE at a time, in `session`.

    Give it a snapshot session (app.db.read_snapshot), so that a load committed meanwhile
    never splits an export; it is closed when the batches end.
    """
    try:
        position = start
        while stop is None or position < stop:
            size = BATCH_SIZE if stop is None else min(BATCH_SIZE, stop - position)
            items, _count = fetch(session, size, position)
            if items:
                yield items
            if len(items) < size:
                return
            position += size
    finally:
        session.close()


def encode(fmt: Format, model: type[BaseModel], chunks: Iterable[list[Any]]) -> Iterator[str]:
    """CSV or NDJSON text, one piece per batch (and the CSV header first)."""
    if fmt == "ndjson":
        for batch in chunks:
            yield "".join(
                json.dumps(_dump(item), ensure_ascii=False, separators=(",", ":")) + "\n"
                for item in batch
            )
        return
    if fmt != "csv":
        raise ValueError(f"not an export format: {fmt!r}")
    header = columns(model)
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([column.name for column in header])
    yield flush()
    for batch in chunks:
        for item in batch:
            data = _dump(item)
            writer.writerow([_cell(data, column) for column in header])
        yield flush()


def stream(
    session: Session, source: Source[Any], fmt: Format, *, start: int, stop: int | None
) -> StreamingResponse:
    """The export as an HTTP response, streamed from `session` while it is read."""
    filename = f"{source.name}.{fmt}"
    return StreamingResponse(
        encode(fmt, source.model, batches(session, source.fetch, start=start, stop=stop)),
        background=BackgroundTask(session.close),  # also when the stream never starts
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Vary": "Accept",
        },
    )


def write(engine: Engine, source: Source[Any], fmt: Format, directory: Path) -> tuple[Path, int]:
    """Every item of `source` to `directory/<name>.<fmt>`; (the file, its item count).

    Written to a temporary file that replaces the old one at the end, so a failure never
    leaves half a file under the real name.
    """
    path = directory / f"{source.name}.{fmt}"
    partial = path.with_name(f".{path.name}.partial")
    rows = 0

    def counted() -> Iterator[list[Any]]:
        nonlocal rows
        for batch in batches(read_snapshot(engine), source.fetch):
            rows += len(batch)
            yield batch

    try:
        with partial.open("w", encoding="utf-8", newline="") as file:
            _write_all(file, encode(fmt, source.model, counted()))
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path, rows


def _write_all(file: IO[str], pieces: Iterable[str]) -> None:
    for piece in pieces:
        file.write(piece)
