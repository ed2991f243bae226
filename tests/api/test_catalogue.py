"""Forces and frameworks, checked against the reference files they come from."""

from __future__ import annotations

import csv

from tests.api.conftest import Api
from tests.reports import ROOT


def _reference(name: str) -> list[dict[str, str]]:
    with (ROOT / "reference" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_forces_lists_every_reference_force_with_links(api: Api) -> None:
    page = api.json("/v1/forces", limit=1000)
    expected = sorted(row["id"] for row in _reference("forces.csv"))
    assert [f["id"] for f in page["items"]] == expected
    assert page["count"] == len(expected)
    first = page["items"][0]
    assert first["inspections"] == f"/v1/forces/{first['id']}/inspections"


def test_one_force_by_its_police_uk_id(api: Api) -> None:
    row = next(r for r in _reference("forces.csv") if r["id"] == "west-midlands")
    force = api.json("/v1/forces/west-midlands")
    assert (force["name"], force["country"], force["kind"]) == (
        row["name"],
        row["country"],
        row["kind"],
    )


def test_an_unknown_force_is_a_404_problem(api: Api) -> None:
    response = api.get("/v1/forces/atlantis")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 404 and problem["type"] == "/problems/not-found"
    assert "atlantis" in problem["detail"]


def test_framework_has_its_scale_pillars_and_questions_with_aliases(api: Api) -> None:
    framework = api.json("/v1/frameworks/peel-2018-19")
    rows = _reference("peel-2018-19-framework.csv")
    assert [g["id"] for g in framework["grades"]] == [
        "outstanding",
        "good",
        "requires-improvement",
        "inadequate",
        "ungraded",
    ]
    assert [g["rank"] for g in framework["grades"]] == [1, 2, 3, 4, None]
    assert [p["id"] for p in framework["pillars"]] == ["effectiveness", "efficiency", "legitimacy"]
    questions = {q["id"]: q for p in framework["pillars"] for q in p["questions"]}
    assert set(questions) == {r["question_id"] for r in rows}
    for row in rows:
        question = questions[row["question_id"]]
        assert question["official_question"] == row["official_question"]
        assert question["aliases"] == [a for a in row["aliases"].split("|") if a]


def test_later_frameworks_list_their_areas_and_the_adequate_grade(api: Api) -> None:
    framework = api.json("/v1/frameworks/peel-2021-22")
    assert framework["structure"] == "areas" and framework["pillars"] == []
    assert "adequate" in [g["id"] for g in framework["grades"]]
    unverified = {
        r["id"]
        for r in _reference("peel-later-frameworks.csv")
        if r["framework"] == "peel-2021-22" and r["kind"] == "area" and r["verified"] == "no"
    }
    assert {a["id"] for a in framework["areas"] if not a["verified"]} == unverified
