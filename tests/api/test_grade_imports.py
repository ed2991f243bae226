"""POST /v1/imports with a grade-record CSV (text/csv): checked like `peel load FILE.csv`,
stored in one transaction, recorded. Rows are taken from the reference files and the
expectations computed from them, never hand-copied."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from app.api.auth import new_key_entry
from app.config import Settings
from app.ingest.ids import slugify
from app.main import create_app
from app.models import GradeCount, ImportRecord
from app.services.data_version import current_version
from tests.helpers import dump
from tests.reports import ROOT, csv_rows, seed_manifest_row, seed_text

REFERENCE = ROOT / "reference"
AREA_GRADES = REFERENCE / "peel-area-grades.csv"
COUNTS = REFERENCE / "peel-area-grade-counts.csv"
PILLAR_GRADES = REFERENCE / "peel-2018-19-pillar-grades.csv"
PILLAR_FRAMEWORK = "peel-2018-19"  # the wide file's framework, as seed/manifest.csv states it

IMPORT_KEY, IMPORT_ENTRY = new_key_entry("pipeline", ["import"])
READ_KEY, READ_ENTRY = new_key_entry("dashboard", ["read"])
LIMIT = 256 * 1024


@pytest.fixture
def client(db: Engine) -> Iterator[TestClient]:
    settings = Settings(api_keys=f"{IMPORT_ENTRY},{READ_ENTRY}", max_import_bytes=LIMIT)
    with TestClient(create_app(db, settings)) as client:
        yield client


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _post(client: TestClient, body: str | bytes, **kwargs: Any) -> Any:
    headers = {"Content-Type": "text/csv; charset=utf-8", "Authorization": f"Bearer {IMPORT_KEY}"}
    headers.update(kwargs.pop("headers", {}))
    return client.post("/v1/imports", content=body, headers=headers, **kwargs)


def _one_force_areas() -> tuple[str, str, list[dict[str, str]]]:
    """(framework, force, rows) of the first force of the area-grade file whose every area
    is stated once (so each row is the judgment that stands)."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in csv_rows(AREA_GRADES):
        groups.setdefault((row["framework"], row["force_id"]), []).append(row)
    for (framework, force), rows in groups.items():
        if len({r["area_id"] for r in rows}) == len(rows) > 1:
            return framework, force, rows
    raise AssertionError(f"{AREA_GRADES}: no force states each area once")


def _judgments(client: TestClient, force: str, framework: str) -> dict[str, dict]:
    page = client.get(
        "/v1/judgments", params={"force": force, "framework": framework, "limit": 1000}
    )
    assert page.status_code == 200, page.text
    return {j["area"]: j for j in page.json()["items"]}


def _version(db: Engine) -> int:
    with Session(db) as session:
        return current_version(session)


def test_an_area_grade_file_is_loaded_with_its_sources(client: TestClient, db: Engine) -> None:
    framework, force, rows = _one_force_areas()
    assert _judgments(client, force, framework) == {}  # cached now: the import must invalidate
    response = _post(client, _csv(rows), params={"filename": "areas.csv"})
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["kind"] == "grade-records" and result["status"] == "created"
    assert result["file"] == "areas.csv" and result["records"] == len(rows)
    assert result["dry_run"] is False and result["data_version"] == _version(db)
    (inspection,) = result["inspections"]["created"]
    assert response.headers["location"] == f"/v1/inspections/{inspection}"
    judged = _judgments(client, force, framework)
    assert {area: j["grade"] for area, j in judged.items()} == {
        r["area_id"]: slugify(r["grade"]) for r in rows
    }
    assert {area: j["source_url"] for area, j in judged.items()} == {
        r["area_id"]: r["source_url"] for r in rows
    }
    assert {j["inspection"] for j in judged.values()} == {inspection}


def test_the_same_file_again_is_a_200_and_changes_nothing(client: TestClient, db: Engine) -> None:
    _, _, rows = _one_force_areas()
    first = _post(client, _csv(rows)).json()
    before = dump(db)
    again = _post(client, _csv(rows))
    assert again.status_code == 200, again.text
    result = again.json()
    assert result["status"] == "unchanged" and result["file"] == "upload.csv"
    assert result["inspections"]["unchanged"] == first["inspections"]["created"]
    assert result["data_version"] == first["data_version"]
    after = dump(db)
    assert {t: v for t, v in after.items() if t != "import_record"} == {
        t: v for t, v in before.items() if t != "import_record"
    }
    with Session(db) as session:
        records = session.execute(select(ImportRecord).order_by(ImportRecord.id)).scalars().all()
    assert [(r.key_name, r.status, r.inspection_id) for r in records] == [
        ("pipeline", "created", first["inspections"]["created"][0]),
        ("pipeline", "unchanged", first["inspections"]["created"][0]),
    ]
    assert records[0].counts["records"] == len(rows)


def test_a_dry_run_says_what_would_happen_and_writes_nothing(
    client: TestClient, db: Engine
) -> None:
    framework, force, rows = _one_force_areas()
    before, version = dump(db), _version(db)
    response = _post(client, _csv(rows), params={"dry_run": "true"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["dry_run"] is True and result["status"] == "created"
    assert len(result["inspections"]["created"]) == 1
    assert result["data_version"] > version  # the version it would be at
    assert dump(db) == before and _version(db) == version
    assert _judgments(client, force, framework) == {}


def test_a_row_with_an_unknown_force_is_a_422_naming_its_line(
    client: TestClient, db: Engine
) -> None:
    framework, force, rows = _one_force_areas()
    bad = len(rows) // 2
    rows = [dict(r) for r in rows]
    rows[bad]["force_id"] = "no-such-force"
    before = dump(db)
    response = _post(client, _csv(rows), params={"filename": "areas.csv"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    line = bad + 2  # the header is line 1
    assert problem["line"] == line
    assert problem["detail"].startswith(f"areas.csv:{line}: ")
    assert "no-such-force" in problem["detail"]
    assert dump(db) == before
    assert _judgments(client, force, framework) == {}


def test_a_row_of_another_force_than_stated_is_a_422(client: TestClient, db: Engine) -> None:
    _, force, rows = _one_force_areas()
    other = next(r for r in csv_rows(AREA_GRADES) if r["force_id"] != force)
    before = dump(db)
    response = _post(client, _csv([*rows, other]), params={"force": force})
    assert response.status_code == 422
    assert response.json()["line"] == len(rows) + 2
    assert dump(db) == before


def test_a_counts_file_is_accepted(client: TestClient, db: Engine) -> None:
    counted = csv_rows(COUNTS)
    force = counted[0]["force_id"]
    rows = [r for r in counted if r["force_id"] == force]
    response = _post(client, _csv(rows), params={"filename": "counts.csv"})
    assert response.status_code == 201, response.text
    result = response.json()
    assert (result["kind"], result["status"], result["records"]) == (
        "grade-counts",
        "created",
        len(rows),
    )
    with Session(db) as session:
        stored = session.execute(select(GradeCount).where(GradeCount.force_id == force)).scalars()
        assert sorted((c.source_url, c.source_file) for c in stored) == sorted(
            (r["source_url"], "counts.csv") for r in rows
        )
    again = _post(client, _csv(rows), params={"filename": "counts.csv"})
    assert again.status_code == 200 and again.json()["status"] == "unchanged"


def test_pillar_grades_of_a_reported_force_are_checks_beside_the_report(
    client: TestClient, db: Engine
) -> None:
    report = client.post(
        "/v1/imports",
        content=seed_text(),
        headers={"Content-Type": "text/plain", "X-API-Key": IMPORT_KEY},
    )
    assert report.status_code == 201, report.text
    inspection = report.json()["inspection"]
    force = seed_manifest_row()["force"]
    (row,) = [r for r in csv_rows(PILLAR_GRADES) if r["force_id"] == force]
    body = _csv([row])
    assert _post(client, body).status_code == 422  # a wide file needs its framework
    response = _post(client, body, params={"framework": PILLAR_FRAMEWORK})
    assert response.status_code == 201, response.text
    result = response.json()
    graded = [c for c in row if c not in ("force_id", "tranche", "source_url") and row[c]]
    assert result["checked"] == len(graded)
    assert result["inspections"] == {"created": [], "replaced": [], "unchanged": []}
    assert result["status"] == "replaced"  # the checks were added beside the judgments
    judgments = client.get(
        "/v1/judgments", params={"inspection": inspection, "level": "pillar"}
    ).json()["items"]
    assert all(
        any(c["source_url"] == row["source_url"] for c in j["cross_checks"])
        for j in judgments
        if j["pillar"] in graded
    )
    again = _post(client, body, params={"framework": PILLAR_FRAMEWORK})
    assert again.status_code == 200 and again.json()["status"] == "unchanged"


def test_a_file_not_in_utf8_is_a_422_and_nothing_is_written(client: TestClient, db: Engine) -> None:
    _, _, rows = _one_force_areas()
    before = dump(db)
    response = _post(client, _csv(rows).encode("utf-16"))
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["detail"]
    latin = _post(client, b"x", headers={"Content-Type": "text/csv; charset=latin-1"})
    assert latin.status_code == 415
    assert dump(db) == before


def test_report_facts_are_refused_with_a_csv(client: TestClient) -> None:
    _, _, rows = _one_force_areas()
    response = _post(client, _csv(rows), params={"published": "2023-01-01"})
    assert response.status_code == 422
    assert [e["name"] for e in response.json()["errors"]] == ["query.published"]


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
    _, _, rows = _one_force_areas()
    before = dump(db)
    response = _post(client, _csv(rows), headers=headers)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert dump(db) == before


def test_a_file_over_the_limit_is_a_413(client: TestClient) -> None:
    _, _, rows = _one_force_areas()
    body = _csv(rows)
    rows_text = body.split("\n", 1)[1]
    body += rows_text * (LIMIT // len(rows_text) + 1)
    assert len(body.encode()) > LIMIT
    assert _post(client, body).status_code == 413
