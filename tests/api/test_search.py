"""Full-text search: ranking, stemming, facets, and input that looks like an attack."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api

ETHICAL = "ethical-and-lawful-workforce-behaviour"


def test_vetting_finds_the_cause_of_concern_and_the_ethical_findings_first(api: Api) -> None:
    results = api.json("/v1/search", q="vetting")
    hits = results["items"]
    assert hits[0]["kind"] == "cause-of-concern"
    assert hits[0]["question"] == ETHICAL
    first_finding = next(h for h in hits if h["kind"] == "finding")
    assert first_finding["question"] == ETHICAL
    other_questions = [i for i, h in enumerate(hits) if h["question"] not in (ETHICAL, None)]
    assert all(i > hits.index(first_finding) for i in other_questions)
    assert "<mark>" in hits[0]["snippet"].lower()


def test_words_are_stemmed(api: Api) -> None:
    vetting = api.json("/v1/search", q="vetting")
    vetted = api.json("/v1/search", q="vetted")
    assert vetted["count"] == vetting["count"] > 0
    assert [h["id"] for h in vetted["items"]] == [h["id"] for h in vetting["items"]]


def test_facets_count_every_match(api: Api) -> None:
    results = api.json("/v1/search", q="vetting", limit=1)
    facets = results["facets"]
    assert sum(facets["kind"].values()) == results["count"] > 1
    assert facets["kind"]["cause-of-concern"] == 1
    assert facets["pillar"] == {"legitimacy": facets["pillar"]["legitimacy"]}
    assert facets["grade"]["requires-improvement"] >= 1


def test_phrases_or_and_exclusion(api: Api) -> None:
    phrase = api.json("/v1/search", q='"control room"')["count"]
    assert phrase > 0
    either = api.json("/v1/search", q="vetting OR firearms")["count"]
    assert either > api.json("/v1/search", q="vetting")["count"]
    without = api.json("/v1/search", q='"control room" -THRIVE')["count"]
    assert 0 < without < phrase


def test_filters_narrow_the_matches(api: Api) -> None:
    assert api.json("/v1/search", q="vetting", kind="finding")["count"] == 1
    assert api.json("/v1/search", q="vetting", force="kent")["count"] == 0
    assert api.json("/v1/search", q="vetting", question=ETHICAL)["count"] >= 3


@pytest.mark.parametrize(
    "query",
    [
        "'; drop table inspection; --",
        'vetting" OR 1=1',
        "NEAR(vetting backlog)",
        "vet*",
        "title:vetting",
        "^vetting",
        "AND OR NOT",
        "-vetting",
        "((((",
        "\\x00",
        "robert'); DROP TABLE judgment;--",
        "ünïcödé – ‘quotes’",
    ],
)
def test_injection_looking_input_is_answered_never_a_500(api: Api, query: str) -> None:
    response = api.get("/v1/search", q=query)
    assert response.status_code in (200, 400), response.text
    if response.status_code == 400:
        assert response.headers["content-type"] == "application/problem+json"
    assert api.json("/v1/judgments")["count"] == 13  # and nothing was dropped


@pytest.mark.parametrize("query", ['"unbalanced', "OR vetting", "vetting OR", "", "x" * 201])
def test_malformed_queries_are_400_problems(api: Api, query: str) -> None:
    response = api.get("/v1/search", q=query)
    assert response.status_code == 400
    assert response.json()["status"] == 400
