"""Per-request CPU of computed reads (response cache off) and of a cached answer, in process.

Command: `taskset -c 0 .venv/bin/python bench/computed_reads.py` (`--database-url`,
`--rounds`, `--requests`). Each endpoint is called straight through the ASGI interface
(no sockets, no HTTP client): `--requests` calls a round, `--rounds` rounds, and the
best round's process CPU time (threads included) per request is reported. The service
runs as `peel serve` runs it: the JSON access log on at INFO (written to /dev/null), the
request-id, metrics, security and cache layers in place. "cached report card" is the
same app with its response cache on; "reference" is a raw ASGI app answering the same
bytes, the bare minimum of the same in-process driver.

`--snapshot FILE` instead writes status, headers (less the request id) and body of a
list of URLs (filters, sorting, paging, CSV and NDJSON) to FILE as JSON, to compare two
builds: `--compare A B` prints the URLs whose answers differ.

Prepare a database first: `rm -f /tmp/perf.db; DATABASE_URL=sqlite:////tmp/perf.db
.venv/bin/peel seed`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ENDPOINTS = {
    "judgments": "/v1/judgments?force=west-midlands",
    "report card": "/v1/inspections/west-midlands-2018-19",
    "findings": "/v1/findings?inspection=west-midlands-2018-19",
}

SNAPSHOT_URLS = [
    "/v1/judgments",
    "/v1/judgments?force=west-midlands",
    "/v1/judgments?force=west-midlands&format=csv",
    "/v1/judgments?force=west-midlands&format=ndjson",
    "/v1/judgments?framework=peel-2023-25&level=area",
    "/v1/judgments?framework=peel-2023-25&area=investigating-crime",
    "/v1/judgments?framework=peel-2018-19&pillar=effectiveness&level=pillar",
    "/v1/judgments?framework=peel-2018-19&level=pillar&limit=1000",
    "/v1/judgments?level=question&sort=-grade,force&limit=7&offset=14",
    "/v1/judgments?sort=last_inspected,-question&limit=50&offset=3",
    "/v1/judgments?carried_over=true",
    "/v1/judgments?carried_over=false&grade=good&limit=5",
    "/v1/judgments?last_inspected=2016",
    "/v1/judgments?question=protecting-vulnerable-people",
    "/v1/judgments?inspection=west-midlands-2018-19&sort=grade",
    "/v1/judgments?sort=bogus",
    "/v1/judgments?limit=0",
    "/v1/judgments?nope=1",
    "/v1/judgments?offset=100000",
    "/v1/judgments?format=csv&limit=20&offset=5",
    "/v1/judgments?force=nowhere",
    "/v1/inspections",
    "/v1/inspections?sort=-published&limit=5&offset=2",
    "/v1/inspections/west-midlands-2018-19",
    "/v1/inspections/west-midlands-2018-19?format=json",
    "/v1/inspections/nowhere",
    "/v1/inspections/dorset-2021-22",
    "/v1/inspections/essex-2021-22",
    "/v1/inspections/northamptonshire-2023-25",
    "/v1/inspections/warwickshire-2023-25",
    "/v1/inspections/west-midlands-2014",
    "/v1/inspections/avon-and-somerset-2018-19",
    "/v1/judgments?inspection=dorset-2021-22",
    "/v1/judgments?framework=peel-2021-22&limit=1000",
    "/v1/findings?inspection=avon-and-somerset-2018-19",
    "/v1/findings?force=nowhere&offset=3",
    "/v1/forces/west-midlands/history",
    "/v1/forces/west-midlands/inspections",
    "/v1/findings",
    "/v1/findings?inspection=west-midlands-2018-19",
    "/v1/findings?inspection=west-midlands-2018-19&limit=5&offset=5",
    "/v1/findings?pillar=legitimacy&sort=-page,heading",
    "/v1/findings?question=protecting-vulnerable-people&format=ndjson",
    "/v1/findings?force=west-midlands&format=csv",
    "/v1/findings?sort=heading&limit=3",
    "/v1/findings?sort=page,-position,question&limit=4&offset=9",
    "/v1/findings/west-midlands-2018-19.protecting-vulnerable-people.responding-to-incidents",
    "/v1/recommendations",
    "/v1/recommendations?kind=recommendation&format=csv",
    "/v1/recommendations?kind=cause-of-concern",
    "/v1/forces",
    "/v1/forces/west-midlands",
    "/v1/frameworks",
    "/v1/frameworks/peel-2018-19",
    "/v1/frameworks/peel-2018-19/grades",
    "/v1/frameworks/peel-2023-25/grades",
]
SNAPSHOT_ACCEPTS = {
    "/v1/judgments?force=west-midlands": ["text/csv", "application/x-ndjson", "image/png"],
    "/v1/findings?inspection=west-midlands-2018-19": ["application/x-ndjson"],
}


def make_app(database_url: str, cache_bytes: int) -> Any:
    os.environ["DATABASE_URL"] = database_url
    os.environ["RESPONSE_CACHE_BYTES"] = str(cache_bytes)
    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app

    return create_app(make_engine(database_url), Settings())


def quiet_access_log() -> None:
    """The JSON access log at INFO, as `peel serve` writes it, to /dev/null."""
    import logging.config

    from app.logs import logging_config

    config = logging_config("info")
    config["handlers"]["stderr"] = {
        "class": "logging.FileHandler",
        "filename": os.devnull,
        "formatter": "json",
    }
    logging.config.dictConfig(config)


def scope_of(
    url: str, accept: str | None = None, if_none_match: str | None = None
) -> dict[str, Any]:
    path, _, query = url.partition("?")
    headers = [(b"host", b"bench"), (b"user-agent", b"bench")]
    if accept:
        headers.append((b"accept", accept.encode()))
    if if_none_match:
        headers.append((b"if-none-match", if_none_match.encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }


async def call(
    app: Any, url: str, accept: str | None = None, if_none_match: str | None = None
) -> tuple[int, list, bytes]:
    scope = scope_of(url, accept, if_none_match)
    start: dict[str, Any] = {}
    body: list[bytes] = []

    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: wait until cancelled
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    return start["status"], start.get("headers", []), b"".join(body)


def reference_app(status: int, headers: list, body: bytes) -> Callable:
    start = {"type": "http.response.start", "status": status, "headers": headers}
    message = {"type": "http.response.body", "body": body}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(start)
        await send(message)

    return app


async def measure(app: Any, url: str, *, requests: int, rounds: int) -> float:
    """Best round's process CPU per request, in microseconds."""
    status, _, _ = await call(app, url)
    assert status == 200, (url, status)
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for _ in range(requests):
            await call(app, url)
        best = min(best, (time.process_time() - started) / requests)
    return best * 1e6


async def bench(args: argparse.Namespace) -> None:
    quiet_access_log()
    uncached = make_app(args.database_url, 0)
    cached = make_app(args.database_url, 32 * 1024 * 1024)
    rows = []
    for name, url in ENDPOINTS.items():
        us = await measure(uncached, url, requests=args.requests, rounds=args.rounds)
        rows.append((f"{name} (cache off)", url, us))
    card = ENDPOINTS["report card"]
    us = await measure(cached, card, requests=args.requests * 20, rounds=args.rounds)
    rows.append(("cached report card", card, us))
    status, headers, body = await call(cached, card)
    reference = reference_app(status, headers, body)
    ref_us = await measure(reference, card, requests=args.requests * 20, rounds=args.rounds)
    rows.append(("reference (same bytes)", card, ref_us))
    print(f"{'what':<28} {'us/request':>11}  {'req/s':>8}  url")
    for name, url, us in rows:
        print(f"{name:<28} {us:>11.1f}  {1e6 / us:>8.0f}  {url}")
    print(f"cached / reference overhead: {us_ratio(rows)}")


def us_ratio(rows: list[tuple[str, str, float]]) -> str:
    by_name = {name: us for name, _, us in rows}
    return f"{by_name['reference (same bytes)'] / by_name['cached report card']:.2f}x"


async def snapshot(args: argparse.Namespace) -> None:
    app = make_app(args.database_url, 0)
    answers = {}
    for url in SNAPSHOT_URLS:
        for accept in [None, *SNAPSHOT_ACCEPTS.get(url, [])]:
            status, headers, body = await call(app, url, accept)
            kept = [
                [k.decode("latin-1"), v.decode("latin-1")]
                for k, v in headers
                if k.lower() != b"x-request-id"
            ]
            answers[f"{url} [{accept or '-'}]"] = {
                "status": status,
                "headers": kept,
                "body": body.decode("utf-8"),
            }
    Path(args.snapshot).write_text(json.dumps(answers, indent=1, ensure_ascii=False))
    print(f"{len(answers)} answers written to {args.snapshot}")


def compare(a: str, b: str) -> int:
    before = json.loads(Path(a).read_text())
    after = json.loads(Path(b).read_text())
    differ = [key for key in before if before[key] != after.get(key)]
    for key in differ:
        print("DIFFERS:", key)
        for part in ("status", "headers", "body"):
            if before[key][part] != after[key][part]:
                print(f"  {part}:\n    before {str(before[key][part])[:600]}")
                print(f"    after  {str(after[key][part])[:600]}")
    print(f"{len(before) - len(differ)} of {len(before)} answers identical")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/perf.db")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--snapshot", help="write the answers of SNAPSHOT_URLS to this file")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        return compare(*args.compare)
    logging.getLogger("peel").setLevel(logging.WARNING)
    asyncio.run(snapshot(args) if args.snapshot else bench(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
