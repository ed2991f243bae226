"""The conventions every list endpoint shares: paging, sorting, strict query strings.

- `limit` (default 100, at most 1000; an operation may choose a smaller default, as search
  does) and `offset`; the page says `count` (all matches), `next` and `previous` links, and
  the same links go in an RFC 8288 `Link` header.
- `sort`: comma-separated fields, `-` for descending; each endpoint lists its fields.
- A query parameter the operation does not declare is a 400, so a typo never silently
  returns everything.
- `format` (`json`, `csv`, `ndjson`) or the `Accept` header chooses the representation:
  the JSON page, or every matching item streamed as CSV or NDJSON (`app/api/formats.py`);
  `limit` and `offset` bound an export only when the query string gives them. A CSV is an
  attachment named after the list and its filters, its rows name the ids they hold and
  give absolute links; `bom=true` starts it with a UTF-8 byte order mark (JSON and NDJSON
  ignore `bom`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from pydantic_core import to_json
from sqlmodel import Session

from app.api import formats
from app.api.deps import SessionDep
from app.api.formats import Format, Source
from app.api.http_cache import label_snapshot
from app.api.json_body import json_body, json_response
from app.api.problem_docs import problem_responses
from app.api.problems import InvalidParam, ProblemError, not_acceptable, unknown_parameters
from app.db import get_engine, read_snapshot

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

Item = TypeVar("Item")


class Page(BaseModel, Generic[Item]):
    count: int = Field(description="How many items match, on every page together.")
    limit: int
    offset: int
    next: str | None = Field(description="The next page's URL, or null on the last page.")
    previous: str | None = Field(description="The previous page's URL, or null on the first.")
    items: list[Item]


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging_with(default_limit: int, description: str | None = None) -> Callable[..., Any]:
    """The `limit` and `offset` dependency with `default_limit` items per page."""
    # `limit`'s Query is its default value, not in its annotation: annotations are strings
    # here (PEP 563), resolved in the module's namespace, where this closure's are not.
    limit_query = Query(
        default_limit,
        ge=1,
        le=MAX_LIMIT,
        description=description or f"Items per page (at most {MAX_LIMIT}).",
    )

    async def paging(
        limit: int = limit_query,
        offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
    ) -> Paging:
        return Paging(limit=limit, offset=offset)

    return paging


paging = paging_with(DEFAULT_LIMIT)
PagingDep = Annotated[Paging, Depends(paging)]

FORMAT_DESCRIPTION = (
    "json (default): a page. csv or ndjson: every matching item (or, when the query gives "
    "them, `limit` items from `offset`), streamed. Wins over the Accept header."
)
EXPORT_NOTE = (
    "A page of items as JSON; with `format=csv` or `format=ndjson`, or `Accept: text/csv` or "
    "`application/x-ndjson`, every matching item as CSV (nested fields as dotted columns) "
    "or as newline-delimited JSON (one item a line). The CSV is for spreadsheets: an "
    "attachment named after the list and its filters (`judgments-peel-2023-25.csv`), each "
    "id with its name beside it (`force.name` beside `force`), links absolute "
    "(`http://host/v1/...`), and a UTF-8 byte order mark with `bom=true`."
)
BOM_DESCRIPTION = (
    "CSV only: start the file with a UTF-8 byte order mark, so that Excel reads it as UTF-8. "
    "Ignored for JSON and NDJSON."
)
# Query parameters that shape an answer, not what it lists: left out of export file names.
NOT_FILTERS = frozenset({"format", "limit", "offset", "sort", "bom"})


def export_stem(resource: str, request: Request) -> str:
    """The export's file name without extension: the resource, then the path parameters and
    the filters (by name) that the request gives: `judgments-peel-2023-25-area`."""
    parts = [str(value) for value in request.path_params.values()]
    for name in sorted(set(request.query_params) - NOT_FILTERS):
        for value in request.query_params.getlist(name):
            if value.lower() in ("true", "false"):
                value = name if value.lower() == "true" else f"not-{name}"
            parts.append(value)
    return formats.filename_stem(resource, parts)


def origin(request: Request) -> str:
    """`http://host`: what this API's root-relative links resolve against."""
    return f"{request.url.scheme}://{request.url.netloc}"


@dataclass
class ListRequest:
    """A list operation's request: paging, the chosen format, and what answers it."""

    request: Request
    response: Response
    session: Session
    paging: Paging
    format: Format
    bom: bool = False

    def json_page(self, items: list[dict[str, Any]], count: int, **extra: Any) -> Response:
        """The JSON page of `items` (dicts with the keys of the page's item model, in its
        field order), serialised once: the bytes FastAPI would make of the `Page` model
        (pydantic's JSON), without building and re-validating a model per item. The Link
        header goes on it as FastAPI would add the `response` dependency's headers."""
        next_url, previous_url = page_links(self.request, self.response, count, self.paging)
        body = to_json(
            {
                "count": count,
                "limit": self.paging.limit,
                "offset": self.paging.offset,
                "next": next_url,
                "previous": previous_url,
                "items": items,
                **extra,
            }
        )
        return json_response(body, self.response)

    def answer(self, source: Source[Any]) -> Any:
        """The JSON page of `source`, or its CSV or NDJSON export as a stream (the
        validators, Vary included, are app/api/http_cache.py's)."""
        if self.format == "json":
            items, count = source.fetch(self.session, self.paging.limit, self.paging.offset)
            page = page_of(self.request, self.response, items, count, self.paging)
            return json_body(page, self.response)
        # The export is everything unless the query string bounds it (offset's default is 0).
        bounded = "limit" in self.request.query_params
        # The stream outlives this request's session: it reads from a snapshot of its own,
        # and the ETag must name that snapshot's data version.
        snapshot = read_snapshot(self.request.app.state.engine or get_engine())
        label_snapshot(self.request, snapshot)
        return formats.stream(
            snapshot,
            source,
            self.format,
            start=self.paging.offset,
            stop=self.paging.offset + self.paging.limit if bounded else None,
            stem=export_stem(source.name, self.request),
            base_url=origin(self.request),
            bom=self.bom and self.format == "csv",
        )


async def requested_format(
    request: Request,
    format_: Annotated[Format | None, Query(alias="format", description=FORMAT_DESCRIPTION)] = None,
) -> Format:
    """`format` if given, else what the Accept header asks for; 406 when it asks for none."""
    chosen = format_ or formats.negotiate(request.headers.get("accept"))
    if chosen is None:
        raise not_acceptable(formats.MEDIA_TYPES.values())
    return chosen


async def list_request(
    request: Request,
    response: Response,
    session: SessionDep,
    paging: PagingDep,
    format_: Annotated[Format, Depends(requested_format)],
    bom: Annotated[bool, Query(description=BOM_DESCRIPTION)] = False,
) -> ListRequest:
    return ListRequest(request, response, session, paging, format_, bom)


ListDep = Annotated[ListRequest, Depends(list_request)]


def list_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses of a list operation: its export media types, 406, the problems."""
    return {
        200: {
            "description": EXPORT_NOTE,
            "content": {
                formats.MEDIA_TYPES[fmt]: {"schema": {"type": "string"}}
                for fmt in formats.EXPORT_FORMATS
            },
        },
        **problem_responses(*sorted({*statuses, 406})),
    }


def parse_sort(sort: str | None, allowed: Sequence[str], default: str) -> list[tuple[str, bool]]:
    """`'-grade,name'` -> [('grade', True), ('name', False)]; unknown fields are a 400."""
    fields: list[tuple[str, bool]] = []
    for part in (sort or default).split(","):
        name = part.strip()
        descending = name.startswith("-")
        name = name.lstrip("-")
        if name not in allowed:
            raise ProblemError(
                400,
                "invalid-request",
                f"Cannot sort by {name!r}: sort by one of {', '.join(allowed)} "
                "(prefix '-' for descending).",
                errors=[InvalidParam(name="query.sort", reason=f"unknown field {name!r}")],
            )
        fields.append((name, descending))
    return fields


def sort_description(allowed: Sequence[str], default: str) -> str:
    example = ",".join([f"-{allowed[0]}", *allowed[1:2]])
    return (
        f"The fields to sort by, separated by commas, the first deciding most; a field "
        f"with '-' before it sorts descending. Fields: {', '.join(allowed)}. E.g. "
        f"`{example}`. Default: `{default}`. A field not listed is a 400 problem."
    )


def sort_pattern(allowed: Sequence[str]) -> str:
    """The regular expression of the `sort` values `parse_sort` accepts (empty: the default)."""
    field = rf"\s*-?(?:{'|'.join(re.escape(name) for name in allowed)})\s*"
    return rf"^(?:{field}(?:,{field})*)?$"


def sort_query(allowed: Sequence[str], default: str) -> Any:
    """The `sort` query parameter: its fields in the description and, as a pattern, in the
    schema (so a client or a fuzzer knows which values are valid). The pattern is only
    declared, not enforced by FastAPI: `parse_sort` answers an unknown field with a 400
    that names it."""
    return Query(
        description=sort_description(allowed, default),
        json_schema_extra={"pattern": sort_pattern(allowed)},
    )


def page_links(
    request: Request, response: Response, count: int, paging: Paging
) -> tuple[str | None, str | None]:
    """(next, previous) page URLs; the same links go in the `Link` header."""

    def link(offset: int) -> str:
        # Root-relative, like every link this API gives: independent of the Host header.
        url = request.url.include_query_params(offset=offset, limit=paging.limit)
        return f"{url.path}?{url.query}"

    next_url = link(paging.offset + paging.limit) if paging.offset + paging.limit < count else None
    previous_url = link(max(paging.offset - paging.limit, 0)) if paging.offset > 0 else None
    links = [
        f'<{url}>; rel="{rel}"' for rel, url in (("next", next_url), ("prev", previous_url)) if url
    ]
    if links:
        response.headers["Link"] = ", ".join(links)
    return next_url, previous_url


def page_of(
    request: Request, response: Response, items: list[Item], count: int, paging: Paging
) -> Page[Item]:
    next_url, previous_url = page_links(request, response, count, paging)
    return Page[Item](
        count=count,
        limit=paging.limit,
        offset=paging.offset,
        next=next_url,
        previous=previous_url,
        items=items,
    )


_declared: dict[int, frozenset[str]] = {}


def _query_params(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_params(sub)
    return names


def _declared_query_params(route: APIRoute) -> frozenset[str]:
    key = id(route)
    if key not in _declared:
        _declared[key] = frozenset(_query_params(route.dependant))
    return _declared[key]


async def reject_unknown_query_params(request: Request) -> None:
    """Router dependency: 400 for any query parameter the operation does not declare."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared_query_params(route))
    if unknown:
        raise unknown_parameters(unknown, _declared_query_params(route))
