"""The `peel` command line: parse, and (as the project grows) migrate, load, seed, serve."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.ingest.errors import ReportParseError
from app.ingest.parse import parse_file

EPILOG = """examples:
  peel serve                                   # http://127.0.0.1:8000/docs
  peel parse seed/west-midlands-peel-2018-19.txt
  peel parse report.txt --force west-midlands > report.json
  peel openapi > openapi.json
"""


def _cmd_parse(args: argparse.Namespace) -> int:
    try:
        document = parse_file(Path(args.path), force_id=args.force)
    except ReportParseError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{args.path}: cannot read: {error.strerror}", file=sys.stderr)
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


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.config import get_settings

    settings = get_settings()
    uvicorn.run(
        "app.main:app",
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
    )
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
        description="Serve the API with uvicorn (HOST and PORT settings, or the flags).",
        epilog="example:\n  peel serve --port 8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve_cmd.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve_cmd.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve_cmd.set_defaults(handler=_cmd_serve)

    openapi_cmd = commands.add_parser(
        "openapi",
        help="print the OpenAPI document that openapi.json must equal",
        epilog="example:\n  peel openapi > openapi.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    openapi_cmd.set_defaults(handler=_cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
