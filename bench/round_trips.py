"""CPU of Postgres reads as served against the round trips they made before.

Command: `taskset -c 0 .venv/bin/python bench/round_trips.py --database-url URL`
(`--pairs`). Two apps in one process on the same database, response cache off: one as
served (a pooled connection pinged only after PING_AFTER_IDLE_S unused; a revalidation
reads the version before the snapshot begins), one as before (SQLAlchemy's ping at every
checkout, `pool_pre_ping=True`; the version read in the snapshot: BEGIN, the read,
ROLLBACK). Requests alternate between them, one at a time, and the medians of each one's
process CPU per request are compared: paired requests cancel the drift of a machine
whose speed wanders (bench/README.md), which best-of-rounds did not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import computed_reads

CARD = "/v1/inspections/west-midlands-2018-19"
# (label, path, If-None-Match: "current" for the card's ETag now, or a value, or None).
CASES = [
    ("304 card", CARD, "current"),
    ("card, stale ETag", CARD, '"1-0000000000000000"'),
    ("card", CARD, None),
    ("judgments", "/v1/judgments?force=west-midlands", None),
]


async def compare(database_url: str, pairs: int) -> None:
    os.environ["RESPONSE_CACHE_BYTES"] = "0"
    computed_reads.quiet_access_log()
    from app.api import http_cache
    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app
    from app.services.data_version import version_now, version_row

    before = make_engine(database_url)
    before.pool._pre_ping = True  # SQLAlchemy's ping at every checkout
    apps = {
        "as served": create_app(make_engine(database_url), Settings()),
        "before": create_app(before, Settings()),
    }
    # How each reads the version of a revalidation (set before each of its requests).
    revalidation = {"as served": version_now, "before": version_row}
    _, headers, _ = await computed_reads.call(apps["as served"], CARD)
    etag = dict(headers)[b"etag"].decode()
    for label, path, if_none_match in CASES:
        tag = etag if if_none_match == "current" else if_none_match
        spent: dict[str, list[float]] = {name: [] for name in apps}
        for name, app in apps.items():
            http_cache.version_now = revalidation[name]
            for _ in range(10):  # warm: statements compiled and prepared
                status, _, _ = await computed_reads.call(app, path, if_none_match=tag)
                assert status == (304 if tag == etag else 200), (path, status)
        for i in range(pairs):
            for name in list(apps)[:: 1 if i % 2 else -1]:  # alternate which goes first
                http_cache.version_now = revalidation[name]
                started = time.process_time()
                await computed_reads.call(apps[name], path, if_none_match=tag)
                spent[name].append(time.process_time() - started)
        medians = {name: statistics.median(values) * 1e6 for name, values in spent.items()}
        served, before_us = medians["as served"], medians["before"]
        print(
            f"{label:<16} as served {served:7.0f} us  before {before_us:7.0f} us  {served / before_us:.3f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", required=True, help="a Postgres database (bench/run.py's)"
    )
    parser.add_argument("--pairs", type=int, default=600)
    args = parser.parse_args()
    asyncio.run(compare(args.database_url, args.pairs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
