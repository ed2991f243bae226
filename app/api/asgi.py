"""Helpers shared by the ASGI middleware in front of the routing (observe, security, http_cache)."""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of request header `name` (lower-case bytes, as ASGI gives them)."""
    return next((value for key, value in scope["headers"] if key == name), None)
