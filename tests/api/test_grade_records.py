"""Grade records from the reference files: every force's 2018/19 pillar grades and West
Midlands' history. Expectations are read from the files themselves, never hand-copied."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.ingest.grades import GradeRecordError, read_grade_records
from app.ingest.ids import slugify
from app.ingest.reference import default_reference
from app.store.grade_load import load_grade_records
from tests.helpers import changed_report_text, dump, run_cli
from tests.reports import (
    EMPTY_GRID_CELL,
    ROOT,
    SEED_REPORT,
    csv_rows,
    seed_document,
    write_csv_rows,
)

REFERENCE = ROOT / "reference"
PILLAR_GRADES = REFERENCE / "peel-2018-19-pillar-grades.csv"
HISTORY = REFERENCE / "west-midlands-peel-history.csv"
AREA_GRADES = REFERENCE / "peel-area-grades.csv"
FRAMEWORK = "peel-2018-19"  # the wide file's framework, as seed/manifest.csv states it
PILLARS = ("effectiveness", "efficiency", "legitimacy")


def _pillar_judgments(client: TestClient) -> dict[tuple[str, str], dict]:
    page = client.get(
        "/v1/judgments", params={"framework": FRAMEWORK, "level": "pillar", "limit": 1000}
    ).json()
    return {(j["force"], j["pillar"]): j for j in page["items"]}


def test_every_row_of_the_pillar_grades_loads_with_its_source(seeded) -> None:
    client, *_ = seeded
    report_force = seed_document().force.id
    judged = _pillar_judgments(client)
    expected = 0
    for row in csv_rows(PILLAR_GRADES):
        for pillar in PILLARS:
            if not row[pillar]:
                assert (row["force_id"], pillar) not in judged  # unknown stays unknown
                continue
            expected += 1
            judgment = judged[(row["force_id"], pillar)]
            assert judgment["grade"] == slugify(row[pillar])
            if row["force_id"] == report_force:  # the report wins, the page is its check
                assert judgment["source_kind"] == "report"
                assert {
                    "source_url": row["source_url"],
                    "grade": slugify(row[pillar]),
                    "agrees": True,
                    "source_kind": "assessment-page",
                    "source_date": None,
                } in judgment["cross_checks"]
            else:
                assert judgment["source_kind"] == "assessment-page"
                assert judgment["source_url"] == row["source_url"]
    assert len(judged) == expected


def test_distribution_and_facets_match_the_file(seeded) -> None:
    client, *_ = seeded
    grid = client.get(f"/v1/frameworks/{FRAMEWORK}/grades").json()
    forces = default_reference().forces
    for pillar in PILLARS:
        counted = Counter(slugify(r[pillar]) for r in csv_rows(PILLAR_GRADES) if r[pillar])
        distribution = {k: v for k, v in grid["distribution"][pillar].items() if v}
        assert distribution == {**counted, "not-available": len(forces) - sum(counted.values())}
        facets = client.get(
            "/v1/judgments",
            params={"framework": FRAMEWORK, "pillar": pillar, "level": "pillar", "limit": 1},
        ).json()["facets"]["grade"]
        assert facets == {FRAMEWORK: dict(counted)}


def test_facets_never_add_grades_of_different_scales(seeded) -> None:
    client, *_ = seeded
    force = seed_document().force.id
    facets = client.get(
        "/v1/judgments", params={"force": force, "level": "pillar", "limit": 1}
    ).json()["facets"]["grade"]
    frameworks = {r["framework"] for r in csv_rows(HISTORY) if r["level"] == "pillar"}
    assert set(facets) == frameworks
    for scale, counts in facets.items():
        expected = Counter(
            default_reference().frameworks[scale].grade_for(r["grade"]).id
            for r in csv_rows(HISTORY)
            if r["framework"] == scale and r["level"] == "pillar"
        )
        assert counts == dict(expected), scale


def test_a_force_with_no_row_is_not_available_not_guessed(seeded) -> None:
    client, *_ = seeded
    in_file = {r["force_id"] for r in csv_rows(PILLAR_GRADES)}
    missing = [f.id for f in default_reference().forces if f.id not in in_file]
    assert missing  # the file says Humberside was not found
    rows = {
        r["force"]["id"]: r
        for r in client.get(f"/v1/frameworks/{FRAMEWORK}/grades").json()["forces"]
    }
    for force in missing:
        for cell in rows[force]["pillars"].values():
            assert cell == EMPTY_GRID_CELL


def test_history_tells_the_story_in_order_with_sources(seeded) -> None:
    client, *_ = seeded
    force = seed_document().force.id
    frameworks = default_reference().frameworks
    history_rows = [r for r in csv_rows(HISTORY) if r["force_id"] == force]
    area_years = {
        frameworks[r["framework"]].year_label
        for r in csv_rows(AREA_GRADES)
        if r["force_id"] == force
    }
    years = sorted({frameworks[r["framework"]].year_label for r in history_rows} | area_years)
    history = client.get(f"/v1/forces/{force}/history").json()
    assert [i["year_label"] for i in history["inspections"]] == years
    for inspection in history["inspections"]:
        assert inspection["source_url"].startswith("https://")
        if inspection["id"] == seed_document().inspection_id:
            expected_kind = "report"
        elif inspection["year_label"] in area_years:
            expected_kind = "grade-records"  # pages of several kinds, each grade with its own
        else:
            expected_kind = "assessment-page"
        assert inspection["source_kind"] == expected_kind
    held = {i["id"] for i in history["inspections"]}
    carried = [p for line in history["lines"] for p in line["points"] if p["carried_over"]]
    assert carried
    for point in carried:
        assert point["carried_over_from"] == f"{force}-{slugify(point['last_inspected'])}"
        assert point["carried_over_from"] in held


def test_the_report_and_the_history_agree_for_the_reports_year(seeded) -> None:
    client, *_ = seeded
    document = seed_document()
    same_year = [r for r in csv_rows(HISTORY) if r["framework"] == document.framework]
    judgments = client.get(
        "/v1/judgments", params={"inspection": document.inspection_id, "limit": 100}
    ).json()["items"]
    checks = {
        (j["pillar"], j["question"], c["source_url"]): c
        for j in judgments
        for c in j["cross_checks"]
    }
    frameworks = default_reference().frameworks
    for row in same_year:  # every row of the report's year is a check of the report
        framework = frameworks[row["framework"]]
        if row["level"] == "pillar":
            key = (framework.pillar_for(row["area"]).id, None, row["source_url"])
        else:
            question = next(q for q in framework.questions if q.official_question == row["area"])
            key = (question.pillar, question.id, row["source_url"])
        assert checks[key]["agrees"], key
    assert all(c["agrees"] for c in checks.values())
    _client, _engine, _url, seed_run = seeded
    assert document.inspection_id not in seed_run.stderr  # no warning about the report


def test_a_conflicting_record_is_reported_loudly_and_the_report_wins(seeded, tmp_path) -> None:
    client, engine, url, _ = seeded
    document = seed_document()
    rows = csv_rows(HISTORY)
    index = next(
        n
        for n, r in enumerate(rows)
        if r["framework"] == document.framework and r["level"] == "question"
    )
    original = rows[index]["grade"]
    rows[index]["grade"] = next(
        g.name.lower()
        for g in default_reference().frameworks[document.framework].grades
        if g.id != slugify(original) and g.rank is not None
    )
    conflicting = tmp_path / HISTORY.name
    write_csv_rows(conflicting, rows)
    try:
        result = load_grade_records(
            engine, read_grade_records(conflicting, default_reference()), conflicting
        )
        line = index + 2
        assert [w for w in result.warnings if w.startswith(f"{conflicting}:{line}:")]
        judgments = client.get(
            "/v1/judgments", params={"inspection": document.inspection_id, "limit": 100}
        ).json()["items"]
        disagreeing = [j for j in judgments if any(not c["agrees"] for c in j["cross_checks"])]
        assert len(disagreeing) == 1
        assert disagreeing[0]["grade"] == slugify(original)  # the report's grade is kept
    finally:  # put the agreeing history back for the other tests of this module
        assert run_cli("seed", database_url=url).returncode == 0


def test_peel_load_warns_of_a_disagreement_on_stderr(seeded, tmp_path: Path) -> None:
    _client, _engine, url, _ = seeded
    document = seed_document()
    rows = csv_rows(HISTORY)
    index = next(n for n, r in enumerate(rows) if r["framework"] == document.framework)
    others = [g for g in default_reference().frameworks[document.framework].grades]
    rows[index]["grade"] = next(g.name for g in others if g.id != slugify(rows[index]["grade"]))
    conflicting = tmp_path / "history.csv"
    write_csv_rows(conflicting, rows)
    try:
        result = run_cli("load", str(conflicting), database_url=url)
        assert result.returncode == 0, result.stderr
        warnings = [
            line
            for line in result.stderr.splitlines()
            if line.startswith("WARNING: sources disagree:")
        ]
        assert len(warnings) == 1
        assert f"{conflicting}:{index + 2}:" in warnings[0]
        assert "1 disagreeing" in result.stdout
    finally:
        assert run_cli("seed", database_url=url).returncode == 0


def test_a_reloaded_report_keeps_the_other_sources_checks(seeded, tmp_path: Path) -> None:
    client, _engine, url, _ = seeded
    document = seed_document()
    text, question, grade = changed_report_text(document, SEED_REPORT.read_text(encoding="utf-8"))
    changed = tmp_path / SEED_REPORT.name
    changed.write_text(text, encoding="utf-8")
    try:
        result = run_cli("load", str(changed), "--force", document.force.id, database_url=url)
        assert result.returncode == 0, result.stderr
        judgment = client.get(
            "/v1/judgments", params={"inspection": document.inspection_id, "question": question}
        ).json()["items"][0]
        assert judgment["grade"] == grade  # the report (changed) wins...
        assert judgment["cross_checks"]  # ...and the pages' word on it is still there,
        assert not any(c["agrees"] for c in judgment["cross_checks"])  # now disagreeing
    finally:
        assert run_cli("load", str(SEED_REPORT), database_url=url).returncode == 0


def test_seeding_everything_again_changes_nothing(seeded) -> None:
    _client, engine, url, _ = seeded
    before = dump(engine)
    result = run_cli("seed", database_url=url)
    assert result.returncode == 0, result.stderr
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("force_id", "atlantis", "unknown force 'atlantis'"),
        ("framework", "peel-1999", "unknown framework 'peel-1999'"),
        ("grade", "splendid", "unknown grade 'splendid'"),
    ],
)
def test_a_bad_record_is_rejected_with_file_and_line_and_nothing_is_written(
    seeded, tmp_path: Path, column: str, value: str, message: str
) -> None:
    _client, engine, url, _ = seeded
    rows = csv_rows(HISTORY)
    rows[3][column] = value
    bad = tmp_path / "bad-history.csv"
    write_csv_rows(bad, rows)
    with pytest.raises(GradeRecordError) as raised:
        read_grade_records(bad, default_reference())
    assert str(raised.value).startswith(f"{bad}:5: {message}")

    seed_dir = tmp_path / "seed"
    seed_dir.mkdir()
    shutil.copy(bad, seed_dir / bad.name)
    (seed_dir / "manifest.csv").write_text(
        "file,kind,force,framework,published,source_url,licence\n"
        f"{bad.name},grades,,,,,OGL-UK-3.0\n",
        encoding="utf-8",
    )
    before = dump(engine)
    result = run_cli("seed", "--seed-dir", str(seed_dir), database_url=url)
    assert result.returncode == 2
    assert f"{seed_dir / bad.name}:5: {message}" in result.stderr
    assert dump(engine) == before


def test_a_grades_only_inspection_says_it_holds_no_findings(seeded) -> None:
    client, *_ = seeded
    row = next(r for r in csv_rows(PILLAR_GRADES) if r["force_id"] != seed_document().force.id)
    inspection = (
        f"{row['force_id']}-{slugify(default_reference().frameworks[FRAMEWORK].year_label)}"
    )
    card = client.get(f"/v1/inspections/{inspection}").json()
    assert card["source_kind"] == "assessment-page"
    assert card["findings_held"] is False
    for url in ("/v1/findings", "/v1/recommendations"):
        answer = client.get(url, params={"inspection": inspection})
        assert answer.status_code == 404
        assert answer.json()["type"].endswith("/findings-not-held")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "force_id,framework,level,area,grade,source_url\nwest-midlands,peel-2015\n",
        "force_id,effectiveness,source_url\nwest-midlands\n",
        "force_id,framework,level,area,grade,source_url\nwest-midlands,peel-2015,pillar,x,good,"
        "https://example.invalid/\n",
        "\x00\x01binary",
    ],
    ids=["empty", "short-long-row", "short-wide-row", "unknown-pillar", "binary"],
)
def test_malformed_grade_files_fail_with_a_line_not_a_crash(tmp_path: Path, text: str) -> None:
    path = tmp_path / "grades.csv"
    path.write_text(text, encoding="utf-8")
    try:
        records = read_grade_records(path, default_reference(), framework=FRAMEWORK)
    except GradeRecordError as error:
        assert re.match(rf"{re.escape(str(path))}:\d+: ", str(error))
    else:
        assert records == []  # a wide row with no grade cells states nothing
