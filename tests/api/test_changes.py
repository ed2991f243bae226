"""The change feed: a client that follows it ends with exactly the data the API serves."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.auth import new_key_entry
from app.config import Settings
from app.main import create_app
from tests.helpers import changed_report_text
from tests.reports import seed_document, seed_text

KEY, ENTRY = new_key_entry("pipeline", ["import"])


@pytest.fixture
def client(db: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(db, Settings(api_keys=ENTRY))) as client:
        yield client


def _import(client: TestClient, text: str) -> None:
    response = client.post(
        "/v1/imports", content=text, headers={"Content-Type": "text/plain", "X-API-Key": KEY}
    )
    assert response.status_code in (200, 201), response.text


def _inspection_copy(client: TestClient, inspection: str) -> dict[str, Any]:
    """What a replica keeps of one inspection: its card, findings and boxed items."""

    def everything(url: str) -> list[dict]:
        return client.get(url, params={"inspection": inspection, "limit": 1000}).json()["items"]

    return {
        "card": client.get(f"/v1/inspections/{inspection}").json(),
        "findings": everything("/v1/findings"),
        "recommendations": everything("/v1/recommendations"),
    }


class Replica:
    """A client that keeps a copy by following /v1/changes."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.cursor = "0"
        self.inspections: dict[str, dict[str, Any]] = {}
        self.frameworks: list[dict] = []

    def sync(self, page_size: int = 2) -> None:
        url: str | None = f"/v1/changes?since={self.cursor}&limit={page_size}"
        while url:
            feed = self.client.get(url).json()
            for change in feed["items"]:
                if change["kind"] in ("catalogue.updated", "grade-counts.updated"):
                    self.frameworks = self.client.get("/v1/frameworks").json()["items"]
                else:
                    self.inspections[change["inspection"]] = _inspection_copy(
                        self.client, change["inspection"]
                    )
            self.cursor = feed["cursor"]
            url = feed["next"]


def _fresh_export(client: TestClient) -> dict[str, dict[str, Any]]:
    listed = client.get("/v1/inspections", params={"limit": 1000}).json()["items"]
    return {i["id"]: _inspection_copy(client, i["id"]) for i in listed}


def test_a_client_following_the_feed_ends_equal_to_a_fresh_export(client: TestClient) -> None:
    replica = Replica(client)
    replica.sync()  # the catalogue only
    assert replica.frameworks and replica.inspections == {}

    _import(client, seed_text())
    replica.sync()
    changed, _, _ = changed_report_text(seed_document(), seed_text())
    _import(client, changed)
    name = re.compile(r"\s+".join(seed_document().force.name.split()))
    _import(client, name.sub("Kent Police", seed_text()))
    _import(client, changed)  # unchanged: no change to follow
    replica.sync()

    assert set(replica.inspections) == {"west-midlands-2018-19", "kent-2018-19"}
    assert replica.inspections == _fresh_export(client)


def test_the_cursor_moves_only_forward(client: TestClient) -> None:
    _import(client, seed_text())
    first = client.get("/v1/changes").json()
    kinds = [c["kind"] for c in first["items"]]
    assert kinds == ["catalogue.updated", "inspection.created"]
    assert [int(c["cursor"]) for c in first["items"]] == sorted(
        int(c["cursor"]) for c in first["items"]
    )
    assert first["data_version"] == first["items"][-1]["version"]
    later = client.get("/v1/changes", params={"since": first["cursor"]}).json()
    assert later["items"] == [] and later["cursor"] == first["cursor"] and later["next"] is None


@pytest.mark.parametrize("since", ["-1", "abc", "1e3", "9" * 30])
def test_a_malformed_cursor_is_a_400(client: TestClient, since: str) -> None:
    response = client.get("/v1/changes", params={"since": since})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
