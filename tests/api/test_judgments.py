"""Judgments and their filters, against the report."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.reports import seed_document


def _questions(page: dict) -> set[str]:
    return {j["question"] for j in page["items"]}


def test_requires_improvement_at_west_midlands_is_exactly_three_questions(api: Api) -> None:
    page = api.json("/v1/judgments", force="west-midlands", grade="requires-improvement")
    assert _questions(page) == {
        "protecting-vulnerable-people",
        "meeting-current-demands",
        "ethical-and-lawful-workforce-behaviour",
    }
    assert page["count"] == 3


def test_the_first_two_effectiveness_questions_are_carried_over_from_2016(api: Api) -> None:
    page = api.json("/v1/judgments", pillar="effectiveness", level="question", sort="question")
    by_question = {j["question"]: j for j in page["items"]}
    for question in ("preventing-crime", "investigating-crime"):
        judgment = by_question[question]
        assert judgment["carried_over"] is True
        assert judgment["last_inspected"] == "2016"
        assert "carried over" in judgment["carried_over_sentence"]
    assert by_question["protecting-vulnerable-people"]["carried_over"] is False


def test_every_item_says_inspection_force_scale_and_grade(api: Api) -> None:
    page = api.json("/v1/judgments")
    assert page["count"] == len(seed_document().judgments) == 13
    for judgment in page["items"]:
        assert judgment["inspection"] == "west-midlands-2018-19"
        assert judgment["force"] == "west-midlands"
        assert judgment["scale"] == "peel-2018-19"
        assert judgment["pillar"] in {"effectiveness", "efficiency", "legitimacy"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"carried_over": "true"}, 4),
        ({"carried_over": "false"}, 9),
        ({"level": "pillar"}, 3),
        ({"level": "question"}, 10),
        ({"last_inspected": "2017"}, 2),
        ({"question": "planning-for-the-future", "grade": "outstanding"}, 1),
        ({"framework": "peel-2018-19", "inspection": "west-midlands-2018-19"}, 13),
        ({"force": "kent"}, 0),
    ],
)
def test_filters(api: Api, params: dict[str, str], expected: int) -> None:
    assert api.json("/v1/judgments", **params)["count"] == expected


def test_sort_by_grade_puts_outstanding_first_and_ungraded_last(api: Api) -> None:
    grades = [j["grade"] for j in api.json("/v1/judgments", sort="grade,question")["items"]]
    assert grades[0] == "outstanding"
    assert grades[-1] == "ungraded"
    descending = [j["grade"] for j in api.json("/v1/judgments", sort="-grade")["items"]]
    assert descending[0] == "ungraded"


@pytest.mark.parametrize(
    "query",
    ["grdae=good", "carried_over=maybe", "sort=colour", "last_inspected=last-year", "level=force"],
)
def test_mistakes_in_the_query_are_400_problems(api: Api, query: str) -> None:
    response = api.client.get(f"/v1/judgments?{query}")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"]
