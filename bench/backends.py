"""Postgres against SQLite, response cache off, measured in alternation.

Command: `.venv/bin/python bench/backends.py --postgres-url postgresql+psycopg://...`
(`--rounds`, `--duration`, `--connections`, `--dataset`). One uvicorn worker per backend,
both on core 0 with their response cache off, on bench/run.py's database of `--dataset`;
wrk on core 1 loads one endpoint on one backend for `--duration` seconds, then the same
endpoint on the other, `--rounds` times, the order swapped each round. The median req/s
of each and their ratio are printed, then each worker's RSS.

Why not bench/run.py's blocks: it measures every SQLite row, then every Postgres row
minutes later. On a machine whose speed wanders (bench/README.md: the same loop 181-264
ms minutes apart) the drift between the two blocks was larger than the difference
between the backends; alternating short loads spreads the drift over both.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run import (
    CARD,
    ENDPOINTS,
    _ensure_wrk,
    _free_port,
    _prepare,
    _rss_mb,
    _start,
    _stop,
    _uvicorn,
    _wait,
    _wrk,
)

BACKENDS = ("sqlite", "postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", required=True, help="an admin URL (bench/run.py's)")
    parser.add_argument("--dataset", default="reports21")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=2, help="seconds of wrk per load")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    _ensure_wrk()
    urls = {backend: _prepare(backend, args.dataset, args.postgres_url) for backend in BACKENDS}
    ports = {backend: _free_port() for backend in BACKENDS}
    processes = {
        backend: _start(
            _uvicorn("app.main:app", ports[backend]),
            {"DATABASE_URL": urls[backend], "RESPONSE_CACHE_BYTES": "0"},
        )
        for backend in BACKENDS
    }
    try:
        bases = {backend: f"http://127.0.0.1:{port}" for backend, port in ports.items()}
        for base in bases.values():
            _wait(base + "/readyz")
        print(f"| endpoint (cache off, {args.dataset}) | SQLite req/s | Postgres req/s | ratio |")
        print("|---|---|---|---|")
        for endpoint in ENDPOINTS:
            rates: dict[str, list[float]] = {backend: [] for backend in BACKENDS}
            headers = {backend: {} for backend in BACKENDS}
            if endpoint.conditional:  # each backend's own ETag (its own last-modified)
                for backend, base in bases.items():
                    etag = httpx.get(base + CARD, timeout=30).headers["etag"]
                    headers[backend] = {"If-None-Match": etag}
            for backend, base in bases.items():  # warm up
                _wrk(base + endpoint.target, duration=1, connections=8, headers=headers[backend])
            for round_number in range(args.rounds):
                order = BACKENDS if round_number % 2 == 0 else BACKENDS[::-1]
                for backend in order:
                    figure = _wrk(
                        bases[backend] + endpoint.target,
                        duration=args.duration,
                        connections=args.connections,
                        headers=headers[backend],
                    )
                    if figure.errors:
                        raise SystemExit(f"bench: {figure.errors} errors on {backend}")
                    rates[backend].append(figure.requests_per_second)
            sqlite, postgres = (statistics.median(rates[backend]) for backend in BACKENDS)
            print(
                f"| {endpoint.name} | {sqlite:,.0f} | {postgres:,.0f} | {postgres / sqlite:.2f} |"
            )
        for backend, process in processes.items():
            rss = _rss_mb(process.pid)
            print(f"worker RSS after the run, {backend}: {rss['rss']:.0f} MB", end=" ")
            print(f"(anon {rss['anon']:.0f}, file {rss['file']:.0f})")
    finally:
        for process in processes.values():
            _stop(process)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
