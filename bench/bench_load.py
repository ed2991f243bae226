"""Benchmark: seed an empty SQLite database, migrations included (target: under 2 s).

Run: .venv/bin/python bench/bench_load.py [--runs N]
Each run makes a fresh database file, then does what `peel seed` does: migrate to head,
upsert the reference catalogue, parse and load every report in seed/manifest.csv, and
load its grade-record files.
Prints the median and the fastest wall time, and the median of each step.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from app.db import make_engine, migrate
from app.ingest.manifest import read_manifest
from app.ingest.parse import parse
from app.ingest.reference import default_reference
from app.store.catalogue import sync_catalogue
from app.store.grade_flows import load_grade_file
from app.store.report import load_document

SEED_DIR = Path(__file__).resolve().parents[1] / "seed"


def seed_once(directory: Path) -> dict[str, float]:
    """One seeding of a new database in `directory`; seconds per step."""
    steps: dict[str, float] = {}
    start = time.perf_counter()
    engine = make_engine(f"sqlite:///{directory / 'bench.db'}")
    migrate(engine)
    steps["migrate"] = time.perf_counter() - start
    mark = time.perf_counter()
    sync_catalogue(engine)
    steps["catalogue"] = time.perf_counter() - mark
    steps["parse"] = steps["load"] = steps["grade records"] = 0.0
    for source in read_manifest(SEED_DIR):
        mark = time.perf_counter()
        if source.kind == "grades":
            load_grade_file(engine, source)
            steps["grade records"] += time.perf_counter() - mark
            continue
        document = parse(source.path.read_text(encoding="utf-8"), force_id=source.force)
        steps["parse"] += time.perf_counter() - mark
        mark = time.perf_counter()
        load_document(engine, document, source)
        steps["load"] += time.perf_counter() - mark
    engine.dispose()
    steps["total"] = time.perf_counter() - start
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    default_reference()  # reference CSVs are read once per process, as in `peel seed`
    runs = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="peel-bench-") as directory:
            runs.append(seed_once(Path(directory)))
    total = [r["total"] * 1000 for r in runs]
    steps = ", ".join(
        f"{step} {statistics.median(r[step] for r in runs) * 1000:.0f} ms"
        for step in ("migrate", "catalogue", "parse", "load", "grade records")
    )
    print(
        f"seed empty SQLite database: median {statistics.median(total):.0f} ms, "
        f"fastest {min(total):.0f} ms over {args.runs} runs ({steps})"
    )


if __name__ == "__main__":
    main()
