"""POST /v1/imports: authenticated, validated, one transaction, recorded."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.api.auth import new_key_entry
from app.config import Settings
from app.db import make_engine, migrate
from app.main import create_app
from app.models import ImportRecord, Inspection
from app.store.catalogue import sync_catalogue
from tests.conftest import fresh_database
from tests.helpers import changed_report_text, dump, run_cli
from tests.reports import SEED_REPORT, seed_document, seed_manifest_row, seed_text

IMPORT_KEY, IMPORT_ENTRY = new_key_entry("pipeline", ["import"])
READ_KEY, READ_ENTRY = new_key_entry("dashboard", ["read"])
LIMIT = 256 * 1024


@pytest.fixture
def client(db: Engine) -> Iterator[TestClient]:
    settings = Settings(api_keys=f"{IMPORT_ENTRY},{READ_ENTRY}", max_import_bytes=LIMIT)
    with TestClient(create_app(db, settings)) as client:
        yield client


def _post(client: TestClient, body: str | bytes, **kwargs: Any) -> Any:
    headers = {"Content-Type": "text/plain; charset=utf-8", "Authorization": f"Bearer {IMPORT_KEY}"}
    headers.update(kwargs.pop("headers", {}))
    return client.post("/v1/imports", content=body, headers=headers, **kwargs)


def _with_metadata() -> dict[str, str]:
    row = seed_manifest_row()
    return {
        "text": seed_text(),
        "force": row["force"],
        "framework": row["framework"],
        "published": row["published"],
        "source_url": row["source_url"],
        "licence": row["licence"],
        "filename": row["file"],
    }


def _timeless(rows: dict[str, list]) -> dict[str, list]:
    """A dump with timestamps blanked and the import log left out."""
    return {
        table: [tuple(None if isinstance(v, datetime) else v for v in row) for row in values]
        for table, values in rows.items()
        if table != "import_record"
    }


def test_importing_the_seed_over_http_equals_peel_load(
    client: TestClient, db: Engine, database_url: str, tmp_path: Path
) -> None:
    response = client.post("/v1/imports", json=_with_metadata(), headers={"X-API-Key": IMPORT_KEY})
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "created"
    assert response.headers["location"] == "/v1/inspections/west-midlands-2018-19"

    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with fresh_database(backend, tmp_path / "cli") as other_url:
        other = make_engine(other_url)
        migrate(other)
        sync_catalogue(other)
        loaded = run_cli("load", str(SEED_REPORT), database_url=other_url)
        assert loaded.returncode == 0, loaded.stderr
        assert _timeless(dump(other)) == _timeless(dump(db))
        other.dispose()


def test_the_same_import_twice_is_a_200_and_changes_nothing(client: TestClient, db: Engine) -> None:
    assert _post(client, seed_text()).status_code == 201
    before = dump(db)
    again = _post(client, seed_text())
    assert again.status_code == 200
    assert again.json()["status"] == "unchanged"
    assert _timeless(dump(db)) == _timeless(before)


def test_text_alone_keeps_the_stored_source_facts(client: TestClient, db: Engine) -> None:
    client.post("/v1/imports", json=_with_metadata(), headers={"X-API-Key": IMPORT_KEY})
    assert _post(client, seed_text()).json()["status"] == "unchanged"
    with Session(db) as session:
        inspection = session.get(Inspection, "west-midlands-2018-19")
        assert inspection.source_url == seed_manifest_row()["source_url"]


def test_a_dry_run_returns_the_document_and_writes_nothing(client: TestClient, db: Engine) -> None:
    before = dump(db)
    response = _post(client, seed_text(), params={"dry_run": "true"})
    assert response.status_code == 200
    result = response.json()
    assert result["dry_run"] is True and result["status"] == "created"
    assert result["document"]["inspection_id"] == "west-midlands-2018-19"
    assert result["changes"]["judgment"] == {"before": 0, "after": 13}
    assert dump(db) == before


def test_a_corrupted_report_is_a_422_with_its_line_and_nothing_is_written(
    client: TestClient, db: Engine
) -> None:
    judgment = seed_document().judgments[1]
    lines = seed_text().split("\n")
    lines[judgment.line - 1] = lines[judgment.line - 1].replace("Good", "Splendid")
    before = dump(db)
    response = _post(client, "\n".join(lines))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["line"] == judgment.line
    assert f"request body:{judgment.line}: unknown grade 'Splendid'" in problem["detail"]
    assert dump(db) == before


def test_a_report_in_another_encoding_is_a_422_and_nothing_is_written(
    client: TestClient, db: Engine
) -> None:
    before = dump(db)
    response = _post(client, seed_text().replace("’", "'").encode("utf-16"))
    assert response.status_code == 422
    assert response.json()["line"] == 1
    assert (
        _post(client, b"x", headers={"Content-Type": "text/plain; charset=latin-1"}).status_code
        == 415
    )
    assert dump(db) == before


def test_a_report_about_another_force_than_stated_is_a_422(client: TestClient) -> None:
    response = _post(client, seed_text(), params={"force": "kent"})
    assert response.status_code == 422
    assert "kent" in response.json()["detail"]


def test_a_changed_report_replaces_the_inspection(client: TestClient) -> None:
    assert _post(client, seed_text()).status_code == 201
    text, question, grade = changed_report_text(seed_document(), seed_text())
    response = _post(client, text)
    assert response.status_code == 201 and response.json()["status"] == "replaced"
    judgments = client.get("/v1/judgments", params={"question": question}).json()["items"]
    assert judgments[0]["grade"] == grade


def test_concurrent_imports_of_one_report_make_one_inspection(
    client: TestClient, db: Engine
) -> None:
    statuses: list[int] = []

    def send() -> None:
        statuses.append(_post(client, seed_text()).status_code)

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 201]
    assert client.get("/v1/inspections").json()["count"] == 1


def test_every_import_is_recorded_with_its_key(client: TestClient, db: Engine) -> None:
    _post(client, seed_text())
    _post(client, seed_text())
    with Session(db) as session:
        records = session.execute(select(ImportRecord).order_by(ImportRecord.id)).scalars().all()
    assert [(r.key_name, r.status) for r in records] == [
        ("pipeline", "created"),
        ("pipeline", "unchanged"),
    ]
    assert records[0].counts["judgment"] == 13


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Authorization": ""}, 401),
        ({"Authorization": "Bearer not-a-key"}, 401),
        ({"Authorization": f"Bearer {READ_KEY}"}, 403),
    ],
)
def test_keys_are_required_and_scoped(
    client: TestClient, db: Engine, headers: dict[str, str], status: int
) -> None:
    before = dump(db)
    response = _post(client, seed_text(), headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert dump(db) == before


def test_a_body_over_the_limit_is_a_413(client: TestClient) -> None:
    assert _post(client, "x" * (LIMIT + 1)).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(LIMIT // 1024 + 2):
            yield b"x" * 1024

    assert _post(client, chunks()).status_code == 413


@pytest.mark.parametrize("content_type", ["application/xml", "multipart/form-data", ""])
def test_an_unsupported_content_type_is_a_415(client: TestClient, content_type: str) -> None:
    response = _post(client, seed_text(), headers={"Content-Type": content_type})
    assert response.status_code == 415


def test_a_malformed_json_body_is_a_422(client: TestClient) -> None:
    response = client.post("/v1/imports", json={"txt": "typo"}, headers={"X-API-Key": IMPORT_KEY})
    assert response.status_code == 422
    assert {e["name"] for e in response.json()["errors"]} >= {"body.text", "body.txt"}
