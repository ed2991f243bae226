"""The `peel` command line: parse, and (as the project grows) migrate, load, seed, serve."""

from __future__ import annotations

import argparse
import json
import logging
import logging.config
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from app.ingest.errors import ReportParseError
from app.ingest.manifest import UnreadableFile, read_text_file
from app.ingest.parse import parse
from app.progress import LogProgress, Progress

if TYPE_CHECKING:
    from sqlalchemy import Engine

EPILOG = """examples:
  peel serve                                   # http://127.0.0.1:8000/docs
  peel prestart                                # migrate; seed an empty database
  peel parse seed/west-midlands-peel-2018-19.txt
  peel parse report.txt --force west-midlands > report.json
  peel openapi > openapi.json
  peel migrate                                 # create or upgrade the schema
  peel seed                                    # catalogue + every report in seed/
  peel load report.txt --force west-midlands
  peel export dump/ --format csv               # every list as dump/<resource>.csv
"""


def _cmd_parse(args: argparse.Namespace) -> int:
    path = Path(args.path)
    try:
        text = read_text_file(path)  # not UTF-8 text: one line, PATH: what is wrong
        document = parse(text, force_id=args.force, source=str(path))
    except UnreadableFile as error:
        raise CommandError(str(error), 2) from None
    except ReportParseError as error:
        from app.store.flows import PARSE_HINT

        print(error, file=sys.stderr)
        print(PARSE_HINT, file=sys.stderr)
        return 2
    json.dump(document.model_dump(mode="json"), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _cmd_openapi(args: argparse.Namespace) -> int:
    from app.main import app

    sys.stdout.write(openapi_json(app.openapi()))
    return 0


def openapi_json(schema: dict) -> str:
    """The checked-in form of the OpenAPI document (stable key order, trailing newline)."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _cmd_prestart(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.config import get_settings
    from app.db import migrate
    from app.logs import logging_config
    from app.models import Inspection
    from app.store.flows import seed

    logging.config.dictConfig(logging_config(get_settings().log_level))
    engine = _engine()
    migrate(engine)
    with Session(engine) as session:
        empty = session.execute(select(func.count()).select_from(Inspection)).scalar_one() == 0
    seeding = empty and not args.no_seed
    status = 2 if seeding and seed(engine, None, LogProgress(logging.getLogger("peel.seed"))) else 0
    engine.dispose()
    return status  # 2: sources failed to load (logged above)


def _cmd_serve(args: argparse.Namespace) -> int:
    import subprocess

    import uvicorn

    from app.api.auth import parse_api_keys
    from app.config import get_settings
    from app.logs import logging_config

    # A bad setting (API_KEYS too) is said once, here, before the prestart runs.
    settings = get_settings()
    parse_api_keys(settings.api_keys)
    # The prestart (reach the database, migrate, seed an empty one) in a process of its
    # own: what it imports (Alembic) and what loading allocates would otherwise stay in
    # the serving process for good (quick start: 104 -> 89 MB; bench/README.md).
    prestart = [sys.executable, "-m", "app.cli", "prestart"]
    child = subprocess.Popen([*prestart, "--no-seed"] if args.no_seed else prestart)
    try:
        # Meanwhile, on another core, what serving imports (the app touches no database
        # until it serves), so start-up does not pay for the imports twice in a row.
        import app.main  # noqa: F401
    finally:
        status = child.wait()
    if status:
        return status  # it said why
    # Graceful shutdown (uvicorn): on SIGTERM/SIGINT stop accepting, finish what is in
    # flight within the timeout, run the app's shutdown (which closes the pool), then end
    # the process with the signal it caught.
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=logging_config(settings.log_level),
        access_log=False,  # app/api/observe.py logs each request, with its id
        timeout_graceful_shutdown=settings.shutdown_timeout_seconds,
    )
    return 0


class CommandError(Exception):
    """A failure the command reports in one line (`peel: message`) with an exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def _engine() -> Engine:
    """The database of DATABASE_URL, reached once so an outage fails here, in one line."""
    from app.db import check_connection, make_engine

    engine = make_engine()
    check_connection(engine)
    return engine


def _require_schema(engine: Engine) -> None:
    from app.db import location_of, schema_revision

    current, head = schema_revision(engine)
    if current != head:
        raise CommandError(
            f"the database at {location_of(engine.url)} is at schema revision "
            f"{current or 'none'}, this code needs {head}: run `peel migrate`"
        )


def _cmd_migrate(args: argparse.Namespace) -> int:
    from app.db import location_of, migrate, schema_revision

    engine = _engine()
    migrate(engine, args.revision)
    current, _ = schema_revision(engine)
    print(f"database at {location_of(engine.url)}: schema at revision {current}")
    return 0


def _cmd_load(args: argparse.Namespace) -> int:
    from app.store.errors import SourceError
    from app.store.flows import grade_file_source, load_grade_file, load_report_file

    engine = _engine()
    _require_schema(engine)
    path = Path(args.path)
    try:
        if path.suffix.lower() == ".csv":  # grade records, not a report's text
            source = grade_file_source(path, force=args.force, framework=args.framework)
            outcome = load_grade_file(engine, source)
            for line in outcome.warning_lines:
                print(line, file=sys.stderr, flush=True)
            print(f"{path}: {outcome.summary}")
            return 0
        result = load_report_file(engine, path, force=args.force)
    except SourceError as error:
        raise CommandError(str(error), 2) from None
    print(
        f"{result.inspection_id}: {result.status} "
        f"({result.rows} rows, data version {result.data_version})"
    )
    return 0


def _cmd_seed(args: argparse.Namespace) -> int:
    from app.store.errors import SourceError
    from app.store.flows import seed

    seed_dir = Path(args.seed_dir) if args.seed_dir else None
    try:
        return 2 if seed(_engine(), seed_dir, Progress(sys.stdout)) else 0
    except SourceError as error:  # the manifest itself cannot be read
        raise CommandError(str(error), 2) from None


def _cmd_hash_key(args: argparse.Namespace) -> int:
    from app.api.auth import new_key_entry

    key, entry = new_key_entry(args.name, args.scope or ["import"])
    print(f"key (give it to {args.name}; it is not stored anywhere): {key}")
    print(f"API_KEYS entry (configure this; it holds only the key's hash): {entry}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from app.api.exports import export_all

    engine = _engine()
    _require_schema(engine)
    try:
        for path, rows in export_all(engine, Path(args.directory), args.format):
            print(f"{path}: {rows} row{'' if rows == 1 else 's'}")
    except BrokenPipeError:
        raise  # stdout's reader left: main() ends quietly
    except OSError as error:
        raise CommandError(f"{error.filename or args.directory}: {error.strerror}") from None
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peel",
        description="HMICFRS PEEL inspection judgments and findings.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse_cmd = commands.add_parser(
        "parse",
        help="parse a report text and print its document as JSON",
        description="Parse a report text and print the validated document as JSON on stdout. "
        "Exits 2 with PATH:LINE: message on input it cannot understand.",
        epilog="example:\n  peel parse seed/west-midlands-peel-2018-19.txt --force west-midlands",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parse_cmd.add_argument("path", help="the report's text file (UTF-8)")
    parse_cmd.add_argument("--force", help="force id (police.uk), if the text does not name it")
    parse_cmd.set_defaults(handler=_cmd_parse)

    serve_cmd = commands.add_parser(
        "serve",
        help="run the HTTP API",
        description="Migrate the database, seed it from seed/ when it holds no inspection, "
        "then serve the API with uvicorn (HOST and PORT settings, or the flags).",
        epilog="example:\n  peel serve --port 8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve_cmd.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve_cmd.add_argument(
        "--no-seed", action="store_true", help="do not load seed/ into an empty database"
    )
    serve_cmd.set_defaults(handler=_cmd_serve)

    prestart_cmd = commands.add_parser(
        "prestart",
        help="migrate the database and seed it when empty: what `peel serve` does first",
        description="Reach DATABASE_URL, apply the migrations, and load seed/ when the "
        "database holds no inspection. `peel serve` runs this in a process of its own "
        "before it serves; run it alone before starting workers some other way (e.g. "
        "`uvicorn app.main:app --workers 4`). Exits 2 when a seed source failed to load.",
        epilog="example:\n  peel prestart && uvicorn app.main:app --workers 4",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prestart_cmd.add_argument(
        "--no-seed", action="store_true", help="do not load seed/ into an empty database"
    )
    prestart_cmd.set_defaults(handler=_cmd_prestart)

    openapi_cmd = commands.add_parser(
        "openapi",
        help="print the OpenAPI document that openapi.json must equal",
        epilog="example:\n  peel openapi > openapi.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    openapi_cmd.set_defaults(handler=_cmd_openapi)

    hash_key_cmd = commands.add_parser(
        "hash-key",
        help="make a new API key and the API_KEYS entry that admits it",
        description="Print a new random API key and its API_KEYS entry (name:scopes:sha256). "
        "Configure the entry; hand the key to the client. Only the hash is ever configured.",
        epilog="example:\n  peel hash-key pipeline --scope import\n"
        '  export API_KEYS="pipeline:import:<sha256>"',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hash_key_cmd.add_argument("name", help="who the key is for (recorded with each import)")
    hash_key_cmd.add_argument(
        "--scope", action="append", default=None, help="a scope to grant (default: import)"
    )
    hash_key_cmd.set_defaults(handler=_cmd_hash_key)

    migrate_cmd = commands.add_parser(
        "migrate",
        help="create or upgrade the database schema",
        description="Apply the Alembic migrations to DATABASE_URL (default: a SQLite file "
        "under data/). Safe to run again: an up-to-date schema is left alone.",
        epilog="examples:\n  peel migrate\n"
        "  DATABASE_URL=postgresql+psycopg://user@host/peel peel migrate",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    migrate_cmd.add_argument("--revision", default="head", help="target revision (default head)")
    migrate_cmd.set_defaults(handler=_cmd_migrate)

    load_cmd = commands.add_parser(
        "load",
        help="parse one report and store it",
        description="Parse a report and store it as one inspection, in one transaction "
        "(a .csv file is read as grade records: see README, Grade records). "
        "Loading the same text again changes nothing; a changed text replaces the "
        "inspection's rows and bumps the data version. A report that does not parse writes "
        "nothing and exits 2 with PATH:LINE: message. Needs a migrated database.",
        epilog="examples:\n  peel load seed/west-midlands-peel-2018-19.txt\n"
        "  peel load report.txt --force west-midlands\n"
        "  peel load reference/peel-2018-19-pillar-grades.csv --framework peel-2018-19\n"
        "  peel load reference/west-midlands-peel-history.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    load_cmd.add_argument("path", help="the report's text file (UTF-8)")
    load_cmd.add_argument("--force", help="force id (police.uk), if the text does not name it")
    load_cmd.add_argument(
        "--framework", help="for a grade-record CSV of pillar columns: its framework id"
    )
    load_cmd.set_defaults(handler=_cmd_load)

    seed_cmd = commands.add_parser(
        "seed",
        help="migrate, store the reference catalogue, load every seed report",
        description="Upgrade the schema, upsert the reference catalogue (reference/*.csv) "
        "and load every report listed in the seed manifest, printing one line per report. "
        "Running it again changes nothing.",
        epilog="examples:\n  peel seed\n  DATABASE_URL=sqlite:///tmp/peel.db peel seed",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    seed_cmd.add_argument("--seed-dir", help="directory with manifest.csv (default: seed/)")
    seed_cmd.set_defaults(handler=_cmd_seed)

    export_cmd = commands.add_parser(
        "export",
        help="write every resource to a directory as NDJSON or CSV",
        description="Write the whole dataset to DIRECTORY (created if need be), one file per "
        "resource: forces, frameworks, inspections, judgments, findings, recommendations, "
        "glossary. Each file holds what the API's list answers with ?format=ndjson or "
        "?format=csv, every row, and replaces any file of that name. Prints one line per file.",
        epilog="examples:\n  peel export dump/\n  peel export dump/ --format csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export_cmd.add_argument("directory", metavar="DIRECTORY", help="where to write the files")
    export_cmd.add_argument(
        "--format", choices=["ndjson", "csv"], default="ndjson", help="default: ndjson"
    )
    export_cmd.set_defaults(handler=_cmd_export)
    return parser


PIPE_CLOSED = 141  # 128 + SIGPIPE: what a shell reports of a Unix tool whose reader left
INTERRUPTED = 130  # 128 + SIGINT


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit status. Nothing reaches the user as a traceback: a closed
    output pipe (`peel parse FILE | head -1`) ends quietly with PIPE_CLOSED, and any
    unexpected error is one line `peel: internal error: ...` and 1 (PEEL_DEBUG=1 prints
    the traceback too)."""
    try:
        status = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at exit as "Exception ignored"
        return status
    except BrokenPipeError:
        _discard_stdout()
        return PIPE_CLOSED
    except KeyboardInterrupt:
        print("peel: interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as error:
        if os.environ.get("PEEL_DEBUG", "") not in ("", "0"):
            traceback.print_exc()
        message = " ".join(str(error).split())  # one line, whatever the error holds
        print(
            f"peel: internal error: {type(error).__name__}: {message} "
            "(run with PEEL_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1


def _discard_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush at exit cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _run(argv: list[str] | None) -> int:
    from app.db import DatabaseUnavailable

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DatabaseUnavailable as error:
        print(f"peel: {error}", file=sys.stderr)
        print(
            "peel: is the database server running? DATABASE_URL says where it is "
            "(unset, a SQLite file under data/)",
            file=sys.stderr,
        )
        return 1
    except CommandError as error:
        print(f"peel: {error}" if error.status == 1 else error, file=sys.stderr)
        return error.status


if __name__ == "__main__":
    sys.exit(main())
