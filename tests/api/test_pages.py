"""The HTML pages in process: status codes, validators and the response cache, escaping.
(What they show is checked in a real browser: tests/test_browser.py.)"""

from __future__ import annotations

import re

import pytest

from app.ingest.reference import default_reference
from app.web.marks import marked_segments
from tests.api.conftest import Api, StatementCounter
from tests.reports import seed_document


@pytest.mark.parametrize(
    "url",
    ["/forces/atlantis", "/inspections/atlantis-2018-19", "/frameworks/peel-1999"],
)
def test_an_unknown_id_is_an_html_404(api: Api, url: str) -> None:
    answer = api.get(url)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert "<h1>" in answer.text


@pytest.mark.parametrize(
    "params",
    [{"q": '"unbalanced'}, {"q": "x" * 300}, {"q": "vetting", "offset": "-1"}],
    ids=["unbalanced-quote", "too-long", "negative-offset"],
)
def test_a_malformed_search_is_an_html_400_saying_why(api: Api, params: dict) -> None:
    answer = api.get("/search", **params)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in answer.text


def test_pages_carry_validators_answer_304_and_come_from_the_cache(api: Api) -> None:
    url = f"/forces/{seed_document().force.id}"
    first = api.client.get(url)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert api.client.get(url, headers={"If-None-Match": etag}).status_code == 304
    with StatementCounter(api.engine) as counter:
        again = api.client.get(url)
    assert again.text == first.text
    assert counter.count == 0  # served from memory: no query at all


def test_every_page_links_to_the_json_it_is_built_from(api: Api) -> None:
    document = seed_document()
    pages = {
        "/": "/v1/forces",
        f"/inspections/{document.inspection_id}": f"/v1/inspections/{document.inspection_id}",
        f"/frameworks/{document.framework}": f"/v1/frameworks/{document.framework}/grades",
        "/search?q=vetting": "/v1/search?q=vetting",
    }
    for page, json_url in pages.items():
        assert f'href="{json_url}"' in api.get(page).text, page


def test_what_a_visitor_types_is_shown_escaped(api: Api) -> None:
    answer = api.get("/search", q="<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;" in answer.text


def test_snippet_marks_are_the_only_markup_kept() -> None:
    segments = marked_segments("a <b> & <mark>vetting</mark> backlog <mark>x</mark>")
    assert segments == [("a <b> & ", False), ("vetting", True), (" backlog ", False), ("x", True)]


def test_pages_have_a_language_one_main_heading_and_labelled_inputs(api: Api) -> None:
    document = seed_document()
    for url in (
        "/",
        f"/forces/{document.force.id}",
        f"/frameworks/{document.framework}",
        "/search?q=vetting",
    ):
        html = api.get(url).text
        assert '<html lang="en-GB">' in html, url
        assert html.count("<h1") == 1, url
        assert '<meta name="viewport"' in html, url
        for control in re.findall(r'<input[^>]*id="([^"]+)"', html):
            assert f'<label for="{control}"' in html, (url, control)


def test_a_force_with_no_inspection_says_so(api: Api) -> None:
    held = {seed_document().force.id}
    other = next(f.id for f in default_reference().forces if f.id not in held)
    answer = api.get(f"/forces/{other}")
    assert answer.status_code == 200
    assert "No inspection of this force is held yet." in answer.text
