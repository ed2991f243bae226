"""The HTML pages in process: status codes, validators and the response cache, escaping,
and the area grades of the later cycles as the reference files state them (expectations
are read from reference/peel-area-grades.csv, never hand-copied). (What they show is also
checked in a real browser: tests/web/test_browser.py.)"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from app.ingest.ids import slugify
from app.ingest.reference import default_reference
from app.web.marks import marked_segments
from app.web.views import NOT_COMPARABLE
from tests.api.conftest import Api, StatementCounter
from tests.reports import ROOT, csv_rows, seed_document

AREA_GRADES = ROOT / "reference" / "peel-area-grades.csv"
LATEST_AREAS = "peel-2023-25"  # the newest framework the area file grades


def area_rows(framework_id: str) -> dict[str, dict[str, list[dict[str, str]]]]:
    """force -> area -> the file's rows for that cell, oldest statement first."""
    cells: dict[str, dict[str, list[dict[str, str]]]] = {}
    for row in csv_rows(AREA_GRADES):
        if row["framework"] == framework_id:
            cells.setdefault(row["force_id"], {}).setdefault(row["area_id"], []).append(row)
    for areas in cells.values():
        for rows in areas.values():
            rows.sort(key=lambda r: r["published"])
    return cells


def shown_grade(rows: list[dict[str, str]]) -> str:
    """The grade a cell shows: the latest statement's (the file: "the later row wins")."""
    return slugify(rows[-1]["grade"])


def graded_areas(framework_id: str) -> list[str]:
    framework = default_reference().frameworks[framework_id]
    return [q.id for q in framework.questions if q.pillar is None and q.graded]


def grade_names(framework_id: str) -> dict[str, str]:
    return {g.id: g.name for g in default_reference().frameworks[framework_id].grades}


def force_with_gaps(framework_id: str) -> str:
    """The first force of the file whose cells each have one grade and which has at least
    one graded area no row states."""
    areas = graded_areas(framework_id)
    for force, cells in area_rows(framework_id).items():
        single = all(len({slugify(r["grade"]) for r in rows}) == 1 for rows in cells.values())
        if single and set(areas) - set(cells):
            return force
    raise AssertionError(f"no force of {framework_id} with a gap")


def regraded_cell(framework_id: str) -> tuple[str, str, list[dict[str, str]]]:
    """A (force, area, rows) cell the file states two grades for (a regrade)."""
    for force, cells in area_rows(framework_id).items():
        for area, rows in cells.items():
            if len({slugify(r["grade"]) for r in rows}) > 1:
                return force, area, rows
    raise AssertionError(f"no regraded cell in {framework_id}")


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def _element(page: str, tag: str, attribute: str, value: str) -> str:
    """The first <tag attribute="value" ...>...</tag> of a page (tables do not nest here)."""
    found = re.search(
        rf'<{tag}\b[^>]* {attribute}="{re.escape(value)}"[^>]*>.*?</{tag}>', page, re.S
    )
    assert found, (tag, attribute, value)
    return found.group(0)


def _cells(row: str, attribute: str) -> dict[str, tuple[str, str]]:
    """subject -> (data-grade, text) of a row's cells marked with `attribute`."""
    return {
        subject: (grade, _text(body))
        for subject, grade, body in re.findall(
            rf'<td[^>]*\b{attribute}="([^"]+)"[^>]*data-grade="([^"]*)"[^>]*>(.*?)</td>', row, re.S
        )
    }


@pytest.fixture(scope="module")
def seeded_pages(seeded) -> TestClient:
    """A client on the fully seeded database (tests/api/conftest.py `seeded`)."""
    return seeded[0]


def _page(client: TestClient, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


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


def test_area_grid_shows_each_known_grade_and_marks_the_others_not_known(seeded_pages) -> None:
    force = force_with_gaps(LATEST_AREAS)
    known = area_rows(LATEST_AREAS)[force]
    names = grade_names(LATEST_AREAS)
    page = _page(seeded_pages, f"/frameworks/{LATEST_AREAS}")
    cells = _cells(_element(page, "tr", "data-force", force), "data-area")
    assert sorted(cells) == sorted(graded_areas(LATEST_AREAS))
    for area, (grade, text) in cells.items():
        if area in known:
            assert grade == shown_grade(known[area]), (force, area)
            assert names[grade] in text, (force, area, text)
            assert "Not known here" not in text
        else:
            assert grade == "not-available", (force, area)
            assert "Not known here" in text, (force, area, text)
    for outside in default_reference().frameworks[LATEST_AREAS].outside_scope:
        row = _element(page, "tr", "data-force", outside["force"])
        assert {g for g, _ in _cells(row, "data-area").values()} == {"not-inspected"}
        assert "Not inspected" in _text(row)
    assert f'href="/v1/frameworks/{LATEST_AREAS}/grades"' in page


def test_area_grid_links_each_grade_to_a_page_that_states_it(seeded_pages) -> None:
    page = _page(seeded_pages, f"/frameworks/{LATEST_AREAS}")
    for force, cells in area_rows(LATEST_AREAS).items():
        row = _element(page, "tr", "data-force", force)
        for area, rows in cells.items():
            cell = re.search(rf'<td data-area="{area}"[^>]*>(.*?)</td>', row, re.S)
            assert cell, (force, area)
            links = set(re.findall(r'href="([^"]+)"', cell.group(1)))
            sources = {html.escape(r["source_url"]) for r in rows}
            assert links and links <= sources, (force, area, links)


def test_home_page_groups_forces_by_their_latest_framework(seeded_pages) -> None:
    page = _page(seeded_pages, "/")
    latest = _element(page, "section", "aria-labelledby", f"framework-{LATEST_AREAS}")
    assert f'href="/frameworks/{LATEST_AREAS}"' in latest
    assert f'href="/v1/frameworks/{LATEST_AREAS}/grades"' in latest
    names = grade_names(LATEST_AREAS)
    for force, known in area_rows(LATEST_AREAS).items():
        cells = _cells(_element(latest, "tr", "data-force", force), "data-area")
        assert sorted(cells) == sorted(graded_areas(LATEST_AREAS)), force
        for area, (grade, text) in cells.items():
            expected = shown_grade(known[area]) if area in known else "not-available"
            assert grade == expected, (force, area)
            assert (names[grade] if area in known else "Not known here") in text
    for outside in default_reference().frameworks[LATEST_AREAS].outside_scope:
        assert "Not inspected" in _text(_element(latest, "tr", "data-force", outside["force"]))
    # Every force once: in one framework's table, or among those with nothing held.
    listed = re.findall(r'<(?:tr|li) data-force="([^"]+)"', page)
    assert sorted(listed) == sorted(f.id for f in default_reference().forces)


def test_force_page_shows_the_latest_area_grades_with_their_sources(seeded_pages) -> None:
    force = force_with_gaps(LATEST_AREAS)
    known = area_rows(LATEST_AREAS)[force]
    names = grade_names(LATEST_AREAS)
    page = _page(seeded_pages, f"/forces/{force}")
    year = default_reference().frameworks[LATEST_AREAS].year_label
    assert re.search(rf"<h1>[^<]*PEEL {re.escape(year)}</h1>", page)
    card = _element(page, "table", "class", "card areas")
    for area in graded_areas(LATEST_AREAS):
        row = _element(card, "tr", "data-area", area)
        grade, text = _cells(row, "data-area")[area]
        if area in known:
            assert grade == shown_grade(known[area]), (force, area)
            assert names[grade] in text
            assert f'href="{html.escape(known[area][-1]["source_url"])}"' in row
        else:
            assert grade == "not-available" and "Not known here" in text
    assert 'class="coverage"' in page  # the "known here" line
    history = _element(page, "table", "data-family", "areas")
    assert f'href="/inspections/{force}-{slugify(year)}"' in history


def test_a_regraded_area_shows_its_earlier_grade(seeded_pages) -> None:
    force, area, rows = regraded_cell(LATEST_AREAS)
    names = grade_names(LATEST_AREAS)
    row = _element(_page(seeded_pages, f"/forces/{force}"), "tr", "data-area", area)
    earlier = next(r for r in rows if slugify(r["grade"]) != shown_grade(rows))
    assert _cells(row, "data-area")[area][0] == shown_grade(rows)
    assert f"Previously {names[slugify(earlier['grade'])]}" in _text(row)


@pytest.mark.parametrize("url", ["/", f"/frameworks/{LATEST_AREAS}", "/frameworks/peel-2018-19"])
def test_pages_showing_several_cycles_say_they_are_not_comparable(
    seeded_pages: TestClient, url: str
) -> None:
    assert NOT_COMPARABLE in _page(seeded_pages, url)


def test_force_page_says_its_cycles_are_not_comparable(seeded_pages) -> None:
    assert NOT_COMPARABLE in _page(seeded_pages, f"/forces/{force_with_gaps(LATEST_AREAS)}")
