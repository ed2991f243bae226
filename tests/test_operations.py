"""`peel serve` as operators run it: JSON logs with request ids, graceful shutdown."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from app.api.auth import new_key_entry
from tests.reports import SEED_REPORT
from tests.server import start_server

# After draining, uvicorn re-raises the signal it caught, so the process ends as killed by
# SIGTERM (what supervisors expect of a TERM); 0 if it stopped on its own.
STOPPED_CLEANLY = (0, -signal.SIGTERM)


def test_logs_are_one_json_object_a_line_with_the_request_id(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'peel.db'}")
    try:
        server.wait_ready()
        answer = httpx.get(f"{server.base}/v1/forces", headers={"X-Request-ID": "op-check-1"})
        assert answer.headers["x-request-id"] == "op-check-1"
    finally:
        status = server.stop()
    assert status in STOPPED_CLEANLY
    lines = [line for line in server.output.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # fails on any line that is not JSON
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    access = [e for e in entries if e.get("request_id") == "op-check-1"]
    assert len(access) == 1
    assert access[0]["route"] == "/v1/forces"
    assert access[0]["status"] == 200
    assert access[0]["duration_ms"] >= 0
    # The seed loaded on the way up is logged too, as JSON.
    assert any(e["logger"] == "peel.seed" and "created" in e["message"] for e in entries)


def _refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_lets_the_request_in_flight_finish_then_exits(tmp_path: Path) -> None:
    key, entry = new_key_entry("ops-test", ["import"])
    server = start_server(f"sqlite:///{tmp_path / 'peel.db'}", API_KEYS=entry)
    server.wait_ready()
    host, port = urlsplit(server.base).hostname, urlsplit(server.base).port
    body = SEED_REPORT.read_bytes()
    head = (
        f"POST /v1/imports?dry_run=true HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection((host, port), timeout=20) as client:
            client.sendall(head + body[: len(body) // 2])
            time.sleep(0.5)  # the request is in flight: headers and half the body are in
            server.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while not _refused(host, port) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _refused(host, port), "still accepting connections after SIGTERM"
            client.sendall(body[len(body) // 2 :])
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
        status_line = answer.split(b"\r\n", 1)[0].decode()
        assert status_line.split()[1] in ("200", "201"), status_line
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["dry_run"] is True
        server.process.wait(timeout=15)
    finally:
        code = server.stop()
    assert code in STOPPED_CLEANLY
    assert "shutdown complete" in server.output


@pytest.mark.parametrize("path", ["/healthz", "/metrics"])
def test_operations_endpoints_answer_on_a_live_server(tmp_path: Path, path: str) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'peel.db'}")
    try:
        server.wait_ready()
        assert httpx.get(f"{server.base}{path}", timeout=5).status_code == 200
    finally:
        server.stop()
