"""The read benchmark: the service against a raw ASGI reference, driven by wrk.

Run: .venv/bin/python bench/run.py [--duration 8] [--backends sqlite,postgres]
                                   [--datasets seed,synthetic] [--postgres-url URL]

For each backend and dataset it prepares a database (bench/results/, or a peel_bench_*
database on Postgres), starts the service with one uvicorn worker pinned to core 0,
captures each endpoint's response, starts bench/reference_app.py (same bytes, no
framework) on the same core, and drives both with wrk pinned to core 1 (32 connections).
It prints one row per endpoint (req/s, p50, p99, ratio to the reference measured in the
same run), the worker's RSS after the run, and the time `peel serve` takes from an empty
directory to /readyz 200; the table is also written to bench/results/latest.md.
"""

from __future__ import annotations

import argparse
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


@dataclass(frozen=True)
class Endpoint:
    name: str
    target: str
    conditional: bool = False


ENDPOINTS = (
    Endpoint("report card", CARD),
    Endpoint("judgments", "/v1/judgments?force=west-midlands"),
    Endpoint("findings", "/v1/findings?inspection=west-midlands-2018-19"),
    Endpoint("304 revalidation", CARD, conditional=True),
    Endpoint("search", "/v1/search?q=vetting"),
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


def _rss_mb(pid: int) -> float:
    # uvicorn with --workers 1 serves in the process itself; taskset execs into it.
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024


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
    if dataset == "synthetic":
        started = time.monotonic()
        count = synthetic.build(engine)
        print(f"bench: {count} synthetic inspections loaded in {time.monotonic() - started:.1f} s")
    if backend == "postgres":
        with engine.connect() as connection:  # what autovacuum would do a minute later
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return url


# --- one run ---------------------------------------------------------------------------


def _capture(base: str) -> list[dict]:
    fixture = []
    etag = httpx.get(base + CARD).headers["etag"]
    for endpoint in ENDPOINTS:
        headers = {"If-None-Match": etag} if endpoint.conditional else {}
        response = httpx.get(base + endpoint.target, headers=headers)
        kept = [(k, v) for k, v in response.headers.items() if k in ("content-type", "etag")]
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


def measure(
    backend: str, dataset: str, url: str, duration: int, connections: int, uncached: bool
) -> list[dict]:
    """One dataset on one backend: every endpoint on the service (and, with `uncached`,
    on a second service with the response cache off) and on the reference."""
    services = {"service": {"DATABASE_URL": url}}
    if uncached:
        services["uncached"] = {"DATABASE_URL": url, "RESPONSE_CACHE_BYTES": "0"}
    ports = {label: _free_port() for label in [*services, "reference"]}
    processes = {
        label: _start(_uvicorn("app.main:app", ports[label]), env)
        for label, env in services.items()
    }
    rows = []
    try:
        bases = {label: f"http://127.0.0.1:{port}" for label, port in ports.items()}
        for label in services:
            _wait(bases[label] + "/readyz")
        fixture = _capture(bases["service"])
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump(fixture, handle)
        processes["reference"] = _start(
            _uvicorn("bench.reference_app:app", ports["reference"]), {"BENCH_FIXTURE": handle.name}
        )
        _wait(bases["reference"] + CARD)
        etag = dict(fixture[0]["headers"])["etag"]
        for endpoint in ENDPOINTS:
            headers = {"If-None-Match": etag} if endpoint.conditional else {}
            figures = {}
            for label in [*services, "reference"]:
                target = bases[label] + endpoint.target
                _wrk(target, duration=1, connections=connections, headers=headers)  # warm up
                figures[label] = _wrk(
                    target, duration=duration, connections=connections, headers=headers
                )
            reference = figures.pop("reference")
            for label, figure in figures.items():
                rows.append(
                    {
                        "backend": backend,
                        "dataset": dataset,
                        "endpoint": endpoint.name + (" (cache off)" if label == "uncached" else ""),
                        "rps": figure.requests_per_second,
                        "p50": figure.p50_ms,
                        "p99": figure.p99_ms,
                        "errors": figure.errors,
                        "reference_rps": reference.requests_per_second,
                        "reference_p99": reference.p99_ms,
                        "ratio": figure.requests_per_second / reference.requests_per_second,
                    }
                )
                print(_format_row(rows[-1]), flush=True)
        rss = _rss_mb(processes["service"].pid)
        rows.append({"backend": backend, "dataset": dataset, "rss": rss})
        print(_format_row(rows[-1]), flush=True)
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
    "| backend | dataset | endpoint | req/s | p50 ms | p99 ms | reference req/s "
    "| reference p99 ms | ratio |\n|---|---|---|---|---|---|---|---|---|"
)


def _format_row(row: dict) -> str:
    if "rss" in row:
        return (
            f"| {row['backend']} | {row['dataset']} | worker RSS after run "
            f"| {row['rss']:.0f} MB | | | | | |"
        )
    errors = f" ({row['errors']} errors)" if row["errors"] else ""
    return (
        f"| {row['backend']} | {row['dataset']} | {row['endpoint']} | {row['rps']:,.0f}{errors} | "
        f"{row['p50']:.2f} | {row['p99']:.2f} | {row['reference_rps']:,.0f} | "
        f"{row['reference_p99']:.2f} | {row['ratio']:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=8, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--datasets", default="seed,synthetic")
    parser.add_argument(
        "--no-uncached", action="store_true", help="skip the runs with the response cache off"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
        help="an admin URL; the benchmark creates peel_bench_* databases beside it",
    )
    args = parser.parse_args()
    _ensure_wrk()
    print(HEADER, flush=True)
    rows = []
    for backend in args.backends.split(","):
        for dataset in args.datasets.split(","):
            url = _prepare(backend, dataset, args.postgres_url)
            rows += measure(
                backend, dataset, url, args.duration, args.connections, not args.no_uncached
            )
    startup = startup_seconds()
    print(f"\n`peel serve` on an empty directory: /readyz 200 after {startup:.2f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = [
        HEADER,
        *(_format_row(r) for r in rows),
        "",
        f"`peel serve` on an empty directory: /readyz 200 after {startup:.2f} s",
    ]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
