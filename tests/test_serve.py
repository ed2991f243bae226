"""`peel serve` on an empty directory: migrates, seeds and answers over real HTTP."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.server import start_server


def test_serve_migrates_seeds_and_answers(tmp_path: Path) -> None:
    server = start_server(f"sqlite:///{tmp_path / 'data' / 'peel.db'}")
    try:
        server.wait_ready()
        card = httpx.get(f"{server.base}/v1/inspections/west-midlands-2018-19", timeout=5)
        assert card.status_code == 200
        assert len(card.json()["pillars"]) == 3
        assert httpx.get(f"{server.base}/docs", timeout=5).status_code == 200
    finally:
        server.stop()
    assert "created" in server.output  # the seed report was loaded on the way up
