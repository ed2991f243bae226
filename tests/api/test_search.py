"""Full-text search: ranking, stemming, facets, paging, and input that looks like an attack."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from app.api.listing import MAX_LIMIT
from app.api.routes import search as search_route
from app.db import migrate
from app.ingest.manifest import ReportSource
from app.ingest.parse import parse
from app.services import search as search_service
from app.store.report import load_document
from tests.api.conftest import Api, StatementCounter
from tests.helpers import changed_report_text
from tests.reports import seed_document, seed_text

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


def test_pages_follow_one_another_in_rank_order(api: Api) -> None:
    whole = api.json("/v1/search", q="police OR force", limit=1000)
    assert whole["count"] == len(whole["items"]) > 12
    paged = []
    for offset in range(0, whole["count"], 5):
        page = api.json("/v1/search", q="police OR force", limit=5, offset=offset)
        assert page["count"] == whole["count"] and page["facets"] == whole["facets"]
        paged += page["items"]
    assert paged == whole["items"]
    scores = [h["score"] for h in paged]
    assert scores == sorted(scores, reverse=True)
    beyond = api.json("/v1/search", q="police OR force", offset=whole["count"])
    assert beyond["items"] == [] and beyond["count"] == whole["count"]


def test_a_page_links_its_neighbours_in_the_body_and_the_link_header(api: Api) -> None:
    count = api.json("/v1/search", q="police OR force")["count"]
    assert count > 10
    middle = api.client.get("/v1/search", params={"q": "police OR force", "limit": 5, "offset": 5})
    body = middle.json()
    assert body["next"] and body["previous"]
    assert (
        middle.headers["link"] == f'<{body["next"]}>; rel="next", <{body["previous"]}>; rel="prev"'
    )
    last = api.client.get("/v1/search", params={"q": "police OR force", "offset": count - 1})
    assert last.json()["next"] is None
    assert last.headers["link"] == f'<{last.json()["previous"]}>; rel="prev"'
    only = api.client.get("/v1/search", params={"q": "police OR force", "limit": count})
    assert "link" not in only.headers and only.json()["previous"] is None


def test_the_default_page_is_the_documented_one_and_limit_goes_up_to_the_maximum(
    api: Api,
) -> None:
    default = search_route.DEFAULT_LIMIT
    whole = api.json("/v1/search", q="police OR force", limit=MAX_LIMIT)
    assert whole["count"] == len(whole["items"]) > default  # more than a page to cut
    page = api.json("/v1/search", q="police OR force")
    assert page["limit"] == default and page["count"] == whole["count"]
    assert page["items"] == whole["items"][:default]
    assert page["facets"] == whole["facets"]  # the facets still cover every match
    assert f"offset={default}" in page["next"] and f"limit={default}" in page["next"]
    assert api.get("/v1/search", q="police", limit=MAX_LIMIT + 1).status_code == 400
    # What the OpenAPI document says is what the API does.
    operation = api.client.get("/openapi.json").json()["paths"]["/v1/search"]["get"]
    limit = next(p for p in operation["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["default"], limit["schema"]["maximum"]) == (default, MAX_LIMIT)
    assert f"default {default}, at most {MAX_LIMIT}" in limit["description"]
    assert f"Pages hold {default} hits" in operation["description"]


def test_facets_count_the_filtered_matches(api: Api) -> None:
    findings = api.json("/v1/search", q="police", kind="finding")
    assert findings["facets"]["kind"] == {"finding": findings["count"]}
    legitimacy = api.json("/v1/search", q="police", pillar="legitimacy")
    assert legitimacy["facets"]["pillar"] == {"legitimacy": legitimacy["count"]}
    assert sum(legitimacy["facets"]["kind"].values()) == legitimacy["count"]
    force = api.json("/v1/search", q="police", force="west-midlands")
    assert force["count"] == api.json("/v1/search", q="police")["count"]


def _search(engine: Engine, query: str, **filters: str) -> search_service.SearchOutcome:
    with Session(engine) as session:
        return search_service.search(
            session,
            search_service.parse_query(query),
            search_service.SearchFilters(**filters),
            limit=20,
            offset=0,
        )


def test_a_repeated_query_reads_its_count_and_facets_from_memory(
    db: Engine, seed_source: ReportSource
) -> None:
    load_document(db, seed_document(), seed_source)
    with StatementCounter(db) as first:
        outcome = _search(db, "vetting OR crime")
    with StatementCounter(db) as again:
        assert _search(db, "vetting OR crime") == outcome
    assert again.count == first.count - 1  # the page (and its snippets) alone


def test_a_load_refreshes_the_count_and_facets(db: Engine, seed_source: ReportSource) -> None:
    """The remembered count and facets are the data version's: a load moves past them."""
    load_document(db, seed_document(), seed_source)
    text, question, grade = changed_report_text(seed_document(), seed_text())
    before = _search(db, "crime", question=question)  # the question is preventing-crime
    assert before.count > 0 and grade not in before.facets["grade"]
    load_document(db, parse(text), seed_source.with_text(text))
    after = _search(db, "crime", question=question)
    assert after.count == before.count
    assert after.facets["grade"] == {grade: after.count}
    assert [h.ref_id for h in after.hits] == [h.ref_id for h in before.hits]


def test_migration_0005_takes_over_the_rows_indexed_before_it(engine: Engine) -> None:
    """SQLite: the short columns of every FTS5 row, under its rowid. Postgres: the GIN
    index is written through, with no pending list for a search to scan."""
    migrate(engine, "0004")
    row = {"kind": "finding", "ref_id": "x.f1", "inspection": "x-2018-19", "title": "Vetting"}
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO search_index (kind, ref_id, inspection, question, pillar, title, "
                "body) VALUES (:kind, :ref_id, :inspection, NULL, NULL, :title, 'A backlog')"
            ),
            row,
        )
    migrate(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            meta = "SELECT m.kind, m.ref_id, m.inspection FROM search_index_meta m "
            meta += "JOIN search_index ON search_index.rowid = m.id"
            assert connection.exec_driver_sql(meta).all() == [("finding", "x.f1", "x-2018-19")]
        else:
            options = "SELECT reloptions FROM pg_class WHERE relname = 'ix_search_index_document'"
            assert connection.exec_driver_sql(options).scalar() == ["fastupdate=off"]


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
