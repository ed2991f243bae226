"""One load in a child process, for the reliability tests (kill -9, concurrent loads).

    python tests/load_child.py DATABASE_URL REPORT [--ready FILE --wait-for FILE]
                               [--pause-after N --pause SECONDS [--announce FILE]]

--ready/--wait-for: parse, create the --ready file, then wait until the --wait-for file
  exists before loading (so that two children start their loads together).
--pause-after/--pause: sleep SECONDS inside the transaction after the Nth batch of rows;
  --announce: create FILE when the pause starts.
Prints the load's status ('created', 'replaced', 'unchanged') as its last line.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import app.store.report as load
from app.db import make_engine
from app.ingest.manifest import source_for_path
from app.ingest.parse import parse


def main() -> int:
    cli = argparse.ArgumentParser()
    cli.add_argument("database_url")
    cli.add_argument("report", type=Path)
    cli.add_argument("--announce", type=Path)
    cli.add_argument("--ready", type=Path)
    cli.add_argument("--wait-for", type=Path)
    cli.add_argument("--pause-after", type=int, default=0)
    cli.add_argument("--pause", type=float, default=0.0)
    args = cli.parse_args()

    text = args.report.read_text(encoding="utf-8")
    source = source_for_path(args.report, text)
    document = parse(text, force_id=source.force, source=str(args.report))
    engine = make_engine(args.database_url)

    original, calls = load.insert_rows, 0

    def insert_then_pause(session, model, rows):  # type: ignore[no-untyped-def]
        nonlocal calls
        written = original(session, model, rows)
        session.flush()
        calls += 1
        if calls == args.pause_after:
            if args.announce:
                args.announce.touch()
            time.sleep(args.pause)
        return written

    load.insert_rows = insert_then_pause
    if args.ready:
        args.ready.touch()
    if args.wait_for:
        while not args.wait_for.exists():
            time.sleep(0.01)
    result = load.load_document(engine, document, source)
    print(result.status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
