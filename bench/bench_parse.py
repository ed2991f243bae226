"""Benchmark: parse the seed report (target: under 200 ms).

Run: .venv/bin/python bench/bench_parse.py [--runs N]
Prints the median and the fastest wall time of N parses of the seed text (read once).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from app.ingest.parse import parse
from app.ingest.reference import default_reference

SEED = Path(__file__).resolve().parents[1] / "seed" / "west-midlands-peel-2018-19.txt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8")
    default_reference()  # reference CSVs are read once per process, not per parse
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        parse(text)
        timings.append((time.perf_counter() - start) * 1000)
    print(
        f"parse seed report: median {statistics.median(timings):.1f} ms, "
        f"fastest {min(timings):.1f} ms over {args.runs} runs ({len(text):,} characters)"
    )


if __name__ == "__main__":
    main()
