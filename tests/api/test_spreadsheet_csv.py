"""CSV for spreadsheets (attachments, names beside ids, absolute links, the BOM, the grades
grid) and the OpenAPI problem examples, each provoked from the live app; on both backends,
through `peel seed` (the report and every grade file), expectations from reference/*.csv."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from app.api.auth import new_key_entry
from app.config import Settings
from app.db import make_engine
from app.ingest.reference import load_reference
from app.main import create_app
from tests.helpers import SEED_REPORT

REFERENCE = load_reference()
FORCE_NAMES = {f.id: f.name for f in REFERENCE.forces}
LISTS = {  # list URL: the file name its CSV has
    "/v1/forces": "forces.csv",
    "/v1/frameworks": "frameworks.csv",
    "/v1/inspections": "inspections.csv",
    "/v1/forces/west-midlands/inspections": "inspections-west-midlands.csv",
    "/v1/judgments": "judgments.csv",
    "/v1/judgments?framework=peel-2023-25": "judgments-peel-2023-25.csv",
    "/v1/judgments?level=area&framework=peel-2023-25": "judgments-peel-2023-25-area.csv",
    "/v1/findings": "findings.csv",
    "/v1/recommendations": "recommendations.csv",
    "/v1/glossary": "glossary.csv",
}
SAFE_NAME = re.compile(r'^attachment; filename="[a-z0-9][a-z0-9._-]*\.csv"$')
IMPORT_KEY, IMPORT_ENTRY = new_key_entry("pipeline", ["import"])
READ_KEY, READ_ENTRY = new_key_entry("reader", ["read"])


def _csv(content: bytes) -> list[dict[str, str]]:
    text = content.decode("utf-8")
    assert not text.startswith("\ufeff"), "a BOM only with bom=true"
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.fixture(scope="module")
def client(seeded: Any) -> TestClient:
    return seeded[0]


def _get_csv(client: TestClient, url: str, **params: Any) -> Any:
    response = client.get(url, params={"format": "csv", **params})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return response


# --- file names ---------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "filename"), LISTS.items())
def test_a_csv_is_an_attachment_named_after_the_list_and_its_filters(
    client: TestClient, url: str, filename: str
) -> None:
    for response in (
        client.get(url + ("&" if "?" in url else "?") + "format=csv&limit=1"),
        client.get(url, headers={"Accept": "text/csv"}),
    ):
        assert response.status_code == 200, response.text
        disposition = response.headers["content-disposition"]
        assert disposition == f'attachment; filename="{filename}"'
        assert SAFE_NAME.match(disposition)
    ndjson = client.get(url, headers={"Accept": "application/x-ndjson"})
    assert ndjson.headers["content-disposition"].startswith("inline; filename=")


def test_a_file_name_never_carries_what_a_header_or_a_file_system_misreads(
    client: TestClient,
) -> None:
    # Values no filter accepts are refused before any file is named; what does get through
    # is reduced to lowercase letters, digits, '.', '_' and '-'.
    response = client.get("/v1/judgments", params={"format": "csv", "carried_over": "true"})
    assert response.status_code == 200, response.text
    assert SAFE_NAME.match(response.headers["content-disposition"])
    assert response.headers["content-disposition"].endswith('"judgments-carried_over.csv"')


# --- names beside ids -------------------------------------------------------------------------


def _unit_names() -> dict[tuple[str, str, str], str]:
    names = {}
    for framework in REFERENCE.frameworks.values():
        for pillar in framework.pillars:
            names[("pillar", framework.id, pillar.id)] = pillar.name
        for question in framework.questions:
            names[("question", framework.id, question.id)] = question.name
            names[("area", framework.id, question.id)] = question.name
    return names


def test_judgment_rows_name_every_id_as_the_catalogue_does(client: TestClient) -> None:
    rows = _csv(_get_csv(client, "/v1/judgments").content)
    units = _unit_names()
    assert len(rows) > 100
    seen = set()
    for row in rows:
        assert row["force.name"] == FORCE_NAMES[row["force"]]
        assert row["framework.name"] == REFERENCE.frameworks[row["framework"]].name
        grades = {g.id: g.name for g in REFERENCE.frameworks[row["scale"]].grades}
        # A blank grade: carried over, the grade not known here (and said so).
        assert row["grade_name"] == (grades[row["grade"]] if row["grade"] else "")
        assert row["grade"] or row["carried_over"] == "true", row["id"]
        for kind in ("pillar", "question", "area"):
            if row[kind]:
                seen.add(kind)
                expected = units.get((kind, row["framework"], row[kind]))
                if expected is None:  # questions of 2014-2017 come from the grade records
                    assert kind == row["level"] and row["framework"] < "peel-2018", row["id"]
                    expected = row["name"]
                assert row[f"{kind}.name"] == expected, row["id"]
            else:
                assert row[f"{kind}.name"] == ""
    assert seen == {"pillar", "question", "area"}


@pytest.mark.parametrize("url", ["/v1/findings", "/v1/recommendations"])
def test_finding_and_item_rows_name_their_force_pillar_and_question(
    client: TestClient, url: str
) -> None:
    rows = _csv(_get_csv(client, url).content)
    assert rows
    units = _unit_names()
    for row in rows:
        framework = next(
            f.id
            for f in REFERENCE.frameworks.values()
            if row["inspection"].endswith("-" + f.year_label.replace("/", "-"))
        )
        assert row["force.name"] == FORCE_NAMES[row["force"]]
        assert row["question.name"] == units[("question", framework, row["question"])]
        if row["pillar"]:
            assert row["pillar.name"] == units[("pillar", framework, row["pillar"])]


def test_names_are_read_once_an_export_not_once_a_row(seeded: Any) -> None:
    from tests.api.conftest import StatementCounter

    client, engine, _url, _run = seeded
    with StatementCounter(engine) as few:
        _get_csv(client, "/v1/judgments", limit=2)
    with StatementCounter(engine) as many:
        rows = _csv(_get_csv(client, "/v1/judgments").content)
    assert len(rows) > 100
    assert many.count <= few.count + 4  # a page of 500 rows costs its batch query, not a row


# --- absolute links ---------------------------------------------------------------------------

LINK_COLUMNS = {
    "/v1/forces": ["inspections", "history"],
    "/v1/frameworks": ["href"],
    "/v1/inspections": ["force.href", "framework.href", "href"],
    "/v1/findings": ["href"],
    "/v1/recommendations": ["href", "cause_of_concern.href"],
}


@pytest.mark.parametrize(("url", "columns"), LINK_COLUMNS.items())
def test_links_are_absolute_and_resolve(client: TestClient, url: str, columns: list[str]) -> None:
    rows = _csv(_get_csv(client, url).content)
    base = str(client.base_url).rstrip("/")
    checked = 0
    for row in rows[:3] + [r for r in rows if r.get("cause_of_concern.href")][:2]:
        for column in columns:
            if not row[column]:
                continue
            assert row[column].startswith(f"{base}/v1/"), row[column]
            parts = urlsplit(row[column])
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            assert client.get(target).status_code == 200, row[column]
            checked += 1
    assert checked >= len(columns)


def test_json_and_ndjson_keep_root_relative_links(client: TestClient) -> None:
    item = client.get("/v1/forces", params={"limit": 1}).json()["items"][0]
    assert item["inspections"].startswith("/v1/")
    line = client.get("/v1/forces", params={"format": "ndjson", "limit": 1}).text
    assert '"inspections":"/v1/' in line


# --- the BOM ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/v1/forces", "/v1/judgments", "/v1/frameworks/peel-2023-25/grades"]
)
def test_bom_true_starts_the_csv_with_a_utf8_bom(client: TestClient, url: str) -> None:
    plain = _get_csv(client, url)
    marked = _get_csv(client, url, bom="true")
    assert marked.content.startswith(b"\xef\xbb\xbf")
    assert not plain.content.startswith(b"\xef\xbb\xbf")
    assert marked.content[3:] == plain.content
    rows = list(csv.DictReader(io.StringIO(marked.content.decode("utf-8-sig"), newline="")))
    assert rows == _csv(plain.content)
    assert next(iter(rows[0])) in ("id", "force", "source_kind")  # the header is not mangled


def test_bom_is_ignored_by_json_and_ndjson(client: TestClient) -> None:
    for fmt in ("json", "ndjson"):
        plain = client.get("/v1/forces", params={"format": fmt})
        marked = client.get("/v1/forces", params={"format": fmt, "bom": "true"})
        assert marked.status_code == 200
        assert marked.content == plain.content.replace(b"format=json", b"format=json&bom=true")
        assert not marked.content.startswith(b"\xef\xbb\xbf")


def test_openapi_documents_bom_on_every_list_that_answers_csv() -> None:
    paths = create_app().openapi()["paths"]
    for path, operations in paths.items():
        operation = operations.get("get", {})
        content = operation.get("responses", {}).get("200", {}).get("content", {})
        names = {p["name"] for p in operation.get("parameters", [])}
        if "text/csv" in content:
            assert {"bom", "format"} <= names, path
        else:
            assert "bom" not in names, path
    grades = paths["/v1/frameworks/{framework_id}/grades"]["get"]
    assert set(grades["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "application/problem+json" in grades["responses"]["406"]["content"]


# --- the grades grid --------------------------------------------------------------------------


@pytest.mark.parametrize("framework_id", sorted(REFERENCE.frameworks))
def test_the_grades_csv_is_the_json_grid_one_row_per_force(
    client: TestClient, framework_id: str
) -> None:
    grid = client.get(f"/v1/frameworks/{framework_id}/grades").json()
    response = _get_csv(client, f"/v1/frameworks/{framework_id}/grades")
    assert response.headers["content-disposition"] == (
        f'attachment; filename="grades-{framework_id}.csv"'
    )
    by_accept = client.get(f"/v1/frameworks/{framework_id}/grades", headers={"Accept": "text/csv"})
    assert by_accept.content == response.content
    rows = _csv(response.content)
    assert [row["force"] for row in rows] == [f["force"]["id"] for f in grid["forces"]]
    assert sorted(row["force"] for row in rows) == sorted(FORCE_NAMES)
    framework = REFERENCE.frameworks[framework_id]
    grade_names = {g.id: g.name for g in framework.grades}
    areas = framework.structure == "areas"
    units = grid["areas"] if areas else grid["pillars"]
    assert units
    base = str(client.base_url).rstrip("/")
    graded = 0
    for row, force in zip(rows, grid["forces"], strict=True):
        assert row["force.name"] == FORCE_NAMES[row["force"]]
        assert row["force.href"] == base + force["force"]["href"]
        cells = force["areas"] if areas else force["pillars"]
        for unit in units:
            cell = cells[unit]
            assert row[unit] == (cell["grade"] or "")
            assert row[f"{unit}.status"] == cell["status"]
            assert row[f"{unit}.source_url"] == (cell["source_url"] or "")
            assert row[f"{unit}.grade_name"] == (
                grade_names[cell["grade"]] if cell["grade"] else ""
            )
            graded += cell["grade"] is not None
        assert row["not_inspected"] == (force["not_inspected"] or "")
        if areas:
            coverage = force["coverage"] or {}
            assert row["coverage.grades_known"] == str(coverage.get("grades_known", ""))
            assert row["coverage.note"] == coverage.get("note", "")
        else:
            assert not any(column.startswith("coverage.") for column in row)
    assert graded > 0


def test_the_grades_grid_answers_json_or_csv_and_406_otherwise(client: TestClient) -> None:
    url = "/v1/frameworks/peel-2018-19/grades"
    assert client.get(url).headers["content-type"] == "application/json"
    response = client.get(url, headers={"Accept": "application/x-ndjson"})
    assert response.status_code == 406
    assert response.json()["type"] == "/problems/not-acceptable"
    assert client.get(url, params={"format": "ndjson"}).status_code == 400
    response = client.get(url, params={"format": "json"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"] == "application/json"
    assert client.get("/v1/frameworks/peel-1999/grades?format=csv").status_code == 404


# --- problem examples, each provoked from the live app ----------------------------------------

OPENAPI = create_app().openapi()
ERRORS = [
    (path, method, operation["operationId"], int(status))
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    for status in operation["responses"]
    if int(status) >= 400
]
ASSESSMENT_PAGE_INSPECTION = "avon-and-somerset-2018-19"


def test_every_error_response_has_a_problem_example() -> None:
    assert {status for *_, status in ERRORS} >= {400, 401, 403, 404, 406, 413, 414, 415, 422}
    for path, method, _operation_id, status in ERRORS:
        content = OPENAPI["paths"][path][method]["responses"][str(status)]["content"]
        example = content["application/problem+json"]["example"]
        assert example["status"] == status, (path, status)
        assert example["type"].startswith("/problems/"), (path, status)
        assert example["title"] and example["detail"], (path, status)


@pytest.fixture(scope="module")
def apps(seeded: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, TestClient]]:
    """Clients on the seeded database with keys, tight limits; and one whose database
    cannot be opened."""
    _client, engine, url, _run = seeded
    keys = f"{IMPORT_ENTRY},{READ_ENTRY}"
    gone = make_engine(f"sqlite:///{tmp_path_factory.mktemp('gone') / 'missing' / 'peel.db'}")
    made = {
        "keys": create_app(engine, Settings(database_url=url, api_keys=keys, max_import_bytes=64)),
        "limited": create_app(
            engine,
            Settings(database_url=url, api_keys=keys, read_rate_limit=0.001, import_rate_limit=1),
        ),
        "down": create_app(gone, Settings(database_url=str(gone.url), api_keys=keys)),
    }
    clients = {name: TestClient(app, raise_server_exceptions=False) for name, app in made.items()}
    for test_client in clients.values():
        test_client.__enter__()
    yield clients
    for test_client in clients.values():
        test_client.__exit__(None, None, None)
    gone.dispose()


def _concrete(path: str) -> str:
    return (
        path.replace("{force_id}", "west-midlands")
        .replace("{framework_id}", "peel-2018-19")
        .replace("{inspection_id}", "west-midlands-2018-19")
        .replace("{finding_id}", "west-midlands-2018-19.a.b")
    )


def _provoke(
    client: TestClient, apps: dict[str, TestClient], path: str, method: str, status: int
) -> Any:
    """A request that should answer `status` on this operation."""
    url = _concrete(path)
    auth = {"Authorization": f"Bearer {IMPORT_KEY}"}
    post = method == "post"
    if status == 400:
        return client.request(method, url, params={"colour": "red"}, headers=auth)
    if status == 401:
        return apps["keys"].post(url, content="x", headers={"Content-Type": "text/plain"})
    if status == 403:
        headers = {"Authorization": f"Bearer {READ_KEY}", "Content-Type": "text/plain"}
        return apps["keys"].post(url, content="x", headers=headers)
    if status == 404:
        if "{" in path:
            missing = path.replace("{force_id}", "atlantis").replace("{framework_id}", "peel-1999")
            missing = missing.replace("{inspection_id}", "atlantis-2023-25")
            missing = missing.replace("{finding_id}", "west-midlands-2018-19.a.atlantis")
            return client.get(missing)
        return client.get(url, params={"inspection": ASSESSMENT_PAGE_INSPECTION})
    if status == 406:
        return client.get(url, headers={"Accept": "image/png"})
    if status == 410:
        return client.get(url, params={"since": "918273645"})
    if status == 413:
        headers = {**auth, "Content-Type": "text/plain"}
        return apps["keys"].post(url, content="x" * 1000, headers=headers)
    if status == 414:
        return client.request(method, url, params={"q": "x" * 5000}, headers=auth)
    if status == 415:
        headers = {**auth, "Content-Type": "application/xml"}
        return apps["keys"].post(url, content="<report/>", headers=headers)
    if status == 422:
        headers = {**auth, "Content-Type": "text/plain"}
        return apps["keys"].post(url, content="Hello world\n", headers=headers)
    if status == 429:
        limited = apps["limited"]
        for _ in range(50):
            if post:
                response = limited.post(
                    url, content="x", headers={**auth, "Content-Type": "text/plain"}
                )
            else:
                response = limited.get(url)
            if response.status_code == 429:
                return response
        return response
    if status == 503:  # a report that parses, to a database that cannot be opened
        headers = {**auth, "Content-Type": "text/plain"} if post else {}
        body = SEED_REPORT.read_text(encoding="utf-8") if post else None
        return apps["down"].request(method, url, content=body, headers=headers)
    raise AssertionError(f"no way to provoke {status} on {path} yet: add one here")


@pytest.mark.parametrize(
    ("path", "method", "operation_id", "status"),
    ERRORS,
    ids=[f"{operation_id}-{status}" for _p, _m, operation_id, status in ERRORS],
)
def test_each_problem_example_is_what_the_app_answers(
    client: TestClient,
    apps: dict[str, TestClient],
    path: str,
    method: str,
    operation_id: str,
    status: int,
) -> None:
    content = OPENAPI["paths"][path][method]["responses"][str(status)]["content"]
    example = content["application/problem+json"]["example"]
    response = _provoke(client, apps, path, method, status)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    answer = response.json()
    assert (answer["type"], answer["title"]) == (example["type"], example["title"])
    if status in (400, 404, 406):  # made by the same code as the example, seed values alike
        assert answer["detail"] == example["detail"].replace(
            "west-midlands-2018-19.protecting-vulnerable-people.atlantis",
            "west-midlands-2018-19.a.atlantis",
        )
        assert answer.get("errors") == example.get("errors")


def test_a_cached_csv_is_never_served_with_another_hosts_links(seeded: Any) -> None:
    _client, engine, url, _ = seeded
    app = create_app(engine, Settings(database_url=url))  # the response cache on
    with TestClient(app) as cached:
        answers = {
            host: cached.get("/v1/forces?format=csv", headers={"host": host})
            for host in ("a.example", "b.example", "a.example")
        }
    rows = {host: _csv(answer.content) for host, answer in answers.items()}
    assert all(urlsplit(r["inspections"]).netloc == host for host, rs in rows.items() for r in rs)
    assert answers["a.example"].headers["etag"] != answers["b.example"].headers["etag"]
