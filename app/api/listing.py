"""The conventions every list endpoint shares: paging, sorting, strict query strings.

- `limit` (default 100, at most 1000) and `offset`; the page says `count` (all matches),
  `next` and `previous` links, and the same links go in an RFC 8288 `Link` header.
- `sort`: comma-separated fields, `-` for descending; each endpoint lists its fields.
- A query parameter the operation does not declare is a 400, so a typo never silently
  returns everything.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

from app.api.problems import InvalidParam, ProblemError

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


def paging(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")
    ] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=10**9, description="Items to skip.")] = 0,
) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(paging)]


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
    return (
        f"Comma-separated fields to sort by, '-' first for descending: {', '.join(allowed)}. "
        f"Default: {default}."
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
        allowed = sorted(_declared_query_params(route))
        raise ProblemError(
            400,
            "unknown-parameter",
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
            f"this operation takes: {', '.join(allowed) or 'none'}.",
            errors=[
                InvalidParam(name=f"query.{name}", reason="not a parameter of this operation")
                for name in unknown
            ],
        )
