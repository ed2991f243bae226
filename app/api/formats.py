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
  come from the response model, so an empty export still has its header. For spreadsheets
  a row also names what it only gives the id of (`force.name` beside `force`: the
  catalogue's names, read once an export), links (`href`, and the fields described as a
  "URL of ...") are absolute over HTTP (`http://host/v1/...`), the answer is an
  `attachment` named after the resource and its filters (`judgments-peel-2023-25.csv`),
  and `bom=true` starts it with a UTF-8 byte order mark (for Excel).
"""

from __future__ import annotations

import csv
import io
import json
import re
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, Union, get_args, get_origin

from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from sqlmodel import Session
from starlette.background import BackgroundTask

from app.db import read_snapshot
from app.resources.source import NAMED_IDS, CatalogueNames, Fetch, Item, Source

Format = Literal["json", "csv", "ndjson"]
EXPORT_FORMATS: tuple[Format, ...] = ("csv", "ndjson")
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "csv": "text/csv",
    "ndjson": "application/x-ndjson",
}
BATCH_SIZE = 500
BOM = "\ufeff"

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


def negotiate(
    accept: str | None, offered: tuple[Format, ...] = ("json", "csv", "ndjson")
) -> Format | None:
    """The format (of those `offered`) an Accept header asks for; JSON on a tie; None when
    none is acceptable.

    No header, `*/*` and browsers' `text/html,...,*/*;q=0.8` all get JSON.
    """
    ranges = _media_ranges(accept or "")
    if not ranges:
        return "json"
    best: Format | None = None
    best_quality = 0.0
    for fmt, media_type in MEDIA_TYPES.items():  # JSON first: it wins ties
        if fmt not in offered:
            continue
        quality = _quality(media_type, ranges)
        if quality > best_quality:
            best, best_quality = fmt, quality
    return best


# --- CSV columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # dotted: "source_lines.start"
    path: tuple[str, ...]
    # link: a root-relative URL made absolute; name: the catalogue's name of the id at path
    kind: Literal["value", "strings", "json", "link", "name"]


def _is_link(key: str, description: str | None) -> bool:
    """A field holding one of this API's URLs: `href`, or described as "URL of ..."."""
    return key == "href" or (description or "").startswith("URL of")


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def columns(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[Column]:
    """The CSV columns of a response model, nested models flattened to dotted names, with
    `<id>.name` beside each top-level id of NAMED_IDS the model does not name itself."""
    found: list[Column] = []
    keys = {field.alias or name for name, field in model.model_fields.items()}
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
        elif _is_link(key, field.description):
            found.append(Column(".".join(path), path, "link"))
        else:
            found.append(Column(".".join(path), path, "value"))
            if not prefix and key in NAMED_IDS and f"{key}_name" not in keys:
                found.append(Column(f"{key}.name", path, "name"))
    return found


@dataclass(frozen=True)
class Sheet:
    """What a CSV row needs beyond its item: the catalogue's names, and the base URL that
    makes links absolute (`http://host`; empty: links stay root-relative, as in files)."""

    names: CatalogueNames | None = None
    base_url: str = ""

    def link(self, url: str) -> str:
        if self.base_url and url.startswith("/") and not url.startswith("//"):
            return self.base_url + url
        return url


def _cell(data: dict[str, Any], column: Column, sheet: Sheet = Sheet()) -> str:
    value: Any = data
    for key in column.path:
        if value is None:
            return ""
        value = value[key]
    if value is None:
        return ""
    if column.kind == "name":
        found = sheet.names.name(column.path[-1], value, data) if sheet.names else None
        return found or ""
    if column.kind == "link":
        return sheet.link(str(value))
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


def encode(
    fmt: Format,
    model: type[BaseModel],
    chunks: Iterable[list[Any]],
    *,
    sheet: Callable[[], Sheet] = Sheet,
    bom: bool = False,
) -> Iterator[str]:
    """CSV or NDJSON text, one piece per batch (and the CSV header first). `sheet` is
    called once, before the first CSV row (it may read the catalogue's names); `bom` puts
    a UTF-8 byte order mark before the CSV header."""
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
    yield (BOM if bom else "") + flush()
    context = sheet()
    for batch in chunks:
        for item in batch:
            data = _dump(item)
            writer.writerow([_cell(data, column, context) for column in header])
        yield flush()


def csv_text(header: list[str], rows: Iterable[list[str]], *, bom: bool = False) -> str:
    """A whole CSV document (for answers small enough to build at once)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return (BOM if bom else "") + buffer.getvalue()


# --- file names ---------------------------------------------------------------------------

MAX_FILENAME_STEM = 120


def _safe(part: str) -> str:
    return re.sub(r"[^a-z0-9._]+", "-", part.lower()).strip("-._")


def filename_stem(resource: str, parts: Iterable[str] = ()) -> str:
    """`judgments-peel-2023-25-area`: the resource, then each filter value, each reduced to
    lowercase letters, digits, `.` and `_` between hyphens (nothing a header or a file
    system could misread), at most MAX_FILENAME_STEM characters."""
    pieces = [p for p in (_safe(resource), *(_safe(part) for part in parts)) if p]
    stem = "-".join(pieces)[:MAX_FILENAME_STEM].rstrip("-._")
    return stem or "export"


def disposition(fmt: Format, stem: str) -> str:
    """CSV is a download (`attachment`: spreadsheets open it); NDJSON stays `inline`."""
    kind = "attachment" if fmt == "csv" else "inline"
    return f'{kind}; filename="{stem}.{fmt}"'


def stream(
    session: Session,
    source: Source[Any],
    fmt: Format,
    *,
    start: int,
    stop: int | None,
    stem: str | None = None,
    base_url: str = "",
    bom: bool = False,
) -> StreamingResponse:
    """The export as an HTTP response, streamed from `session` while it is read; `stem`
    names the file (default: the source's name), `base_url` makes CSV links absolute."""
    return StreamingResponse(
        encode(
            fmt,
            source.model,
            batches(session, source.fetch, start=start, stop=stop),
            sheet=lambda: Sheet(CatalogueNames.load(session), base_url),
            bom=bom,
        ),
        background=BackgroundTask(session.close),  # also when the stream never starts
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": disposition(fmt, stem or source.name),
            "Vary": "Accept",
        },
    )


def write(
    engine: Engine, source: Source[Any], fmt: Format, directory: Path, *, base_url: str = ""
) -> tuple[Path, int]:
    """Every item of `source` to `directory/<name>.<fmt>`; (the file, its item count).
    CSV rows name their ids as over HTTP; links stay root-relative unless `base_url` is given.

    Written to a temporary file that replaces the old one at the end, so a failure never
    leaves half a file under the real name.
    """
    path = directory / f"{source.name}.{fmt}"
    partial = path.with_name(f".{path.name}.partial")
    rows = 0
    session = read_snapshot(engine)

    def counted() -> Iterator[list[Any]]:
        nonlocal rows
        for batch in batches(session, source.fetch):
            rows += len(batch)
            yield batch

    try:
        with partial.open("w", encoding="utf-8", newline="") as file:
            sheet = lambda: Sheet(CatalogueNames.load(session), base_url)  # noqa: E731
            _write_all(file, encode(fmt, source.model, counted(), sheet=sheet))
        partial.replace(path)
    finally:
        session.close()
        partial.unlink(missing_ok=True)
    return path, rows


def _write_all(file: IO[str], pieces: Iterable[str]) -> None:
    for piece in pieces:
        file.write(piece)
