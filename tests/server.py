"""`peel serve` in a child process, for tests that talk real HTTP to it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import IO

import httpx

from tests.reports import ROOT


@dataclass
class LiveServer:
    base: str
    process: subprocess.Popen
    log: IO[bytes]  # a file, not a pipe: a full pipe would block the server's logging
    output: str = ""

    def wait_ready(self, seconds: float = 30) -> None:
        """Until /readyz answers 200, or fail saying what it answered last."""
        deadline = time.monotonic() + seconds
        status = None
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                status = httpx.get(f"{self.base}/readyz", timeout=2).status_code
                if status == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"{self.base}/readyz not 200 within {seconds} s (last: {status})")

    def stop(self) -> int:
        """SIGTERM, wait (SIGKILL after 20 s); the exit status. Keeps the output."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.seek(0)
        self.output = self.log.read().decode(errors="replace")
        self.log.close()
        return self.process.returncode


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, **env: str) -> LiveServer:
    """`peel serve` on a free port against `database_url` (and any other settings in
    `env`); call stop() when done."""
    port = free_port()
    log = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the server; stop() closes it
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return LiveServer(base=f"http://127.0.0.1:{port}", process=process, log=log)
