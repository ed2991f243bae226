"""Bulk export: every list endpoint as CSV and NDJSON, the same items as its JSON pages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import formats
from app.db import make_engine
from app.ingest.reference import load_reference
from app.main import create_app
from tests.api.conftest import Api
from tests.helpers import run_cli

LISTS = [
    "/v1/forces",
    "/v1/frameworks",
    "/v1/inspections",
    "/v1/forces/west-midlands/inspections",
    "/v1/judgments",
    "/v1/findings",
    "/v1/recommendations",
    "/v1/glossary",
]
RESOURCES = {  # file name: the list that holds the same rows
    "forces": "/v1/forces",
    "frameworks": "/v1/frameworks",
    "inspections": "/v1/inspections",
    "judgments": "/v1/judgments",
    "findings": "/v1/findings",
    "recommendations": "/v1/recommendations",
    "glossary": "/v1/glossary",
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


def _all_items(api: Api, url: str, **params: object) -> tuple[list[dict], int]:
    page = api.json(url, limit=1000, **params)
    assert page["count"] <= 1000, "the test assumes one page holds every item"
    return page["items"], page["count"]


EMPTY_LIST = ("", "[]")


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON item as the CSV cells it should become (independent of app/api/formats.py)."""
    if isinstance(value, dict):
        cells: dict[str, str] = {}
        for key, inner in value.items():
            cells |= _flatten(inner, f"{prefix}{key}.")
        return cells
    name = prefix.rstrip(".")
    if value is None:
        return {name: ""}
    if value == []:  # no element to tell a list of strings ('') from one of objects ('[]')
        return {name: EMPTY_LIST}
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return {name: "\n\n".join(value)}
        return {name: json.dumps(value, ensure_ascii=False, separators=(",", ":"))}
    if isinstance(value, bool):
        return {name: "true" if value else "false"}
    return {name: str(value)}


def _csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def _ndjson(text: str) -> list[dict]:
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("url", LISTS)
def test_csv_rows_are_the_json_items(api: Api, url: str) -> None:
    items, count = _all_items(api, url)
    assert count > 0
    by_param = api.client.get(url, params={"format": "csv"})
    by_accept = api.client.get(url, headers={"Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["vary"] == "Accept"
        name = url.rsplit("/", 1)[-1]
        if "west-midlands" in url:  # a path parameter filters the list: it names the file
            name = f"{name}-west-midlands"
        assert response.headers["content-disposition"] == f'attachment; filename="{name}.csv"'
    assert by_param.text == by_accept.text
    _header, rows = _csv(by_param.text)
    assert len(rows) == count
    for row, item in zip(rows, items, strict=True):
        for key, value in _flatten(item).items():
            if value == EMPTY_LIST:
                assert row[key] in EMPTY_LIST, key
            elif key in row and value.startswith("/v1/"):  # links are absolute in a CSV
                assert row[key] == f"http://testserver{value}", key
            elif key in row:
                assert row[key] == value, key
            else:  # a null object: its dotted columns are empty
                nested = [column for column in row if column.startswith(f"{key}.")]
                assert value == "" and nested and all(row[c] == "" for c in nested), key


@pytest.mark.parametrize("url", LISTS)
def test_ndjson_lines_are_the_json_items(api: Api, url: str) -> None:
    items, _count = _all_items(api, url)
    by_param = api.client.get(url, params={"format": "ndjson"})
    by_accept = api.client.get(url, headers={"Accept": "application/x-ndjson"})
    for response in (by_param, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["vary"] == "Accept"
        assert response.headers["content-disposition"].endswith('.ndjson"')
        assert _ndjson(response.text) == items


def test_an_export_has_the_filters_and_sort_of_the_page(api: Api) -> None:
    question = "ethical-and-lawful-workforce-behaviour"
    items, count = _all_items(api, "/v1/findings", question=question)
    assert 0 < count < _all_items(api, "/v1/findings")[1]
    text = api.client.get("/v1/findings", params={"question": question, "format": "ndjson"}).text
    assert _ndjson(text) == items
    items, _ = _all_items(api, "/v1/forces", sort="-name")
    text = api.client.get("/v1/forces", params={"sort": "-name", "format": "ndjson"}).text
    assert _ndjson(text) == items
    _header, rows = _csv(
        api.client.get("/v1/judgments", params={"level": "pillar", "format": "csv"}).text
    )
    assert [row["id"] for row in rows] == [
        j["id"] for j in _all_items(api, "/v1/judgments", level="pillar")[0]
    ]


def test_an_export_reads_every_row_in_batches(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    items, count = _all_items(api, "/v1/forces")
    monkeypatch.setattr(formats, "BATCH_SIZE", 7)
    assert count > 7 * 3 and count % 7 != 0
    assert _ndjson(api.client.get("/v1/forces?format=ndjson").text) == items
    _header, rows = _csv(api.client.get("/v1/forces?format=csv").text)
    assert [row["id"] for row in rows] == [f["id"] for f in items]
    monkeypatch.setattr(formats, "BATCH_SIZE", 5)
    assert count % 5 == 0  # a last batch that is exactly full
    assert _ndjson(api.client.get("/v1/forces?format=ndjson").text) == items
    # ...and an explicit limit that spans batches
    page = api.json("/v1/forces", limit=12, offset=3)
    assert (
        _ndjson(api.client.get("/v1/forces?format=ndjson&limit=12&offset=3").text)
        == (page["items"])
    )


def test_explicit_limit_and_offset_bound_an_export(api: Api) -> None:
    page = api.json("/v1/forces", limit=5, offset=3)
    text = api.client.get("/v1/forces", params={"format": "ndjson", "limit": 5, "offset": 3}).text
    assert _ndjson(text) == page["items"]
    items, count = _all_items(api, "/v1/forces")
    text = api.client.get("/v1/forces", params={"format": "ndjson", "offset": 40}).text
    assert _ndjson(text) == items[40:] and len(items[40:]) == count - 40
    _header, rows = _csv(api.client.get("/v1/glossary?format=csv&limit=3").text)
    assert [row["id"] for row in rows] == [t["id"] for t in _all_items(api, "/v1/glossary")[0][:3]]
    assert api.client.get("/v1/forces?format=ndjson&offset=1000").text == ""


def test_an_empty_export_still_has_its_csv_header(api: Api) -> None:
    response = api.client.get("/v1/findings", params={"force": "kent", "format": "csv"})
    assert response.status_code == 200
    header, rows = _csv(response.text)
    assert rows == []
    assert header == [
        "id",
        "inspection",
        "force",
        "force.name",
        "pillar",
        "pillar.name",
        "question",
        "question.name",
        "heading",
        "position",
        "page",
        "paragraphs",
        "source_lines.start",
        "source_lines.end",
        "href",
    ]
    header, _ = _csv(api.client.get("/v1/inspections?force=kent&format=csv").text)
    assert {"force.id", "force.name", "framework.id"} <= set(header)
    header, _ = _csv(api.client.get("/v1/recommendations?force=kent&format=csv").text)
    assert {"cause_of_concern.id", "cause_of_concern.text"} <= set(header)
    assert api.client.get("/v1/findings?force=kent&format=ndjson").text == ""


def test_csv_cells_flatten_nested_values(api: Api) -> None:
    finding = api.json("/v1/findings", limit=1)["items"][0]
    _header, (row,) = _csv(api.client.get("/v1/findings?format=csv&limit=1").text)
    assert row["source_lines.start"] == str(finding["source_lines"]["start"])
    assert row["paragraphs"].split("\n\n") == finding["paragraphs"]
    term = api.json("/v1/glossary", limit=1)["items"][0]
    _header, (row,) = _csv(api.client.get("/v1/glossary?format=csv&limit=1").text)
    assert json.loads(row["citations"]) == term["citations"]
    (recommendation,) = api.json("/v1/recommendations", kind="recommendation")["items"]
    _header, rows = _csv(api.client.get("/v1/recommendations?format=csv").text)
    by_id = {row["id"]: row for row in rows}
    assert (
        by_id[recommendation["id"]]["cause_of_concern.id"]
        == (recommendation["cause_of_concern"]["id"])
    )
    assert all(row["cause_of_concern.id"] == "" for row in rows if row["kind"] != "recommendation")


@pytest.mark.parametrize("url", LISTS)
def test_an_accept_header_that_admits_nothing_we_make_is_406(api: Api, url: str) -> None:
    response = api.client.get(url, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 406
    # ...unless `format` says what to answer, which wins over Accept
    response = api.client.get(url, params={"format": "json"}, headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("accept", [None, "*/*", BROWSER, "application/json", "application/*"])
def test_json_is_the_default(api: Api, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = api.client.get("/v1/forces?limit=2", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["vary"] == "Accept"
    assert response.json()["count"] == 45


def test_format_wins_over_accept(api: Api) -> None:
    response = api.client.get(
        "/v1/frameworks?format=csv", headers={"Accept": "application/x-ndjson"}
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_an_unknown_format_is_a_400_and_search_takes_none(api: Api) -> None:
    for url in LISTS:
        response = api.client.get(url, params={"format": "xml"})
        assert response.status_code == 400, url
        assert response.headers["content-type"] == "application/problem+json"
    response = api.client.get("/v1/search", params={"q": "vetting", "format": "csv"})
    assert response.status_code == 400
    assert response.json()["type"] == "/problems/unknown-parameter"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        (BROWSER, "json"),
        ("text/csv", "csv"),
        ("text/*", "csv"),
        ("application/x-ndjson", "ndjson"),
        ("application/json;q=0.5, text/csv", "csv"),
        ("text/csv;q=0.2, application/x-ndjson;q=0.9", "ndjson"),
        ("application/json;q=0, */*", "csv"),
        ("image/png", None),
        ("text/html", None),
        ("text/csv;q=0", None),
    ],
)
def test_accept_negotiation(accept: str | None, expected: str | None) -> None:
    assert formats.negotiate(accept) == expected


def test_openapi_declares_the_export_types_and_406() -> None:
    paths = create_app().openapi()["paths"]
    for url in LISTS:
        path = url.replace("west-midlands", "{force_id}")
        operation = paths[path]["get"]
        content = operation["responses"]["200"]["content"]
        assert set(content) == {"application/json", "text/csv", "application/x-ndjson"}, path
        assert "$ref" in content["application/json"]["schema"]
        assert "application/problem+json" in operation["responses"]["406"]["content"]
        assert "format" in {p["name"] for p in operation["parameters"]}
    assert "406" not in paths["/v1/search"]["get"]["responses"]


def test_peel_export_writes_every_resource(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'peel.db'}"
    seeded = run_cli("seed", database_url=url)
    assert seeded.returncode == 0, seeded.stderr
    engine = make_engine(url)
    try:
        with TestClient(create_app(engine)) as client:
            counts = {
                name: client.get(list_url, params={"limit": 1}).json()["count"]
                for name, list_url in RESOURCES.items()
            }
            items = {
                name: client.get(list_url, params={"limit": 1000}).json()["items"]
                for name, list_url in RESOURCES.items()
            }
    finally:
        engine.dispose()

    out = tmp_path / "dump" / "ndjson"
    result = run_cli("export", str(out), database_url=url)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == len(RESOURCES)
    for name, count in counts.items():
        path = out / f"{name}.ndjson"
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) == count, name
        assert _ndjson(text) == items[name], name
        assert f"{path}: {count} row" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.ndjson" for n in RESOURCES)

    out = tmp_path / "dump" / "csv"
    result = run_cli("export", str(out), "--format", "csv", database_url=url)
    assert result.returncode == 0, result.stderr
    for name, count in counts.items():
        _header, rows = _csv((out / f"{name}.csv").read_text(encoding="utf-8"))
        assert len(rows) == count, name
        assert [row["id"] for row in rows] == [item["id"] for item in items[name]], name
    # The files name the ids as the API's CSV does; their links stay root-relative.
    forces = {force.id: force.name for force in load_reference().forces}
    _header, rows = _csv((out / "judgments.csv").read_text(encoding="utf-8"))
    assert rows and all(row["force.name"] == forces[row["force"]] for row in rows)
    _header, rows = _csv((out / "forces.csv").read_text(encoding="utf-8"))
    assert all(row["inspections"] == f"/v1/forces/{row['id']}/inspections" for row in rows)


def test_peel_export_of_an_unreachable_database_says_where_and_what_to_check(
    tmp_path: Path,
) -> None:
    result = run_cli(
        "export",
        str(tmp_path / "out"),
        database_url="postgresql+psycopg://peel@127.0.0.1:5999/peel",
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("peel: cannot connect to database at 127.0.0.1:5999")
    assert "DATABASE_URL" in result.stderr.strip().splitlines()[1]
    assert not (tmp_path / "out").exists()
