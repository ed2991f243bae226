"""Inspections and the report card, against the parsed seed report."""

from __future__ import annotations

import re
from dataclasses import replace

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.main import create_app
from app.store.report import load_document
from tests.api.conftest import Api, StatementCounter
from tests.reports import join_lines, lines_of, seed_document, seed_manifest_row, seed_text

CARD = "/v1/inspections/west-midlands-2018-19"


def test_inspections_list_and_filter_by_force_and_framework(api: Api) -> None:
    assert [i["id"] for i in api.json("/v1/inspections")["items"]] == ["west-midlands-2018-19"]
    assert api.json("/v1/inspections", force="kent")["count"] == 0
    assert api.json("/v1/inspections", framework="peel-2018-19")["count"] == 1
    assert api.json("/v1/forces/west-midlands/inspections")["count"] == 1
    assert api.get("/v1/forces/atlantis/inspections").status_code == 404


def test_report_card_states_source_inspector_and_scope(api: Api) -> None:
    card = api.json(CARD)
    document, manifest = seed_document(), seed_manifest_row()
    assert card["source_url"] == manifest["source_url"]
    assert card["published"] == manifest["published"]
    assert card["licence"] == manifest["licence"]
    assert card["inspector"] == document.inspector
    assert card["observations"] == document.observations
    assert [(s["question"], s["inspected"]) for s in card["scope"]] == [
        (s.question, s.inspected) for s in document.scope
    ]


def test_report_card_judgments_match_the_report(api: Api) -> None:
    card = api.json(CARD)
    expected = {(j.pillar, j.question): j for j in seed_document().judgments}
    seen = 0
    for pillar in card["pillars"]:
        judgment = expected[(pillar["pillar"], None)]
        assert pillar["judgment"]["grade"] == judgment.grade
        for question in pillar["questions"]:
            judgment = expected[(pillar["pillar"], question["question"])]
            assert question["judgment"]["grade"] == judgment.grade
            assert question["judgment"]["last_inspected"] == judgment.last_inspected
            assert question["judgment"]["carried_over"] == judgment.carried_over
            seen += 1
    assert seen == 10


def test_report_card_counts_findings_and_boxed_items(api: Api) -> None:
    card = api.json(CARD)
    document = seed_document()
    findings = sum(len(q.findings) for p in document.pillars for q in p.questions)
    kinds = [i.kind for i in document.items]
    assert card["counts"] == {
        "findings": findings,
        "areas_for_improvement": kinds.count("area-for-improvement"),
        "causes_of_concern": kinds.count("cause-of-concern"),
        "recommendations": kinds.count("recommendation"),
    }
    ethical = next(
        q
        for p in card["pillars"]
        for q in p["questions"]
        if q["question"] == "ethical-and-lawful-workforce-behaviour"
    )
    assert ethical["counts"]["causes_of_concern"] == 1
    assert api.json(ethical["findings"])["count"] == ethical["counts"]["findings"]


def test_an_unknown_inspection_is_a_404_problem(api: Api) -> None:
    response = api.get("/v1/inspections/atlantis-2018-19")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_report_card_runs_a_fixed_number_of_statements(api: Api) -> None:
    uncached = TestClient(create_app(api.engine, Settings(response_cache_bytes=0)))
    uncached.get(CARD)  # warm up: first-use queries (pool pre-ping) are not the card's
    with StatementCounter(api.engine) as counter:
        assert uncached.get(CARD).status_code == 200
    # data version (ETag), inspection, scope, pillars, questions, judgments, other
    # sources' checks, summaries, 2 counts: none of them per finding or per question
    assert counter.count <= 11, counter.count
    with StatementCounter(api.engine) as per_finding_list:
        uncached.get("/v1/findings", params={"inspection": "west-midlands-2018-19"})
    # version, the inspection's source kind (findings held?), count, page
    assert per_finding_list.count <= 5, per_finding_list.count


def test_history_gives_the_timeline_with_scales(api: Api) -> None:
    history = api.json("/v1/forces/west-midlands/history")
    assert history["force"]["id"] == "west-midlands"
    lines = {(line["pillar"], line["question"]): line for line in history["lines"]}
    assert len(lines) == 13
    preventing = lines[("effectiveness", "preventing-crime")]["points"]
    assert preventing[0]["carried_over"] is True
    assert preventing[0]["last_inspected"] == "2016"
    assert preventing[0]["scale"] == "peel-2018-19"
    assert api.get("/v1/forces/atlantis/history").status_code == 404


def test_report_card_statements_do_not_grow_with_findings(
    db: Engine, seed_source: ReportSource
) -> None:
    document = seed_document()
    load_document(db, document, seed_source)
    # Another force's report with three more findings sections: copies of one section.
    finding = document.pillars[0].questions[2].findings[0]
    lines = lines_of(seed_text())
    section = lines[finding.span.start_line - 1 : finding.span.end_line]
    for n in range(3):
        copy = ["", f"{section[0]} part {n + 2}", *section[1:]]
        lines[finding.span.end_line : finding.span.end_line] = copy
    name = re.compile(r"\s+".join(document.force.name.split()))
    text = name.sub("Kent Police", join_lines(lines))
    bigger = parse(text)
    assert (
        len(bigger.pillars[0].questions[2].findings)
        == len(document.pillars[0].questions[2].findings) + 3
    )
    load_document(db, bigger, replace(seed_source, force="kent").with_text(text))

    counts = []
    with TestClient(create_app(db, Settings(response_cache_bytes=0))) as client:
        for inspection in ("west-midlands-2018-19", "kent-2018-19"):
            client.get(f"/v1/inspections/{inspection}")
            with StatementCounter(db) as counter:
                assert client.get(f"/v1/inspections/{inspection}").status_code == 200
            counts.append(counter.count)
    assert counts[0] == counts[1]
