"""The read benchmark: computed reads against Datasette, cached reads against a raw ASGI
reference, driven by wrk.

Run: .venv/bin/python bench/run.py [--duration 8] [--backends sqlite,postgres]
                                   [--datasets seed,reports21,synthetic] [--no-uncached]
                                   [--postgres-url URL]

Datasets: `seed` (what `peel seed` loads: one report and the grade records), `reports21`
(the seed plus 20 renamed copies of its report: 21 full reports, ~21x the search
matches) and `synthetic` (every force x three frameworks; bench/synthetic.py).

For each backend and dataset it prepares a database (bench/results/, or a peel_bench_*
database on Postgres) and starts, each as one uvicorn worker pinned to core 0: the
service, the service with its response cache off (RESPONSE_CACHE_BYTES=0), on SQLite
Datasette serving the same file immutable (bench/datasette_app.py, from its own
virtualenv bench/results/.datasette-venv, made on first use), and bench/reference_app.py
(the service's captured bytes, no framework). wrk, pinned to core 1 with 32
connections, drives them. For each backend and dataset it prints first the cache-off
rows, each followed by its Datasette peer (a table page of the same rows; its `ratio
to datasette` is our req/s over Datasette's), then the cached rows with their ratio to the
reference measured in the same run, then the workers' RSS; at the end, search
p50 per dataset and the reports21/seed ratio, and the time `peel serve` takes from an
empty directory to /readyz 200. The table is also written to bench/results/latest.md.
`--no-uncached` skips the cache-off rows and Datasette.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.db import make_engine  # noqa: E402
from app.progress import Progress  # noqa: E402
from app.store.flows import seed  # noqa: E402
from bench import synthetic  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
CARD = "/v1/inspections/west-midlands-2018-19"
DATASETS = ("seed", "reports21", "synthetic")
DATASETTE_VENV = RESULTS / ".datasette-venv"
DATASETTE = "datasette>=0.65,<0.66"
# The peer gets the service's own server stack: same uvicorn, event loop and HTTP parser.
SERVER_PACKAGES = ("uvicorn", "uvloop", "httptools")
NO_PEER = "no Datasette equivalent"
NO_PEER_POSTGRES = "no peer: Datasette serves SQLite only"


@dataclass(frozen=True)
class Endpoint:
    name: str
    target: str
    conditional: bool = False
    # Datasette's page of the same rows, after /<database>: the peer of the cache-off row.
    peer: str | None = None


ENDPOINTS = (
    Endpoint("report card", CARD),
    Endpoint(
        "judgments",
        "/v1/judgments?force=west-midlands",
        peer="/judgment.json?force_id=west-midlands&_size=100",
    ),
    Endpoint("judgments, first 100", "/v1/judgments?limit=100", peer="/judgment.json?_size=100"),
    Endpoint(
        "findings",
        "/v1/findings?inspection=west-midlands-2018-19",
        peer="/finding.json?inspection_id=west-midlands-2018-19&_size=100",
    ),
    Endpoint("findings, first 100", "/v1/findings?limit=100", peer="/finding.json?_size=100"),
    Endpoint("304 revalidation", CARD, conditional=True),
    Endpoint("search", "/v1/search?q=vetting"),
    # The same page on every dataset (the seed has 6 matches; the default page, 20 hits,
    # fills up as the data grows): what a search costs as matches grow, the page held fixed.
    Endpoint("search, first 5", "/v1/search?q=vetting&limit=5"),
)


@dataclass
class Figure:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    print("bench: installing wrk from the distribution's packages", file=sys.stderr)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def _pinned(core: int, command: list[str]) -> list[str]:
    return ["taskset", "-c", str(core), *command] if shutil.which("taskset") else command


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, seconds: float = 30) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"bench: {url} did not answer 200 within {seconds} s")


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        _pinned(0, command),
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _uvicorn(app: str, port: int) -> list[str]:
    return [
        PYTHON,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]


_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def _wrk(url: str, *, duration: int, connections: int, headers: dict[str, str]) -> Figure:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(_pinned(1, command), capture_output=True, text=True, check=True).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    latency = {p: float(v) * scale[u] for p, v, u in _LATENCY.findall(output)}
    errors = sum(map(int, _ERRORS.search(output).groups())) if _ERRORS.search(output) else 0
    errors += int(_NON_2XX.search(output).group(1)) if _NON_2XX.search(output) else 0
    return Figure(float(_RATE.search(output).group(1)), latency["50"], latency["99"], errors)


def _rss_mb(pid: int) -> dict[str, float]:
    """The process's resident memory, MB: all of it, and its anonymous (heap, stacks) and
    file-backed (shared libraries) parts."""
    # uvicorn with --workers 1 serves in the process itself; taskset execs into it.
    status = Path(f"/proc/{pid}/status").read_text()
    fields = {"rss": "VmRSS", "anon": "RssAnon", "file": "RssFile"}
    return {
        key: int(re.search(rf"{name}:\s+(\d+) kB", status).group(1)) / 1024
        for key, name in fields.items()
    }


def _datasette_python() -> Path:
    """The interpreter of Datasette's own virtualenv (its pins are not the project's),
    made on first use with the service's uvicorn, uvloop and httptools versions."""
    python = DATASETTE_VENV / "bin" / "python"
    probe = [str(python), "-c", "import datasette, uvicorn"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"bench: installing {DATASETTE} into {DATASETTE_VENV}", file=sys.stderr)
    subprocess.run([PYTHON, "-m", "venv", "--clear", str(DATASETTE_VENV)], check=True)
    installed = {d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions()}
    pins = [f"{name}=={installed[name]}" for name in SERVER_PACKAGES if name in installed]
    install = [str(python), "-m", "pip", "install", "-q", DATASETTE, *pins]
    done = subprocess.run(install, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench: could not install {DATASETTE}:\n{done.stdout}{done.stderr}")
    return python


# --- databases -----------------------------------------------------------------------


def _prepare(backend: str, dataset: str, postgres_url: str) -> str:
    name = f"peel_bench_{dataset}"
    if backend == "sqlite":
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{name}.db"
        for leftover in RESULTS.glob(f"{name}.db*"):
            leftover.unlink()
        url = f"sqlite:///{path}"
    else:
        admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
        url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    quiet = io.StringIO()  # what `peel seed` does (reports and grade records), unprinted
    if seed(engine, ROOT / "seed", Progress(quiet, quiet)):
        raise SystemExit(f"bench: the seed did not load:\n{quiet.getvalue()}")
    started = time.monotonic()
    if dataset == "synthetic":
        count = synthetic.build(engine)
        print(f"bench: {count} synthetic inspections loaded in {time.monotonic() - started:.1f} s")
    elif dataset == "reports21":
        count = synthetic.reports(engine, 20)
        print(f"bench: {count} more reports loaded in {time.monotonic() - started:.1f} s")
    with engine.connect() as connection:
        if backend == "postgres":  # what autovacuum would do a minute later
            connection.exec_driver_sql("ANALYZE")
        else:  # everything in the main file: Datasette opens it immutable, without the WAL
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return url


# --- one run ---------------------------------------------------------------------------


_SERVER_WRITES = ("date", "server", "content-length")


def _capture(base: str) -> list[dict]:
    fixture = []
    etag = httpx.get(base + CARD).headers["etag"]
    for endpoint in ENDPOINTS:
        headers = {"If-None-Match": etag} if endpoint.conditional else {}
        response = httpx.get(base + endpoint.target, headers=headers)
        # The same bytes: every header the service sent but those uvicorn writes itself
        # (date, server) and the length the reference computes (a request id included:
        # one fixed id is as many bytes as a fresh one).
        kept = [(k, v) for k, v in response.headers.items() if k not in _SERVER_WRITES]
        fixture.append(
            {
                "target": endpoint.target,
                "conditional": endpoint.conditional,
                "status": response.status_code,
                "headers": kept,
                "body": response.text,
            }
        )
    return fixture


def _items(entry: dict) -> str:
    """'38 items' for a captured list answer, '' for anything else."""
    try:
        items = json.loads(entry["body"])["items"]
    except (ValueError, KeyError, TypeError):
        return ""
    return f"{len(items)} items"


def _datasette_rows(url: str) -> int:
    """Datasette's answer must be a 200 with rows: how many."""
    response = httpx.get(url, timeout=30)
    if response.status_code != 200:
        raise SystemExit(f"bench: Datasette answered {response.status_code} to {url}")
    return len(response.json()["rows"])


def measure(
    backend: str, dataset: str, url: str, duration: int, connections: int, uncached: bool
) -> list[dict]:
    """One dataset on one backend: with `uncached`, every endpoint on the service with its
    response cache off, each followed by its Datasette peer (SQLite only); then every
    endpoint on the service and on the reference."""
    services = {"service": {"DATABASE_URL": url}}
    if uncached:
        services["uncached"] = {"DATABASE_URL": url, "RESPONSE_CACHE_BYTES": "0"}
    peered = uncached and backend == "sqlite"
    ports = {label: _free_port() for label in [*services, "reference", "datasette"]}
    processes = {
        label: _start(_uvicorn("app.main:app", ports[label]), env)
        for label, env in services.items()
    }
    database = Path(make_url(url).database) if peered else None
    if peered:
        command = _uvicorn("bench.datasette_app:create", ports["datasette"])
        command[0] = str(_datasette_python())
        command.append("--factory")
        processes["datasette"] = _start(command, {"BENCH_DATASETTE_DB": str(database)})
    rows = []

    def wrk(target: str, headers: dict[str, str]) -> Figure:
        _wrk(target, duration=1, connections=connections, headers=headers)  # warm up
        return _wrk(target, duration=duration, connections=connections, headers=headers)

    def ours(endpoint: Endpoint, label: str, figure: Figure, **more) -> dict:
        details = ["cache off"] if label == "uncached" else []
        details += [_items(captured[endpoint])] if _items(captured[endpoint]) else []
        return {
            "kind": "ours",
            "backend": backend,
            "dataset": dataset,
            "endpoint": endpoint.name + (f" ({', '.join(details)})" if details else ""),
            "rps": figure.requests_per_second,
            "p50": figure.p50_ms,
            "p99": figure.p99_ms,
            "errors": figure.errors,
            **more,
        }

    def emit(row: dict) -> None:
        rows.append(row)
        print(_format_row(row), flush=True)

    try:
        bases = {label: f"http://127.0.0.1:{port}" for label, port in ports.items()}
        for label in services:
            _wait(bases[label] + "/readyz")
        fixture = _capture(bases["service"])
        captured = dict(zip(ENDPOINTS, fixture, strict=True))
        for endpoint, entry in captured.items():
            if _items(entry) == "0 items":
                print(
                    f"bench: WARNING {endpoint.target} found nothing on {dataset}", file=sys.stderr
                )
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(fixture, handle)
        processes["reference"] = _start(
            _uvicorn("bench.reference_app:app", ports["reference"]), {"BENCH_FIXTURE": handle.name}
        )
        _wait(bases["reference"] + CARD)
        etag = dict(fixture[0]["headers"])["etag"]
        if peered:
            _wait(bases["datasette"] + "/-/versions.json", seconds=60)
        # First what a computed read costs: the cache off, against Datasette.
        for endpoint in ENDPOINTS if uncached else ():
            headers = {"If-None-Match": etag} if endpoint.conditional else {}
            figure = wrk(bases["uncached"] + endpoint.target, headers)
            if not peered:
                note = NO_PEER_POSTGRES if backend == "postgres" else NO_PEER
            else:
                note = "" if endpoint.peer else NO_PEER
            emit(ours(endpoint, "uncached", figure, note=note))
            if peered and endpoint.peer:
                path = f"/{database.stem}{endpoint.peer}"
                count = _datasette_rows(bases["datasette"] + path)
                peer = wrk(bases["datasette"] + path, {})
                emit(
                    {
                        "kind": "peer",
                        "backend": backend,
                        "dataset": dataset,
                        "endpoint": f"datasette `{path}` ({count} rows)",
                        "rps": peer.requests_per_second,
                        "p50": peer.p50_ms,
                        "p99": peer.p99_ms,
                        "errors": peer.errors,
                        "ratio": figure.requests_per_second / peer.requests_per_second
                        if peer.requests_per_second
                        else 0.0,
                    }
                )
        # Then cached reads, against the reference.
        for endpoint in ENDPOINTS:
            headers = {"If-None-Match": etag} if endpoint.conditional else {}
            figure = wrk(bases["service"] + endpoint.target, headers)
            reference = wrk(bases["reference"] + endpoint.target, headers)
            emit(
                ours(
                    endpoint,
                    "service",
                    figure,
                    reference_rps=reference.requests_per_second,
                    reference_p99=reference.p99_ms,
                    ratio=figure.requests_per_second / reference.requests_per_second,
                )
            )
        for label, what in (
            ("service", "worker RSS after run"),
            ("uncached", "worker RSS after run (cache off)"),
            ("datasette", "Datasette RSS after run"),
        ):
            if label in processes:
                emit(
                    {
                        "kind": "rss",
                        "backend": backend,
                        "dataset": dataset,
                        "endpoint": what,
                        **_rss_mb(processes[label].pid),
                    }
                )
    finally:
        for process in processes.values():
            _stop(process)
        if "handle" in locals():
            os.unlink(handle.name)
    return rows


def startup_seconds() -> float:
    """`peel serve` on an empty directory: seconds until /readyz answers 200."""
    with tempfile.TemporaryDirectory() as directory:
        port = _free_port()
        started = time.monotonic()
        server = subprocess.Popen(
            [PYTHON, "-m", "app.cli", "serve", "--port", str(port)],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{directory}/data/peel.db"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/readyz")
            return time.monotonic() - started
        finally:
            _stop(server)


HEADER = (
    "| backend | dataset | endpoint | req/s | p50 ms | p99 ms | ratio to datasette "
    "| reference req/s | reference p99 ms | ratio to reference |\n"
    "|---|---|---|---|---|---|---|---|---|---|"
)


def _format_row(row: dict) -> str:
    where = f"| {row['backend']} | {row['dataset']} | {row['endpoint']} |"
    if row["kind"] == "rss":
        parts = f"anon {row['anon']:.0f}, file {row['file']:.0f}"
        return f"{where} {row['rss']:.0f} MB ({parts}) | | | | | | |"
    errors = f" ({row['errors']} errors)" if row["errors"] else ""
    figures = f"{where} {row['rps']:,.0f}{errors} | {row['p50']:.2f} | {row['p99']:.2f} |"
    if row["kind"] == "peer":
        return f"{figures} {row['ratio']:.2f} | | | |"
    if "reference_rps" not in row:
        return f"{figures} {row['note']} | | | |"
    return (
        f"{figures} | {row['reference_rps']:,.0f} | {row['reference_p99']:.2f} "
        f"| {row['ratio']:.2f} |"
    )


def _search_lines(rows: list[dict]) -> list[str]:
    """Search p50 per backend and dataset, and reports21 over seed where both ran."""
    lines = []
    p50 = {}
    for row in rows:
        if row["kind"] == "ours" and row["endpoint"].startswith("search"):
            off = "cache off" in row["endpoint"]
            name = row["endpoint"].split(" (")[0]
            p50[(row["backend"], row["dataset"], name, off)] = row["p50"]
    for backend, dataset, name, off in p50:
        label = "cache off" if off else "cached"
        lines.append(
            f"search p50, {backend} {dataset}, {name} ({label}): "
            f"{p50[(backend, dataset, name, off)]:.2f} ms"
        )
    for backend, dataset, name, off in p50:
        if dataset != "reports21" or (backend, "seed", name, off) not in p50:
            continue
        seed = p50[(backend, "seed", name, off)]
        ratio = p50[(backend, dataset, name, off)] / seed if seed else float("nan")
        label = "cache off" if off else "cached"
        lines.append(f"search p50 ratio reports21/seed: {ratio:.2f} ({backend}, {name}, {label})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--datasets", default=",".join(DATASETS), help="of " + ", ".join(DATASETS))
    parser.add_argument(
        "--no-uncached",
        action="store_true",
        help="skip the runs with the response cache off (and Datasette)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="an admin URL; the benchmark creates peel_bench_* databases beside it",
    )
    args = parser.parse_args()
    datasets = args.datasets.split(",")
    if unknown := set(datasets) - set(DATASETS):
        parser.error(f"unknown datasets {', '.join(sorted(unknown))}; known: {', '.join(DATASETS)}")
    _ensure_wrk()
    if not args.no_uncached and "sqlite" in args.backends.split(","):
        _datasette_python()
    print(HEADER, flush=True)
    rows = []
    for backend in args.backends.split(","):
        for dataset in datasets:
            url = _prepare(backend, dataset, args.postgres_url)
            rows += measure(
                backend, dataset, url, args.duration, args.connections, not args.no_uncached
            )
    search = _search_lines(rows)
    startup = startup_seconds()
    print("", *search, sep="\n")
    print(f"\n`peel serve` on an empty directory: /readyz 200 after {startup:.2f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        HEADER,
        *(_format_row(r) for r in rows),
        "",
        *search,
        "",
        f"`peel serve` on an empty directory: /readyz 200 after {startup:.2f} s",
    ]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
