"""Filters check their values against what exists; repeated filters mean any of their values.

Valid values come from the reference catalogue (reference/*.csv) and the seed report; each
mistake is made from a valid value, so the suggestion expected is that value.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.ingest.ids import slugify
from app.ingest.reference import load_reference
from app.main import create_app
from tests.api.conftest import Api, StatementCounter
from tests.reports import seed_document

PROBLEM = "/problems/unknown-filter-value"


def _reference() -> dict[str, list[str]]:
    frameworks = load_reference().frameworks.values()
    return {
        "force": [force.id for force in load_reference().forces],
        "framework": [framework.id for framework in frameworks],
        "pillar": sorted({p.id for f in frameworks for p in f.pillars}),
        "question": sorted({q.id for f in frameworks for q in f.questions if q.pillar}),
        "area": sorted({q.id for f in frameworks for q in f.questions if not q.pillar}),
        "grade": sorted({g.id for f in frameworks for g in f.grades}),
        "year": sorted({f.year_label for f in frameworks}),
    }


def _typo(value: str) -> str:
    """A likely slip: the last character dropped and two inner letters swapped (a short
    value: a letter too many)."""
    if len(value) < 6:
        return f"{value}x"
    chars = list(value[:-1])
    chars[2], chars[3] = chars[3], chars[2]
    return "".join(chars)


def _seed() -> dict[str, str]:
    """One value of each kind the seed report holds findings and judgments for."""
    document = seed_document()
    pillar = document.pillars[0]
    return {
        "force": document.force.id,
        "framework": document.framework,
        "inspection": document.inspection_id,
        "pillar": pillar.pillar,
        "question": pillar.questions[0].question,
        "grade": document.judgments[0].grade,
        "year": document.judgments[0].last_inspected,
    }


def _area() -> str:
    return _reference()["area"][0]


# (path, parameter, kind of value): every catalogue filter of every list operation.
FILTERS = [
    *[
        ("/v1/judgments", parameter, kind)
        for parameter, kind in [
            ("force", "force"),
            ("inspection", "inspection"),
            ("framework", "framework"),
            ("pillar", "pillar"),
            ("question", "question"),
            ("area", "area"),
            ("grade", "grade"),
        ]
    ],
    ("/v1/inspections", "force", "force"),
    ("/v1/inspections", "framework", "framework"),
    ("/v1/forces/{force}/inspections", "framework", "framework"),
    *[
        (path, parameter, parameter)
        for path in ("/v1/findings", "/v1/recommendations", "/v1/search")
        for parameter in ("force", "inspection", "pillar", "question")
    ],
    ("/v1/glossary", "inspection", "inspection"),
]


def _valid(kind: str) -> str:
    return _area() if kind == "area" else _seed()[kind]


def _url(path: str) -> str:
    return path.format(force=_seed()["force"])


@pytest.mark.parametrize(("path", "parameter", "kind"), FILTERS)
def test_a_mistyped_filter_value_is_a_400_suggesting_the_valid_one(
    api: Api, path: str, parameter: str, kind: str
) -> None:
    valid = _valid(kind)
    wrong = _typo(valid)
    query = {"q": "force"} if path == "/v1/search" else {}  # search needs a query
    response = api.get(_url(path), **{parameter: wrong}, **query)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == PROBLEM
    assert problem["parameter"] == parameter
    assert problem["value"] == wrong
    assert problem["suggestions"][0] == valid
    assert f"{parameter} {wrong!r}" in problem["detail"]
    assert f"did you mean {valid!r}" in problem["detail"]
    assert problem["errors"] == [
        {"name": f"query.{parameter}", "reason": problem["errors"][0]["reason"]}
    ]


@pytest.mark.parametrize("kind", ["force", "framework", "pillar", "question", "grade", "area"])
def test_every_reference_value_is_accepted_and_a_typo_of_it_is_not(api: Api, kind: str) -> None:
    parameter = kind
    for value in _reference()[kind]:
        assert api.get("/v1/judgments", **{parameter: value, "limit": 1}).status_code == 200
    sample = max(_reference()[kind], key=len)
    wrong = _typo(sample)
    if wrong not in _reference()[kind]:
        problem = api.get("/v1/judgments", **{parameter: wrong}).json()
        assert problem["type"] == PROBLEM
        assert sample in problem["suggestions"]


def test_the_issues_own_mistakes(api: Api) -> None:
    """The examples of the issue, each made from the reference value it misspells."""
    reference = _reference()
    requires = next(g for g in reference["grade"] if g.startswith("requires"))
    effectiveness = next(p for p in reference["pillar"] if p.startswith("effective"))
    for parameter, wrong, meant in [
        ("grade", requires.replace("requires", "reqiures"), requires),
        ("force", _seed()["force"][:-1], _seed()["force"]),
        ("pillar", effectiveness.replace("effectiveness", "effectivness"), effectiveness),
    ]:
        response = api.get("/v1/judgments", **{parameter: wrong})
        assert response.status_code == 400
        problem = response.json()
        assert (problem["type"], problem["parameter"], problem["value"]) == (
            PROBLEM,
            parameter,
            wrong,
        )
        assert meant in problem["suggestions"]
        kind = parameter if parameter != "grade" else "grade"
        assert problem["detail"].startswith(f"{parameter} {wrong!r} is not a {kind}")


def test_an_unknown_year_label_is_a_400_and_suggests_close_labels(api: Api) -> None:
    labels = _reference()["year"]
    wrong = next(
        f"{year}/{(year + 1) % 100:02d}"
        for year in range(2010, 2040)
        if f"{year}/{(year + 1) % 100:02d}" not in labels
        and f"{year}-{(year + 1) % 100:02d}" not in labels
    )
    problem = api.get("/v1/judgments", last_inspected=wrong).json()
    assert problem["type"] == PROBLEM
    assert problem["parameter"] == "last_inspected"
    assert problem["suggestions"]
    assert set(problem["suggestions"]) <= set(labels)


def _ids(api: Api, path: str, **params: object) -> list[str]:
    page = api.json(path, limit=1000, **params)
    return [
        item.get("id") or item.get("ref_id") for item in page.get("items", page.get("hits", []))
    ]


def test_ids_match_case_insensitively(api: Api) -> None:
    seed = _seed()
    expected = _ids(api, "/v1/judgments", force=seed["force"])
    assert expected
    assert _ids(api, "/v1/judgments", force=seed["force"].title()) == expected
    assert _ids(api, "/v1/judgments", grade=seed["grade"].upper(), force=seed["force"]) == _ids(
        api, "/v1/judgments", grade=seed["grade"], force=seed["force"]
    )
    inspection = seed["inspection"].upper()
    assert _ids(api, "/v1/findings", inspection=inspection) == _ids(
        api, "/v1/findings", inspection=seed["inspection"]
    )


def test_year_labels_read_with_a_slash_or_a_hyphen(api: Api) -> None:
    judgments = seed_document().judgments
    for label in {j.last_inspected for j in judgments if j.last_inspected}:
        expected = sum(1 for j in judgments if j.last_inspected == label)
        for form in {label, label.replace("/", "-")}:
            page = api.json("/v1/judgments", last_inspected=form, limit=1000)
            assert page["count"] == expected, form
            assert {item["last_inspected"] for item in page["items"]} == {label}


def _union_check(api: Api, path: str, parameter: str, values: list[str], **extra: object) -> None:
    singles = [set(_ids(api, path, **{parameter: v}, **extra)) for v in values]
    assert all(singles), (parameter, values)
    both = _ids(api, path, **{parameter: values}, **extra)
    assert len(both) == len(set(both))
    assert set(both) == set.union(*singles)
    assert len(both) == sum(len(s) for s in singles)  # the values' matches are disjoint


def test_a_repeated_filter_means_any_of_its_values(api: Api) -> None:
    document = seed_document()
    grades = sorted({j.grade for j in document.judgments})
    assert len(grades) > 1
    _union_check(api, "/v1/judgments", "grade", grades[:2])
    pillars = [p.pillar for p in document.pillars]
    _union_check(api, "/v1/judgments", "pillar", pillars[:2])
    _union_check(api, "/v1/findings", "pillar", pillars)
    questions = [q.question for q in document.pillars[0].questions if q.findings]
    _union_check(api, "/v1/findings", "question", questions[:2])
    labels = sorted({j.last_inspected for j in document.judgments if j.last_inspected})
    _union_check(api, "/v1/judgments", "last_inspected", labels)
    # Over the search index too (hits per pillar)
    results = [api.json("/v1/search", q="force", pillar=p, limit=1000)["count"] for p in pillars]
    both = api.json("/v1/search", q="force", pillar=pillars[:2], limit=1000)["count"]
    assert both == sum(results[:2]) > 0
    # Facets count every value's matches.
    page = api.json("/v1/judgments", grade=grades[:2])
    assert set(page["facets"]["grade"][document.framework]) == set(grades[:2])


def test_a_repeated_value_that_does_not_exist_is_a_400_naming_it(api: Api) -> None:
    seed = _seed()
    wrong = _typo(seed["force"])
    problem = api.get("/v1/inspections", force=[seed["force"], wrong]).json()
    assert (problem["type"], problem["value"]) == (PROBLEM, wrong)


def test_a_single_valued_parameter_given_twice_is_a_400_naming_it(api: Api) -> None:
    for path, parameter, values in [
        ("/v1/judgments", "sort", ["grade", "force"]),
        ("/v1/judgments", "level", ["pillar", "question"]),
        ("/v1/recommendations", "kind", ["recommendation", "cause-of-concern"]),
        ("/v1/forces", "limit", ["1", "2"]),
        ("/v1/glossary", "inspection", [_seed()["inspection"]] * 2),
    ]:
        response = api.get(path, **{parameter: values})
        assert response.status_code == 400, (path, parameter)
        problem = response.json()
        assert problem["type"] == "/problems/invalid-request"
        assert problem["errors"][0]["name"] == f"query.{parameter}"
        assert parameter in problem["detail"]


def test_filters_are_arrays_in_the_openapi_document(api: Api) -> None:
    operations = api.json("/openapi.json")["paths"]
    parameters = {p["name"]: p for p in operations["/v1/judgments"]["get"]["parameters"]}
    for name in ("force", "inspection", "framework", "pillar", "question", "area", "grade"):
        schema = parameters[name]["schema"]
        assert {"type": "array", "items": schema["anyOf"][0]["items"]} in schema["anyOf"]
        assert parameters[name].get("style", "form") == "form"
        assert parameters[name].get("explode", True) is True
        assert "e.g." in parameters[name]["description"]
    assert "2018-19" in parameters["last_inspected"]["description"]
    assert "e.g." in parameters["sort"]["description"].lower()


def test_the_catalogue_is_read_once_per_data_version(api: Api) -> None:
    seed = _seed()
    # The data version re-read on every request (not once a second, whenever the clock
    # says): both requests below read it, so their counts differ only by the catalogue.
    url = api.engine.url.render_as_string(hide_password=False)
    every_time = Settings(database_url=url, version_check_seconds=0)
    with TestClient(create_app(api.engine, every_time)) as client:

        def get(**params: object) -> None:
            assert client.get("/v1/judgments", params=params).status_code == 200

        get(force=seed["force"], limit=2)  # the catalogue is read here
        with StatementCounter(api.engine) as unfiltered:
            get(limit=3)
        with StatementCounter(api.engine) as filtered:
            get(force=seed["force"], grade=seed["grade"], limit=4)
    assert filtered.count == unfiltered.count


@pytest.fixture(scope="module")
def grades_only(seeded) -> Iterator[tuple[object, str]]:
    """(client, an inspection held from assessment pages: grades, no findings)."""
    client, *_ = seeded
    inspections = client.get("/v1/inspections", params={"limit": 1000}).json()["items"]
    held = next(i["id"] for i in inspections if i["source_kind"] != "report")
    yield client, held


@pytest.mark.parametrize("path", ["/v1/findings", "/v1/recommendations"])
def test_findings_not_held_is_a_404_and_no_such_inspection_a_400(grades_only, path: str) -> None:
    client, held = grades_only
    not_held = client.get(path, params={"inspection": held})
    assert not_held.status_code == 404
    assert not_held.json()["type"] == "/problems/findings-not-held"
    # Read case-insensitively too, and when given among others.
    report = seed_document().inspection_id
    for given in (held.upper(), [report, held]):
        assert client.get(path, params={"inspection": given}).status_code == 404
    missing = _typo(held)
    no_such = client.get(path, params={"inspection": missing})
    assert no_such.status_code == 400
    problem = no_such.json()
    assert (problem["type"], problem["parameter"], problem["value"]) == (
        PROBLEM,
        "inspection",
        missing,
    )
    assert held in problem["suggestions"]
    assert client.get(path, params={"inspection": report}).status_code == 200


def test_grades_only_inspections_are_filterable_judgments(grades_only) -> None:
    client, held = grades_only
    page = client.get("/v1/judgments", params={"inspection": held}).json()
    assert page["count"] > 0
    assert {item["inspection"] for item in page["items"]} == {held}
    force = held.rsplit("-", 2)[0] if held.count("-") > 1 else held
    assert slugify(force)
