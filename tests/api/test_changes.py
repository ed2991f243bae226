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
            response = self.client.get(url)
            assert response.status_code == 200, response.text
            feed = response.json()
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


# --- a cursor the service never issued: 410, resync from a full export -------------------


def _gone(response: Any, since: str) -> None:
    assert response.status_code == 410, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/cursor-not-issued"
    assert problem["status"] == 410 and problem["title"] == "Gone"
    assert repr(since) in problem["detail"]
    assert "full export" in problem["detail"] and "since=0" in problem["detail"]
    assert "peel export" in problem["detail"] and "format=ndjson" in problem["detail"]


def test_a_cursor_never_issued_is_a_410(client: TestClient, db: Engine) -> None:
    _import(client, seed_text())
    feed = client.get("/v1/changes").json()
    issued = ["0", *(c["cursor"] for c in feed["items"])]
    latest = int(feed["cursor"])
    assert issued[-1] == feed["cursor"] and len(issued) == 3

    for since in [str(latest + 1), str(latest + 1000), "9" * 18, f"0{latest}", "00"]:
        _gone(client.get("/v1/changes", params={"since": since}), since)

    # An id below the latest that the service holds no change for is not one of its either
    # (as when the database was rebuilt with other changes).
    first = issued[1]
    with db.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM data_change WHERE id = {int(first)}")
    _gone(client.get("/v1/changes", params={"since": first}), first)

    for since in ["0", issued[2]]:  # the start, and the latest cursor, keep working
        response = client.get("/v1/changes", params={"since": since})
        assert response.status_code == 200, response.text
        assert response.json()["cursor"] == feed["cursor"]


def test_after_a_410_a_client_resyncing_from_0_ends_equal_to_a_fresh_export(
    client: TestClient,
) -> None:
    _import(client, seed_text())
    replica = Replica(client)
    replica.cursor = str(int(client.get("/v1/changes").json()["cursor"]) + 7)  # another life's
    with pytest.raises(AssertionError):
        replica.sync()  # the feed answers a problem, not a feed
    _gone(client.get(f"/v1/changes?since={replica.cursor}"), replica.cursor)
    replica.cursor = "0"  # as the problem says: start again
    replica.sync()
    assert replica.inspections == _fresh_export(client) != {}


def test_the_410_is_declared_as_problem_json(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/v1/changes"]["get"]
    gone = operation["responses"]["410"]
    assert "cursor-not-issued" in gone["description"]
    assert gone["content"]["application/problem+json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert "since=0" in operation["description"]
