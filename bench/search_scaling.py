"""Does a search's cost follow the page or the number of matches? Times `search()`
in-process on the seed (one report) and on the seed plus 20 copies of its report renamed
to other forces (21 reports, about 21 times the matches), on SQLite and optionally Postgres.

Usage: .venv/bin/python bench/search_scaling.py [--runs 60] [--limit 20]
           [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

A "cold" run clears the service's facet cache first (when it has one), so it costs what a
query nobody asked since the last load costs; a "warm" run is the same query again.
Target: p50 on 21 reports at most 2x p50 on one report.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.db import make_engine  # noqa: E402
from app.ingest.manifest import read_manifest  # noqa: E402
from app.ingest.parse import parse  # noqa: E402
from app.ingest.reference import default_reference  # noqa: E402
from app.progress import Progress  # noqa: E402
from app.services import search as search_service  # noqa: E402
from app.store.flows import seed  # noqa: E402
from app.store.report import load_document  # noqa: E402
from bench.synthetic import variant  # noqa: E402

QUERIES = ("vetting", '"domestic abuse"', "crime", "police OR force", '"control room" -THRIVE')
COPIES = 20
DATABASES = ("peel_searchbench", "peel_searchbench_21")  # 1 report, 21 reports


def _add_copies(engine: Engine, copies: int) -> None:
    """The seed report again as if about `copies` other forces (same framework)."""
    (source,) = [s for s in read_manifest(ROOT / "seed") if s.kind == "report"]
    document = parse(source.path.read_text(encoding="utf-8"), force_id=source.force)
    forces = [f for f in default_reference().forces if f.id != document.force.id][:copies]
    for n, force in enumerate(forces):
        copy = variant(document, force.id, force.name, document.framework, document.year_label, n)
        load_document(engine, copy, replace(source, force=force.id, sha256=f"bench-{n}"))


def _clear_cache() -> None:
    clear = getattr(search_service, "clear_cache", None)
    if clear is not None:
        clear()


def _time(engine: Engine, parsed: search_service.SearchQuery, limit: int, cold: bool) -> float:
    if cold:
        _clear_cache()
    with Session(engine) as session:
        started = time.perf_counter()
        search_service.search(
            session, parsed, search_service.SearchFilters(), limit=limit, offset=0
        )
        return (time.perf_counter() - started) * 1000


def _count(engine: Engine, parsed: search_service.SearchQuery) -> int:
    with Session(engine) as session:
        filters = search_service.SearchFilters()
        return search_service.search(session, parsed, filters, limit=1, offset=0).count


def _measure(one: Engine, many: Engine, backend: str, *, runs: int, limit: int) -> None:
    """p50 per query, cold and warm, the two databases timed in turn (a busy machine
    slows both alike)."""
    print(f"\n{backend} (limit={limit}, p50 of {runs} runs, ms)\n")
    print("| query | run | matches 1 / 21 | p50 1 report | p50 21 reports | ratio |")
    print("|---|---|---|---|---|---|")
    for query in QUERIES:
        parsed = search_service.parse_query(query)
        for cold in (True, False):
            times: dict[int, list[float]] = {1: [], COPIES + 1: []}
            for n in range(runs + 3):  # three warm-ups, not counted
                for reports, engine in ((1, one), (COPIES + 1, many)):
                    elapsed = _time(engine, parsed, limit, cold)
                    if n >= 3:
                        times[reports].append(elapsed)
            small, large = (statistics.median(times[k]) for k in (1, COPIES + 1))
            print(
                f"| `{query}` | {'cold' if cold else 'warm'} "
                f"| {_count(one, parsed)} / {_count(many, parsed)} "
                f"| {small:.2f} | {large:.2f} | {large / small:.2f}x |",
                flush=True,
            )


def _prepare(url: str, backend: str, copies: int) -> Engine:
    engine = make_engine(url)
    quiet = io.StringIO()
    if seed(engine, ROOT / "seed", Progress(quiet, quiet)):
        raise SystemExit(f"the seed did not load:\n{quiet.getvalue()}")
    _add_copies(engine, copies)
    if backend == "postgres":
        with engine.connect() as connection:  # what autovacuum would do a minute later
            connection.exec_driver_sql("ANALYZE")
    return engine


def _bench(urls: tuple[str, str], backend: str, *, runs: int, limit: int) -> None:
    one, many = _prepare(urls[0], backend, 0), _prepare(urls[1], backend, COPIES)
    try:
        _measure(one, many, backend, runs=runs, limit=limit)
    finally:
        one.dispose()
        many.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--postgres-url", help="a server to create and drop peel_searchbench* on")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="peel-searchbench-") as folder:
            urls = tuple(f"sqlite:///{Path(folder) / f'{name}.db'}" for name in DATABASES)
            _bench(urls, "sqlite", runs=args.runs, limit=args.limit)
    if args.postgres_url:
        admin = create_engine(args.postgres_url, isolation_level="AUTOCOMMIT")

        def drop() -> None:
            with admin.connect() as connection:
                for name in DATABASES:
                    connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        drop()
        with admin.connect() as connection:
            for name in DATABASES:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        server = make_url(args.postgres_url)
        urls = tuple(
            server.set(database=name).render_as_string(hide_password=False) for name in DATABASES
        )
        try:
            _bench(urls, "postgres", runs=args.runs, limit=args.limit)
        finally:
            drop()
            admin.dispose()


if __name__ == "__main__":
    main()
