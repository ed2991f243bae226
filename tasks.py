"""Quick start for a machine with only Python: `python3 tasks.py serve` or `python3 tasks.py test`.

Creates `.venv` beside this file on first use, installs the project into it (with its
dev extras), then runs the requested job inside it. Later runs reuse the environment and
reinstall only when pyproject.toml has changed.

`test` runs the Postgres tests too when TEST_POSTGRES_URL is unset but a server answers
at the default local address (127.0.0.1:5432, user postgres, database test): it sets
TEST_POSTGRES_URL for the run and says so on stderr; where none answers, it says the
Postgres tests skip, and why.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"

POSTGRES_HOST, POSTGRES_PORT = "127.0.0.1", 5432  # where a local test server would be
POSTGRES_USER, POSTGRES_DATABASE = "postgres", "test"
CONNECT_TIMEOUT = 1.0  # seconds


def _ensure_environment() -> None:
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print("tasks.py: creating .venv", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("tasks.py: installing the project and its dev tools into .venv", file=sys.stderr)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def postgres_url(host: str = POSTGRES_HOST, port: int = POSTGRES_PORT) -> str:
    return f"postgresql+psycopg://{POSTGRES_USER}@{host}:{port}/{POSTGRES_DATABASE}"


def postgres_unavailable(
    host: str = POSTGRES_HOST, port: int = POSTGRES_PORT, *, python: Path | None = None
) -> str | None:
    """None when a Postgres server at host:port lets user postgres into database test;
    otherwise why not, for a person.

    First a TCP connect (CONNECT_TIMEOUT), so a machine without a server answers at once;
    then a real login with psycopg, run by `python` (the venv's: this script's own Python
    may lack psycopg)."""
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as error:
        return f"nothing answers at {host}:{port} ({error.strerror or error})"
    login = (
        "import sys, psycopg\n"
        "psycopg.connect(sys.argv[1], connect_timeout=1).close()"  # libpq's least: 2 s
    )
    conninfo = f"postgresql://{POSTGRES_USER}@{host}:{port}/{POSTGRES_DATABASE}"
    try:
        result = subprocess.run(
            [str(python or BIN / "python"), "-c", login, conninfo],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"could not try a Postgres login at {host}:{port} ({error})"
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        return (
            f"something listens at {host}:{port} but user {POSTGRES_USER} cannot open database "
            f"{POSTGRES_DATABASE} there ({lines[-1] if lines else 'no reason given'})"
        )
    return None


def postgres_for_tests(
    environ: dict[str, str], host: str = POSTGRES_HOST, port: int = POSTGRES_PORT
) -> dict[str, str]:
    """The test run's environment: TEST_POSTGRES_URL as given, else the local server's
    when one answers (said on stderr either way)."""
    if environ.get("TEST_POSTGRES_URL"):
        print("tasks.py: TEST_POSTGRES_URL is set: the Postgres tests use it", file=sys.stderr)
        return environ
    reason = postgres_unavailable(host, port)
    if reason is None:
        print(f"tasks.py: Postgres answers at {host}:{port}: its tests run", file=sys.stderr)
        return {**environ, "TEST_POSTGRES_URL": postgres_url(host, port)}
    print(
        f"tasks.py: the Postgres tests skip: TEST_POSTGRES_URL is unset and {reason}; "
        "set TEST_POSTGRES_URL (or start a server there) to run them",
        file=sys.stderr,
    )
    return environ


def main(argv: list[str]) -> int:
    jobs = {
        "serve": [str(BIN / "peel"), "serve"],
        "test": [str(BIN / "python"), "-m", "pytest"],
    }
    if not argv or argv[0] not in jobs:
        print("usage: python3 tasks.py serve|test [extra arguments]", file=sys.stderr)
        return 2
    _ensure_environment()
    environ = dict(os.environ)
    if argv[0] == "test":
        environ = postgres_for_tests(environ)
    return subprocess.call([*jobs[argv[0]], *argv[1:]], cwd=ROOT, env=environ)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
