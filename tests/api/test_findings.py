"""Findings, boxed items and paging, against the report."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.reports import seed_document

INSPECTION = "west-midlands-2018-19"


def _all_findings() -> list:
    return [f for p in seed_document().pillars for q in p.questions for f in q.findings]


def test_findings_of_an_inspection_in_report_order(api: Api) -> None:
    page = api.json("/v1/findings", inspection=INSPECTION, limit=1000)
    assert [f["heading"] for f in page["items"]] == [f.heading for f in _all_findings()]
    first, expected = page["items"][0], _all_findings()[0]
    assert first["paragraphs"] == expected.paragraphs
    assert first["page"] == expected.page
    assert first["source_lines"] == {
        "start": expected.span.start_line,
        "end": expected.span.end_line,
    }


def test_findings_filter_by_question_pillar_and_force(api: Api) -> None:
    question = seed_document().pillars[2].questions[1]
    page = api.json("/v1/findings", question=question.question)
    assert [f["heading"] for f in page["items"]] == [f.heading for f in question.findings]
    legitimacy = sum(len(q.findings) for q in seed_document().pillars[2].questions)
    assert api.json("/v1/findings", pillar="legitimacy")["count"] == legitimacy
    assert api.json("/v1/findings", force="west-midlands")["count"] == len(_all_findings())
    assert api.json("/v1/findings", force="kent")["count"] == 0


def test_one_finding_by_its_id_and_404_for_another(api: Api) -> None:
    first = api.json("/v1/findings", limit=1)["items"][0]
    assert api.json(first["href"]) == first
    missing = api.get(f"/v1/findings/{INSPECTION}.investigating-crime.nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_paging_links_walk_every_finding_once(api: Api) -> None:
    seen: list[str] = []
    url: str | None = "/v1/findings?limit=7"
    while url:
        response = api.client.get(url)
        assert response.status_code == 200
        page = response.json()
        seen += [f["id"] for f in page["items"]]
        if page["next"]:
            assert f'<{page["next"]}>; rel="next"' in response.headers["link"]
        url = page["next"]
    assert len(seen) == len(set(seen)) == len(_all_findings())


def test_limits_are_capped_and_offsets_past_the_end_are_empty(api: Api) -> None:
    assert api.get("/v1/findings", limit=1001).status_code == 400
    assert api.get("/v1/findings", limit=0).status_code == 400
    assert api.get("/v1/findings", offset=-1).status_code == 400
    page = api.json("/v1/findings", offset=500)
    assert page["items"] == [] and page["count"] == len(_all_findings())


def test_recommendations_by_kind_with_the_cause_they_answer(api: Api) -> None:
    items = seed_document().items
    for kind in ("area-for-improvement", "cause-of-concern", "recommendation"):
        page = api.json("/v1/recommendations", kind=kind)
        assert [i["text"] for i in page["items"]] == [i.text for i in items if i.kind == kind]
    (recommendation,) = api.json("/v1/recommendations", kind="recommendation")["items"]
    (cause,) = api.json("/v1/recommendations", kind="cause-of-concern")["items"]
    assert recommendation["cause_of_concern"]["id"] == cause["id"]
    assert recommendation["cause_of_concern"]["text"] == cause["text"]
    assert cause["cause_of_concern"] is None


def test_recommendations_filter_by_question_and_reject_unknown_kinds(api: Api) -> None:
    question = "protecting-vulnerable-people"
    page = api.json("/v1/recommendations", question=question, inspection=INSPECTION)
    assert page["count"] == sum(1 for i in seed_document().items if i.question == question)
    assert api.get("/v1/recommendations", kind="suggestion").status_code == 400


def test_glossary_terms_with_their_citations(api: Api) -> None:
    glossary = seed_document().glossary
    page = api.json("/v1/glossary", limit=1000)
    assert page["count"] == len(glossary)
    terms = {t["id"]: t for t in page["items"]}
    for term in glossary:
        assert terms[term.key]["url"] == term.url
        assert len(terms[term.key]["citations"]) == len(term.citations)
    # An inspection not held here is an unknown filter value (tests/api/test_filters.py).
    unknown = api.get("/v1/glossary", inspection="kent-2018-19")
    assert unknown.status_code == 400
    assert unknown.json()["type"] == "/problems/unknown-filter-value"
