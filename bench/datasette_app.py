"""Datasette as the benchmark's peer for computed reads: the same SQLite file, immutable.

bench/run.py runs this with the interpreter of Datasette's own virtualenv
(bench/results/.datasette-venv) as `python -m uvicorn bench.datasette_app:create
--factory`, one worker on the service's core, with the service's uvicorn, uvloop and
httptools versions and, like the service, no access log. It serves what
`datasette serve -i FILE` serves; that command would also print an access-log line per
request, which the service does not pay either.
"""

from __future__ import annotations

import os

from datasette.app import Datasette


def create():
    """The ASGI app for the file named by BENCH_DATASETTE_DB (database `/<file stem>`)."""
    return Datasette(immutables=[os.environ["BENCH_DATASETTE_DB"]]).app()
