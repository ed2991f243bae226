"""The HTML pages in process: status codes, validators and the response cache, escaping,
and the area grades of the later cycles as the reference files state them (expectations
are read from reference/peel-area-grades.csv, never hand-copied). (What they show is also
checked in a real browser: tests/web/test_browser.py.)"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from app.ingest.ids import child_id, inspection_id, slugify
from app.ingest.reference import default_reference
from app.resources.urls import urls
from app.web.marks import marked_segments
from app.web.pages import SEARCH_PAGE_SIZE
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


QUESTION_GRADES = ROOT / "reference" / "peel-2018-19-question-grades.csv"


def test_framework_page_shows_pillars_then_questions_carried_over_only_where_stated(
    seeded_pages,
) -> None:
    document = seed_document()
    framework = default_reference().frameworks[document.framework]
    page = _page(seeded_pages, f"/frameworks/{framework.id}")
    assert page.index('id="grid-title-pillar"') < page.index('id="grid-title-question"')
    table = re.search(r'<table class="forces" data-level="question">.*?</table>', page, re.S)
    assert table, "no question grid"
    expected: dict[str, dict[str, tuple[str, str | None, str | None]]] = {}
    for row in csv_rows(QUESTION_GRADES):
        expected.setdefault(row["force_id"], {})[row["question"]] = (
            slugify(row["grade"]) if row["grade"] else "not-available",
            row["carried_over_from"] or None,
            row["source_url"],
        )
    expected[document.force.id] = {
        j.question: (j.grade, j.last_inspected if j.carried_over else None, None)
        for j in document.judgments
        if j.question
    }
    graded = [q.id for q in framework.questions if q.graded and q.pillar]
    names = grade_names(framework.id)
    for force in default_reference().forces:
        row = _element(table.group(0), "tr", "data-force", force.id)
        cells = re.findall(
            r'<td data-question="([^"]+)" data-grade="([^"]*)"(?: data-carried-over="([^"]*)")?'
            r">(.*?)</td>",
            row,
            re.S,
        )
        assert [c[0] for c in cells] == graded, force.id
        for question, grade, carried, body in cells:
            stated = expected.get(force.id, {}).get(question)
            want_grade, want_carried, source = stated or ("not-available", None, None)
            assert grade == want_grade, (force.id, question)
            assert (carried or None) == want_carried, (force.id, question)
            text = _text(body)
            assert ("Carried over" in text) == bool(want_carried), (force.id, question, text)
            if want_grade in names:
                assert names[want_grade] in text
            else:
                assert "Not known here" in text, (force.id, question, text)
            if source:
                assert f'href="{html.escape(source)}"' in body, (force.id, question)


def test_a_card_from_records_shows_each_question_as_its_page_states_it(seeded_pages) -> None:
    framework = default_reference().frameworks[seed_document().framework]
    by_force: dict[str, list[dict[str, str]]] = {}
    for row in csv_rows(QUESTION_GRADES):
        by_force.setdefault(row["force_id"], []).append(row)
    # Each force with a gradeless row, and one with none: every kind of cell.
    chosen = [f for f, rows in by_force.items() if any(not r["grade"] for r in rows)]
    chosen.append(next(f for f, rows in by_force.items() if all(r["grade"] for r in rows)))
    names = grade_names(framework.id)
    for force in chosen:
        page = _page(seeded_pages, urls.inspection_page(inspection_id(force, framework.year_label)))
        for row in by_force[force]:
            cell = _element(page, "td", "data-question", row["question"])
            text = _text(cell)
            grade = slugify(row["grade"]) if row["grade"] else ""
            assert f'data-grade="{grade}"' in cell, (force, row["question"])
            assert (names[grade] if grade else "Not known here") in text, (force, text)
            year = row["carried_over_from"]
            assert (f"Carried over from {year}" in text) == bool(year), (force, text)
            assert f'href="{html.escape(row["source_url"])}"' in cell, (force, row["question"])


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


# --- the findings on the report card (issue 16) -------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base"}


class _Elements(HTMLParser):
    """Every element with an id: its text (tags out, entities read), and every href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: dict[str, str] = {}
        self.hrefs: list[str] = []
        self._open: list[tuple[str, str | None, list[str]]] = []  # tag, id, text parts

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("href"):
            self.hrefs.append(found["href"])
        if tag not in VOID:
            self._open.append((tag, found.get("id"), []))

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            name, element_id, parts = self._open.pop()
            if element_id is not None:
                self.text[element_id] = " ".join("".join(parts).split())
            if self._open:
                self._open[-1][2].extend(parts)
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1][2].append(data)


def elements(page: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(page)
    parsed.close()
    return parsed


def _words(text: str) -> str:
    return " ".join(text.split())


def finding_ids() -> dict[str, tuple[str, str]]:
    """API id of each findings section of the seed report -> (question, key)."""
    document = seed_document()
    return {
        child_id(document.inspection_id, q.question, f.key): (q.question, f.key)
        for p in document.pillars
        for q in p.questions
        for f in q.findings
    }


def item_id(key: str) -> str:
    return child_id(seed_document().inspection_id, *key.split("/"))


def test_the_card_shows_every_findings_section_at_an_anchor_of_its_api_id(api: Api) -> None:
    document = seed_document()
    listed = api.json("/v1/findings", inspection=document.inspection_id, limit=1000)["items"]
    assert {f["id"] for f in listed} == set(finding_ids())  # the anchors' ids are the API's
    shown = elements(api.get(f"/inspections/{document.inspection_id}").text).text
    checked = 0
    for pillar in document.pillars:
        for question in pillar.questions:
            for finding in question.findings:
                anchor = urls.anchor(
                    child_id(document.inspection_id, question.question, finding.key)
                )
                assert "." not in anchor and anchor in shown, anchor
                text = shown[anchor]
                assert text.startswith(_words(finding.heading)), anchor
                for paragraph in finding.paragraphs:
                    assert _words(paragraph) in text, (anchor, paragraph[:40])
                assert f"Page {finding.page} of the report" in text, anchor
                checked += 1
    assert checked == len(listed) > 0


def test_the_card_shows_every_boxed_item_with_the_cause_a_recommendation_answers(api: Api) -> None:
    document = seed_document()
    page = elements(api.get(f"/inspections/{document.inspection_id}").text)
    for item in document.items:
        anchor = urls.anchor(item_id(item.key))
        text = page.text[anchor]
        assert _words(item.text) in text, item.key
        assert f"Page {item.page} of the report" in text, item.key
        if item.answers:
            cause = next(i for i in document.items if i.key == item.answers)
            assert "Answers the cause of concern" in text
            assert f"#{urls.anchor(item_id(cause.key))}" in page.hrefs
    assert any(i.answers for i in document.items)  # the seed has one to check


def test_the_card_counts_link_to_the_rows_they_count(api: Api) -> None:
    document = seed_document()
    page = api.get(f"/inspections/{document.inspection_id}").text
    parsed = elements(page)
    local = [h[1:] for h in parsed.hrefs if h.startswith("#")]
    assert local and all(target in parsed.text for target in local)  # no broken anchor
    kinds = {
        "finding": "findings",
        "area-for-improvement": "areas-for-improvement",
        "cause-of-concern": "causes-of-concern",
        "recommendation": "recommendations",
    }
    linked = 0
    for pillar in document.pillars:
        for question in pillar.questions:
            cell = _element(page, "td", "data-question", question.question)
            for kind, part in kinds.items():
                rows = (
                    [f.heading for f in question.findings]
                    if kind == "finding"
                    else [
                        i.text
                        for i in document.items
                        if i.question == question.question and i.kind == kind
                    ]
                )
                count = _element(cell, "li", "data-kind", kind)
                assert _text(count).strip().startswith(f"{len(rows)} "), (question.question, kind)
                anchor = urls.anchor(child_id(document.inspection_id, question.question), part)
                if not rows:
                    assert "href" not in count, (question.question, kind)  # nothing to link to
                    continue
                assert f'href="#{anchor}"' in count, (question.question, kind)
                assert all(_words(row) in parsed.text[anchor] for row in rows)
                linked += 1
    assert linked >= 4
    assert 'href="/v1/findings?' not in _element(page, "table", "class", "card")


def test_search_hits_link_to_the_place_on_the_card_that_shows_them(api: Api) -> None:
    document = seed_document()
    cause = next(i for i in document.items if i.kind == "cause-of-concern")
    word = max(cause.text.strip(".").split(), key=len).lower()
    hits = api.json("/v1/search", q=word, limit=SEARCH_PAGE_SIZE)["items"]
    page = api.get("/search", q=word).text
    card = elements(api.get(f"/inspections/{document.inspection_id}").text).text
    links = re.findall(r'<h2><a href="([^"]+)">', page)
    assert len(links) == len(hits) > 0
    kinds = set()
    for hit, link in zip(hits, links, strict=True):
        path, _, anchor = html.unescape(link).partition("#")
        assert path == f"/inspections/{hit['inspection']}", link
        assert anchor in card, link
        if hit["kind"] != "inspection":
            assert anchor == urls.anchor(hit["id"]), link
        kinds.add(hit["kind"])
    assert {"finding", "cause-of-concern"} <= kinds
    assert _words(cause.text) in card[urls.anchor(item_id(cause.key))]


def test_cards_built_from_grades_say_no_findings_are_held_and_link_nowhere_broken(
    seeded_pages: TestClient,
) -> None:
    document = seed_document()
    force = force_with_gaps(LATEST_AREAS)
    pillar_card = next(
        r["id"]
        for r in seeded_pages.get("/v1/inspections", params={"limit": 1000}).json()["items"]
        if r["source_kind"] != "report" and r["framework"]["id"] == document.framework
    )
    for url in (f"/forces/{force}", f"/inspections/{pillar_card}"):
        page = _page(seeded_pages, url)
        assert "No findings text is held for this inspection" in page, url
        assert 'class="findings"' not in page and 'class="counts"' not in page, url
        parsed = elements(page)
        assert all(h[1:] in parsed.text for h in parsed.hrefs if h.startswith("#")), url
        assert "/v1/findings" not in page and "/v1/recommendations" not in page, url


# --- list pages, HTML 404s, downloads -------------------------------------------------------


def test_forces_page_links_every_force_to_its_page(api: Api) -> None:
    answer = api.client.get("/forces", headers={"accept": BROWSER_ACCEPT})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/html")
    forces = api.json("/v1/forces", limit=1000)["items"]
    assert len(forces) == len(default_reference().forces)
    for force in forces:
        item = _element(answer.text, "li", "data-force", force["id"])
        assert f'href="/forces/{force["id"]}"' in item and html.escape(force["name"]) in item


def test_frameworks_page_links_every_framework_to_its_grid(api: Api) -> None:
    page = _page(api.client, "/frameworks")
    for framework in api.json("/v1/frameworks")["items"]:
        item = _element(page, "li", "data-framework", framework["id"])
        assert f'href="/frameworks/{framework["id"]}"' in item, framework["id"]
        assert api.get(f"/frameworks/{framework['id']}").status_code == 200


def test_inspections_page_lists_every_inspection_under_its_force(seeded_pages) -> None:
    page = _page(seeded_pages, "/inspections")
    held = seeded_pages.get("/v1/inspections", params={"limit": 1000}).json()["items"]
    assert held
    for inspection in held:
        entry = _element(page, "dd", "data-force", inspection["force"]["id"])
        assert f'href="/inspections/{inspection["id"]}"' in entry, inspection["id"]
    assert len(re.findall(r'<li data-inspection="', page)) == len(held)


@pytest.mark.parametrize(
    "path",
    ["/forces/west-midlands/nothing", "/frameworks/peel-2018-19/x/y", "/inspections/a/b", "/nope"],
)
def test_an_unknown_page_path_is_an_html_404_to_a_browser_and_a_problem_to_a_client(
    api: Api, path: str
) -> None:
    page = api.client.get(path, headers={"accept": BROWSER_ACCEPT})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>No page at" in page.text and html.escape(path) in page.text
    for accept in ("application/json", "*/*"):
        problem = api.client.get(path, headers={"accept": accept})
        assert problem.status_code == 404
        assert problem.headers["content-type"] == "application/problem+json", accept


@pytest.mark.parametrize("path", ["/v1/nothing", "/v1/forces/west-midlands/nothing"])
def test_unknown_api_paths_stay_problems_even_to_a_browser(api: Api, path: str) -> None:
    answer = api.client.get(path, headers={"accept": BROWSER_ACCEPT})
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


def _downloads(page: str) -> dict[str, str]:
    """The footer's download links: URL -> its format (JSON, CSV)."""
    block = _element(page, "section", "class", "downloads")
    return {
        html.unescape(url): kind
        for url, kind in re.findall(r'<a href="([^"]+)"[^>]*>(JSON|CSV)<', block)
    }


def test_every_page_offers_what_it_shows_as_json_and_csv(api: Api) -> None:
    document = seed_document()
    iid = document.inspection_id
    expected = {
        "/": ["/v1/forces?format=csv", "/v1/judgments?level=pillar&format=csv"],
        "/forces": ["/v1/forces?format=csv"],
        "/frameworks": ["/v1/frameworks?format=csv"],
        "/inspections": ["/v1/inspections?format=csv"],
        f"/inspections/{iid}": [
            f"/v1/judgments?inspection={iid}&format=csv",
            f"/v1/findings?inspection={iid}&format=csv",
            f"/v1/recommendations?inspection={iid}&format=csv",
        ],
        f"/forces/{document.force.id}": [f"/v1/forces/{document.force.id}/inspections?format=csv"],
        f"/frameworks/{document.framework}": [
            f"/v1/frameworks/{document.framework}/grades?format=csv"
        ],
    }
    for url, csvs in expected.items():
        offered = _downloads(_page(api.client, url))
        assert "JSON" in offered.values(), url
        for csv_url in csvs:
            assert offered.get(csv_url) == "CSV", (url, csv_url)
        for link, kind in offered.items():
            answer = api.client.get(link)
            assert answer.status_code == 200, (url, link)
            media = "text/csv" if kind == "CSV" else "application/json"
            assert answer.headers["content-type"].startswith(media), (url, link)
