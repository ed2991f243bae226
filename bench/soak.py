"""Soak: mixed reads from 64 connections for 60 s while the same report is re-imported.

Run: .venv/bin/python bench/soak.py [--seconds 60] [--connections 64] [--database-url URL]

It starts `peel serve` (one worker) on a fresh database (SQLite under bench/results by
default), then keeps 64 connections reading the report card, judgments, findings and
search, while every few seconds it imports the seed report or a copy with one grade
changed, alternately. At the end it prints requests, socket errors, 5xx, and checks
every read: the body of a report card must show the grade of the data version its ETag
names (the version each import returned), never the other one: a read during an import
sees the old or the new data, never a mix. Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.api.auth import new_key_entry  # noqa: E402
from tests.helpers import changed_report_text  # noqa: E402
from tests.reports import seed_document, seed_text  # noqa: E402
from tests.server import start_server  # noqa: E402

CARD = "/v1/inspections/west-midlands-2018-19"
READS = (
    CARD,
    "/v1/judgments?force=west-midlands",
    "/v1/findings?inspection=west-midlands-2018-19",
    "/v1/search?q=vetting",
)


def _grade(card: dict, question: str) -> str | None:
    for pillar in card["pillars"]:
        for item in pillar["questions"]:
            if item["question"] == question:
                return item["judgment"]["grade"]
    return None


async def soak(base: str, key: str, seconds: float, connections: int, every: float) -> int:
    original, changed = seed_text(), None
    changed, question, new_grade = changed_report_text(seed_document(), original)
    old_grade = next(j.grade for j in seed_document().judgments if j.question == question)
    grade_of_version: dict[int, str] = {}
    statuses: Counter[int] = Counter()
    socket_errors = 0
    cards: list[tuple[int, str | None]] = []  # (version in the ETag, grade in the body)
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections + 2)

    async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as client:
        first = await client.get(CARD)
        grade_of_version[int(first.headers["etag"].strip('"').split("-")[0])] = _grade(
            first.json(), question
        )

        async def reader(n: int) -> None:
            nonlocal socket_errors
            i = n
            while time.monotonic() < deadline:
                url = READS[i % len(READS)]
                i += 1
                try:
                    response = await client.get(url)
                except httpx.TransportError:
                    socket_errors += 1
                    continue
                statuses[response.status_code] += 1
                if url == CARD and response.status_code == 200:
                    version = int(response.headers["etag"].strip('"').split("-")[0])
                    cards.append((version, _grade(response.json(), question)))

        async def importer() -> None:
            texts = [changed, original]
            n = 0
            while time.monotonic() < deadline - every:
                await asyncio.sleep(every)
                response = await client.post(
                    "/v1/imports",
                    content=texts[n % 2],
                    headers={"Content-Type": "text/plain", "X-API-Key": key},
                )
                statuses[response.status_code] += 1
                result = response.json()
                grade_of_version[result["data_version"]] = new_grade if n % 2 == 0 else old_grade
                n += 1

        await asyncio.gather(importer(), *(reader(n) for n in range(connections)))

    mixed = [(v, g) for v, g in cards if v in grade_of_version and grade_of_version[v] != g]
    unknown = {v for v, _ in cards if v not in grade_of_version}
    total = sum(statuses.values())
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    print(
        f"requests: {total:,} in {seconds:.0f} s ({total / seconds:,.0f}/s) from {connections} connections"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"socket errors: {socket_errors}; 5xx: {server_errors}")
    print(
        f"imports: {len(grade_of_version) - 1} data versions made; report cards checked: {len(cards):,}"
    )
    print(
        f"cards whose body is not their ETag's version: {len(mixed)}; unknown versions: {sorted(unknown)}"
    )
    return 1 if socket_errors or server_errors or mixed or unknown else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--import-every", type=float, default=3.0)
    parser.add_argument("--database-url", help="default: a new SQLite file under bench/results")
    args = parser.parse_args()
    key, entry = new_key_entry("soak", ["import"])
    os.environ["API_KEYS"] = entry
    os.environ["IMPORT_RATE_LIMIT"] = "0"  # the soak imports faster than the default limit
    with tempfile.TemporaryDirectory(dir=ROOT / "bench") as directory:
        url = args.database_url or f"sqlite:///{directory}/soak.db"
        server = start_server(url)
        try:
            server.wait_ready()
            status = asyncio.run(
                soak(server.base, key, args.seconds, args.connections, args.import_every)
            )
        finally:
            server.stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
