"""What a list lists: the `Source` every list endpoint, its exports and `peel export` read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Session

Item = TypeVar("Item", bound=BaseModel)
Fetch = Callable[[Session, int, int], tuple[list[Item], int]]
SortFields = list[tuple[str, bool]]


@dataclass(frozen=True)
class Source(Generic[Item]):
    """What a list endpoint lists: `fetch(session, limit, offset) -> (items, count)`."""

    name: str
    model: type[Item]
    fetch: Fetch[Item]


def sort_fields(sort: SortFields | None, default: str) -> SortFields:
    """`sort` as the route validated it, or `default` (`'inspection,-position'`) read."""
    if sort:
        return sort
    return [(name.lstrip("-"), name.startswith("-")) for name in default.split(",")]
