"""A route's model as its JSON response, serialised once.

A sync route that returns a model has FastAPI validate it again in another thread hop,
then serialise it; a model this service built from its own rows needs neither check.
The bytes are those FastAPI makes of the route's declared model (by alias, nothing
excluded); the declared return type still documents the response."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_body(model: BaseModel) -> Response:
    """`model`'s JSON, as FastAPI would answer it."""
    body = model.__pydantic_serializer__.to_json(model, by_alias=True)
    return Response(body, media_type="application/json")
