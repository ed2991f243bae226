"""The pages and the API explorer in a real browser: headless Chromium driven by Playwright.

Debian's `chromium` is used (Playwright's own browser download cannot run here);
`.ci/run` installs it. Where Playwright or a Chromium binary is missing, every test here
skips, saying which. Each test saves a screenshot under tests/artifacts/screenshots/.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from app.ingest.ids import child_id, slugify
from app.ingest.reference import load_reference
from app.resources.urls import urls
from tests.conftest import fresh_database
from tests.reports import ROOT, csv_rows, seed_document
from tests.server import LiveServer, start_server
from tests.web.test_pages import (
    LATEST_AREAS,
    area_rows,
    force_with_gaps,
    grade_names,
    graded_areas,
    item_id,
    regraded_cell,
    shown_grade,
)

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM_FLAGS = [
    # Root in a container has no sandbox; the machine's network is closed, so Chromium's
    # own background traffic (updates, sync, QUIC probes) is switched off.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return found or shutil.which("chromium-browser")


playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright's Python package is not installed"
)
CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary (install Debian's chromium, or set CHROMIUM_PATH)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`peel serve` on a fresh SQLite file: it migrates and seeds itself."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("browser")) as url:
        live = start_server(url)
        try:
            live.wait_ready(60)
            yield live
        finally:
            live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server: LiveServer, request: pytest.FixtureRequest):
    """A page that records every URL it requests; a screenshot is saved after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.requested = []
    tab.on("request", lambda r: tab.requested.append(r.url))
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=SCREENSHOTS / f"{request.node.name}.png", full_page=True)
    context.close()


def _only_this_host(urls: list[str], base: str) -> None:
    ours = urlsplit(base).netloc
    elsewhere = [u for u in urls if urlsplit(u).scheme in ("http", "https", "ws", "wss")]
    elsewhere = [u for u in elsewhere if urlsplit(u).netloc != ours]
    assert urls, "the page requested nothing"
    assert elsewhere == [], f"requests left {ours}: {elsewhere}"


def test_docs_lists_every_operation_and_try_it_out_runs_locally(page, server) -> None:
    schema = json.loads((ROOT / "openapi.json").read_text())
    operations = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    page.goto(f"{server.base}/docs")
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() == len(operations)

    block = page.locator("#operations-catalogue-list_forces")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    status = block.locator(".live-responses-table .response .response-col_status")
    status.first.wait_for()
    assert status.first.inner_text().strip() == "200"
    body = block.locator(".live-responses-table .response-col_description pre").first
    assert '"id": "west-midlands"' in body.inner_text()
    _only_this_host(page.requested, server.base)


def test_redoc_renders_the_reference(page, server) -> None:
    schema = json.loads((ROOT / "openapi.json").read_text())
    summaries = [op["summary"] for path in schema["paths"].values() for op in path.values()]
    page.goto(f"{server.base}/redoc")
    page.get_by_role("heading", name=schema["info"]["title"]).first.wait_for()
    for summary in summaries[:3]:
        assert page.get_by_text(summary, exact=True).count() >= 1, summary
    _only_this_host(page.requested, server.base)


def test_report_card_page_shows_the_seed_reports_grades(page, server) -> None:
    document = seed_document()
    grades = {g.id: g.name for g in load_reference().frameworks[document.framework].grades}
    # The force page shows its latest (area) inspection; the report's card is its own page.
    page.goto(f"{server.base}/inspections/{document.inspection_id}")
    assert page.get_by_role("heading", level=1).inner_text().startswith(document.force.name)

    questions = [j for j in document.judgments if j.question is not None]
    cells = page.locator("td[data-question]")
    assert cells.count() == len(questions)
    for judgment in questions:
        cell = page.locator(f'td[data-question="{judgment.question}"]')
        text = cell.inner_text()
        assert grades[judgment.grade] in text, (judgment.question, text)
        assert cell.get_attribute("data-grade") == judgment.grade
        carried = f"Carried over from {judgment.last_inspected}"
        assert (carried in text) == judgment.carried_over, (judgment.question, text)
        areas = sum(
            1
            for i in document.items
            if i.question == judgment.question and i.kind == "area-for-improvement"
        )
        counted = cell.locator('li[data-kind="area-for-improvement"]').inner_text()
        assert counted.startswith(f"{areas} area"), (judgment.question, counted)
    for judgment in (j for j in document.judgments if j.question is None):
        cell = page.locator(f'th[data-pillar="{judgment.pillar}"]')
        assert grades[judgment.grade] in cell.inner_text()
    # The legend names every grade in words: the grid reads without colour.
    legend = page.locator(".legend").inner_text()
    assert all(name in legend for name in grades.values())
    assert page.locator(f'a[href="/v1/inspections/{document.inspection_id}"]').count() >= 1
    _only_this_host(page.requested, server.base)


def test_report_card_fits_a_phone(browser, server) -> None:
    document = seed_document()
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server.base}/forces/{document.force.id}")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / "report_card_phone.png", full_page=True)
    context.close()
    assert overflow <= 0


def test_home_page_lists_forces_with_their_latest_grades(page, server) -> None:
    """Forces whose latest inspection held is of 2018/19 (no area grade in the area
    file) show their pillar grades; every force is listed once."""
    pillar_rows = csv_rows(ROOT / "reference" / "peel-2018-19-pillar-grades.csv")
    with_areas = {r["force_id"] for r in csv_rows(ROOT / "reference" / "peel-area-grades.csv")}
    framework = load_reference().frameworks["peel-2018-19"]
    page.goto(f"{server.base}/")
    table = page.locator('section[data-framework="peel-2018-19"]')
    checked = 0
    for record in (r for r in pillar_rows if r["force_id"] not in with_areas):
        row = table.locator(f'tr[data-force="{record["force_id"]}"]')
        for pillar in framework.pillars:
            word = record.get(pillar.id, "")
            expected = slugify(word) if word else "not-available"
            cell = row.locator(f'td[data-pillar="{pillar.id}"]')
            assert cell.get_attribute("data-grade") == expected, (record["force_id"], pillar.id)
            checked += 1
    assert checked
    listed = page.locator("tr[data-force]").count() + page.locator("li[data-force]").count()
    assert listed == len(load_reference().forces)
    assert page.locator(f'section[data-framework="{LATEST_AREAS}"]').count() == 1
    _only_this_host(page.requested, server.base)


def test_search_page_highlights_matches(page, server) -> None:
    document = seed_document()
    word = document.items[0].text.split()[-1].strip(".,;:").lower()
    page.goto(f"{server.base}/search")
    page.get_by_label("Words").fill(word)
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("ol.hits li")
    assert page.locator("ol.hits mark").count() >= 1
    assert word in page.locator("ol.hits mark").first.inner_text().lower()


def test_national_grid_page_shows_every_forces_grades_and_gaps(page, server) -> None:
    rows = {
        r["force_id"]: r for r in csv_rows(ROOT / "reference" / "peel-2018-19-pillar-grades.csv")
    }
    framework = load_reference().frameworks["peel-2018-19"]
    page.goto(f"{server.base}/frameworks/{framework.id}")
    pillars = page.locator('table.forces[data-level="pillar"]')
    questions = page.locator('table.forces[data-level="question"]')
    assert pillars.locator("tr[data-force]").count() == len(load_reference().forces)
    assert questions.locator("tr[data-force]").count() == len(load_reference().forces)
    # Pillars first, then questions, as a reader scrolls.
    assert pillars.bounding_box()["y"] < questions.bounding_box()["y"]
    for force in load_reference().forces:
        row = rows.get(force.id, {})
        for pillar in framework.pillars:
            cell = pillars.locator(f'tr[data-force="{force.id}"] td[data-pillar="{pillar.id}"]')
            word = row.get(pillar.id, "")
            expected = slugify(word) if word else "not-available"
            assert cell.get_attribute("data-grade") == expected, (force.id, pillar.id)
            if not word:
                assert "Not known here" in cell.inner_text()
    report_force = seed_document().force.id
    for record in csv_rows(ROOT / "reference" / "peel-2018-19-question-grades.csv"):
        if record["force_id"] == report_force:
            continue  # the report wins
        cell = questions.locator(
            f'tr[data-force="{record["force_id"]}"] td[data-question="{record["question"]}"]'
        )
        expected = slugify(record["grade"]) if record["grade"] else "not-available"
        assert cell.get_attribute("data-grade") == expected, record
        year = record["carried_over_from"]
        assert cell.get_attribute("data-carried-over") == (year or None), record
        assert (f"Carried over from {year}" in cell.inner_text()) == bool(year), record
    _only_this_host(page.requested, server.base)


def test_force_page_shows_its_history_as_a_timeline(page, server) -> None:
    document = seed_document()
    history = csv_rows(ROOT / "reference" / "west-midlands-peel-history.csv")
    areas = [
        r
        for r in csv_rows(ROOT / "reference" / "peel-area-grades.csv")
        if r["force_id"] == document.force.id
    ]
    frameworks = load_reference().frameworks
    page.goto(f"{server.base}/forces/{document.force.id}")
    pillar_years = page.locator('table[data-family="pillars"] thead th a').all_inner_texts()
    assert pillar_years == sorted({frameworks[r["framework"]].year_label for r in history})
    area_years = page.locator('table[data-family="areas"] thead th a').all_inner_texts()
    assert area_years == sorted({frameworks[r["framework"]].year_label for r in areas})
    for record in (r for r in history if r["level"] == "pillar"):
        framework = frameworks[record["framework"]]
        pillar = framework.pillar_for(record["area"])
        inspection = f"{document.force.id}-{slugify(framework.year_label)}"
        cell = page.locator(
            f'table.history tr[data-pillar="{pillar.id}"] td[data-inspection="{inspection}"]'
        )
        assert cell.get_attribute("data-grade") == framework.grade_for(record["grade"]).id


def test_area_grid_page_shows_known_grades_and_gaps(page, server) -> None:
    names = grade_names(LATEST_AREAS)
    outside = {o["force"] for o in load_reference().frameworks[LATEST_AREAS].outside_scope}
    known = area_rows(LATEST_AREAS)
    page.goto(f"{server.base}/frameworks/{LATEST_AREAS}")
    assert page.locator("tr[data-force]").count() == len(load_reference().forces)
    for force in load_reference().forces:
        cells = known.get(force.id, {})
        for area in graded_areas(LATEST_AREAS):
            cell = page.locator(f'tr[data-force="{force.id}"] td[data-area="{area}"]')
            if area in cells:
                expected, words = shown_grade(cells[area]), names[shown_grade(cells[area])]
            elif force.id in outside:
                expected, words = "not-inspected", "Not inspected"
            else:
                expected, words = "not-available", "Not known here"
            assert cell.get_attribute("data-grade") == expected, (force.id, area)
            assert words in cell.inner_text(), (force.id, area)
    # The distribution counts every force once per area.
    row = page.locator(f'table.distribution tr[data-area="{graded_areas(LATEST_AREAS)[0]}"]')
    counts = [int(n) for n in row.locator("td").all_inner_texts()]
    assert sum(counts) == len(load_reference().forces)
    _only_this_host(page.requested, server.base)


def test_force_page_shows_area_grades_and_a_regrade(page, server) -> None:
    force, regraded, rows = regraded_cell(LATEST_AREAS)
    names = grade_names(LATEST_AREAS)
    page.goto(f"{server.base}/forces/{force}")
    year = load_reference().frameworks[LATEST_AREAS].year_label
    assert page.get_by_role("heading", level=1).inner_text().endswith(f"PEEL {year}")
    for area, cell_rows in area_rows(LATEST_AREAS)[force].items():
        cell = page.locator(f'table.card td[data-area="{area}"]')
        assert cell.get_attribute("data-grade") == shown_grade(cell_rows), area
        assert names[shown_grade(cell_rows)] in cell.inner_text()
    earlier = next(r for r in rows if slugify(r["grade"]) != shown_grade(rows))
    row = page.locator(f'table.card tr[data-area="{regraded}"]')
    assert f"Previously {names[slugify(earlier['grade'])]}" in row.inner_text()
    assert page.locator(".warning").first.inner_text().startswith("Not comparable")
    _only_this_host(page.requested, server.base)


@pytest.mark.parametrize(
    "path",
    [f"/frameworks/{LATEST_AREAS}", f"/forces/{force_with_gaps(LATEST_AREAS)}", "/"],
    ids=["area-grid", "area-force", "home"],
)
def test_area_pages_fit_a_phone(browser, server, path: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{server.base}{path}")
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = "phone_" + (path.strip("/").replace("/", "_") or "home")
    phone.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    context.close()
    assert overflow <= 0, path


# --- findings on the card, accessibility, list pages and 404s (issue 16) --------------------

PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def _target_text(tab) -> str:
    """The text of the element the page's URL fragment names (no script of ours: read
    through the browser's :target)."""
    tab.wait_for_function("location.hash.length > 1")
    target = tab.locator(":target")
    assert target.count() == 1, tab.url
    return " ".join(target.inner_text().split())


def test_a_count_on_the_card_leads_to_the_rows_it_counts(page, server) -> None:
    document = seed_document()
    cause = next(i for i in document.items if i.kind == "cause-of-concern")
    page.goto(f"{server.base}/inspections/{document.inspection_id}")
    cell = page.locator(f'td[data-question="{cause.question}"]')
    causes = [i for i in document.items if i.question == cause.question and i.kind == cause.kind]
    link = cell.locator('li[data-kind="cause-of-concern"] a')
    assert link.inner_text().startswith(f"{len(causes)} cause")
    link.click()
    anchor = urls.anchor(child_id(document.inspection_id, cause.question), "causes-of-concern")
    assert page.url.endswith(f"#{anchor}")
    shown = _target_text(page)
    assert all(" ".join(c.text.split()) in shown for c in causes)
    assert page.locator(":target").is_visible()
    # A recommendation names the cause it answers; following that link lands on it.
    answering = next(i for i in document.items if i.answers == cause.key)
    page.locator(f'[id="{urls.anchor(item_id(answering.key))}"] .answers a').click()
    assert page.url.endswith(f"#{urls.anchor(item_id(cause.key))}")
    assert " ".join(cause.text.split()) in _target_text(page)
    _only_this_host(page.requested, server.base)


def test_a_search_hit_leads_to_its_place_on_the_card(page, server) -> None:
    document = seed_document()
    question, finding = next(
        (q, f) for p in document.pillars for q in p.questions for f in q.findings
    )
    paragraph = " ".join(finding.paragraphs[0].split())
    phrase = " ".join(paragraph.split()[:6]).strip(".,;:")
    page.goto(f"{server.base}/search")
    page.get_by_label("Words").fill(f'"{phrase}"')
    page.get_by_role("button", name="Search").click()
    page.wait_for_selector("ol.hits li")
    page.locator("ol.hits h2 a", has_text=finding.heading).first.click()
    anchor = urls.anchor(child_id(document.inspection_id, question.question, finding.key))
    assert page.url.split("#")[0].endswith(f"/inspections/{document.inspection_id}")
    assert page.url.endswith(f"#{anchor}")
    shown = _target_text(page)
    assert shown.startswith(" ".join(finding.heading.split()))
    assert paragraph in shown
    _only_this_host(page.requested, server.base)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        f"/inspections/{seed_document().inspection_id}",
        f"/frameworks/{LATEST_AREAS}",
        "/search?q=vetting",
    ],
    ids=["home", "report-card", "area-grid", "search"],
)
def test_pages_have_no_serious_accessibility_violations(browser, server, path: str) -> None:
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe not installed")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{server.base}{path}")
        results = axe.Axe().run(tab)
    finally:
        context.close()
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran on this page
    serious = [v for v in results.response["violations"] if v["impact"] in SERIOUS]
    assert serious == [], results.generate_report()


def test_axe_finds_what_it_should(browser, server) -> None:
    """The check can fail: a page given an unlabelled input and an image with no
    alternative text has serious or critical violations."""
    axe = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe not installed")
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.goto(f"{server.base}/search")
        tab.evaluate(
            "document.querySelector('main').insertAdjacentHTML('beforeend',"
            " '<input type=text><img src=x.png>')"
        )
        results = axe.Axe().run(tab)
    finally:
        context.close()
    found = {v["id"] for v in results.response["violations"] if v["impact"] in SERIOUS}
    assert {"label", "image-alt"} <= found


def test_the_cards_findings_read_on_a_phone(browser, server) -> None:
    """At 390 px the findings need no sideways scrolling; the screenshot shows the
    question with a cause of concern, from its heading (the viewport, not the page)."""
    document = seed_document()
    cause = next(i for i in document.items if i.kind == "cause-of-concern")
    question = next(
        q for p in document.pillars for q in p.questions if q.question == cause.question
    )
    context = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=2)
    phone = context.new_page()
    try:
        anchor = urls.anchor(child_id(document.inspection_id, question.question))
        phone.goto(f"{server.base}/inspections/{document.inspection_id}#{anchor}")
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        box = phone.locator("section.findings").bounding_box()
        heading = phone.locator(f'[id="{anchor}"]')
        assert heading.inner_text() == (question.heading or question.question)
        assert heading.is_visible()
        shown = phone.locator(f'[id="{urls.anchor(item_id(cause.key))}"]').inner_text()
        assert " ".join(cause.text.split()) in " ".join(shown.split())
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=SCREENSHOTS / "card_findings_phone_390.png")
    finally:
        context.close()
    assert overflow <= 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_list_pages_lead_to_a_force_and_an_unknown_path_is_a_page(page, server) -> None:
    document = seed_document()
    page.goto(f"{server.base}/")
    page.locator("header nav").get_by_role("link", name="Inspections").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Inspections by force"
    entry = page.locator(f'dd[data-force="{document.force.id}"]')
    entry.locator(f'a[href="/inspections/{document.inspection_id}"]').click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(document.force.name)
    page.goto(f"{server.base}/frameworks")
    page.locator(f'li[data-framework="{LATEST_AREAS}"] a').first.click()
    assert page.url.endswith(f"/frameworks/{LATEST_AREAS}")
    page.goto(f"{server.base}/forces")
    page.get_by_role("link", name=document.force.name, exact=True).click()
    assert page.url.endswith(f"/forces/{document.force.id}")
    answer = page.goto(f"{server.base}/forces/{document.force.id}/no-such-page")
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    assert page.get_by_role("heading", level=1).inner_text().startswith("No page at")
    page.get_by_role("link", name="Forces").last.click()
    assert page.url.endswith("/forces")
    _only_this_host(page.requested, server.base)


def test_screenshots_are_saved() -> None:
    # Runs after the page tests in this module (file order).
    saved = sorted(p.name for p in Path(SCREENSHOTS).glob("*.png"))
    assert "test_report_card_page_shows_the_seed_reports_grades.png" in saved
    assert "test_area_grid_page_shows_known_grades_and_gaps.png" in saved
    assert "test_force_page_shows_area_grades_and_a_regrade.png" in saved
    assert "card_findings_phone_390.png" in saved
    assert all((SCREENSHOTS / name).stat().st_size > 1000 for name in saved)
