"""Values computed from the data, kept while the data stays the same: the services' one
cache (the HTTP layer's own is app/api/http_cache.py).

Between two loads every read of the same question gets the same answer, so a value that
does not depend on the request beyond its key (a framework's pillars and questions, a
search's count and facets) is computed once per database and data version. A load bumps
the version: old entries are never asked for again and age out of the LRU.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from app.services.data_version import version_row

V = TypeVar("V")


def data_state(session: Session) -> tuple[Any, ...]:
    """Which database and which state of its data the session reads: its URL, the data
    version and when that last changed (two databases at one URL may share a version)."""
    return (str(session.get_bind().url), *version_row(session))


class PerVersion(Generic[V]):
    """An LRU of `entries` values keyed by (data state, key); thread-safe. Two requests
    missing the same key at once both compute it (the values are small and equal)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._items: OrderedDict[tuple, V] = OrderedDict()
        self._lock = Lock()

    def get(self, session: Session, key: Hashable, compute: Callable[[], V]) -> V:
        full_key = (*data_state(session), key)
        with self._lock:
            found = self._items.get(full_key)
            if found is not None:
                self._items.move_to_end(full_key)
                return found
        value = compute()
        with self._lock:
            self._items[full_key] = value
            self._items.move_to_end(full_key)
            while len(self._items) > self.entries:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
