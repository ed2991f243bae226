"""The reference for the benchmark: a raw ASGI app returning fixed response bytes.

No framework, no database: what the server stack (uvicorn, HTTP parsing, the socket)
costs on its own. `BENCH_FIXTURE` names a JSON file of responses captured from the
service (bench/run.py writes it), so both answer the same bytes.
"""

from __future__ import annotations

import json
import os
from typing import Any

Response = tuple[int, list[tuple[bytes, bytes]], bytes]


def _load() -> dict[tuple[str, bool], Response]:
    with open(os.environ["BENCH_FIXTURE"], encoding="utf-8") as handle:
        fixture = json.load(handle)
    responses = {}
    for entry in fixture:
        body = entry["body"].encode("utf-8")
        headers = [(k.encode(), v.encode()) for k, v in entry["headers"]]
        headers.append((b"content-length", str(len(body)).encode()))
        responses[(entry["target"], entry["conditional"])] = (entry["status"], headers, body)
    return responses


RESPONSES = _load()
NOT_FOUND: Response = (404, [(b"content-length", b"0")], b"")


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    query = scope["query_string"].decode()
    target = scope["path"] + (f"?{query}" if query else "")
    conditional = any(name == b"if-none-match" for name, _ in scope["headers"])
    status, headers, body = RESPONSES.get((target, conditional), NOT_FOUND)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
