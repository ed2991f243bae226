"""A route's answer as JSON bytes made once, for routes that build their own Response.

A sync route that returns a model has FastAPI validate it again in another thread hop,
then serialise it; a model this service built from its own rows needs neither check.
The bytes are those FastAPI makes of the route's declared model (by alias, nothing
excluded); the declared return type still documents the response. FastAPI adds the
headers a route set on its `Response` parameter (the `Link` of a page) only to answers
it makes itself, so these carry them over."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_response(body: bytes, response: Response | None = None) -> Response:
    """`body` (JSON) as the answer, with the headers the route set on `response`."""
    answer = Response(body, media_type="application/json")
    if response is not None:
        answer.headers.raw.extend(response.headers.raw)
    return answer


def json_body(model: BaseModel, response: Response | None = None) -> Response:
    """`model`'s JSON, as FastAPI would answer it."""
    return json_response(model.__pydantic_serializer__.to_json(model, by_alias=True), response)
