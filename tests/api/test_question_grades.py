"""Every force's 2018/19 question grades (reference/peel-2018-19-question-grades.csv), with
what was carried over, as the API serves them on both backends.

Expectations are read from the file, the pillar file, the seed manifest, the reference
catalogue and the parsed seed report (West Midlands' question grades), never hand-copied.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.config import Settings
from app.db import make_engine, migrate
from app.ingest.grades import read_grade_records
from app.ingest.ids import child_id, inspection_id, slugify
from app.ingest.manifest import ReportSource, manifest_sources
from app.ingest.reference import Framework, Grade, default_reference
from app.main import create_app
from app.store.catalogue import sync_catalogue
from app.store.grade_load import load_grade_records
from app.store.report import load_document
from tests.conftest import BACKENDS, fresh_database
from tests.helpers import dump, run_cli
from tests.reports import (
    EMPTY_GRID_CELL,
    ROOT,
    SEED_DIR,
    csv_rows,
    seed_document,
    seed_manifest_row,
    write_csv_rows,
)

REFERENCE = ROOT / "reference"
QUESTION_GRADES = REFERENCE / "peel-2018-19-question-grades.csv"
PILLAR_GRADES = REFERENCE / "peel-2018-19-pillar-grades.csv"
HISTORY = REFERENCE / "west-midlands-peel-history.csv"
ASSESSMENT_PAGE = "assessment-page"
NOT_AVAILABLE, NOT_INSPECTED = "not-available", "not-inspected"

Key = tuple[str, str]  # (force, question)


# --- what the files and the report say ---------------------------------------------------


@cache
def _framework() -> Framework:
    """The framework the seed manifest names for the question file."""
    (source,) = [
        s for s in manifest_sources(SEED_DIR) if s.path.resolve() == QUESTION_GRADES.resolve()
    ]
    assert source.framework
    return default_reference().frameworks[source.framework]


def _area_framework() -> Framework:
    return next(f for f in default_reference().frameworks.values() if f.structure == "areas")


def _grade(word: str) -> Grade | None:
    framework = _framework()
    return framework.grade_for(word) or next((g for g in framework.grades if g.id == word), None)


def _graded_questions() -> list[str]:
    """The framework's graded questions in pillar, then question, order."""
    framework = _framework()
    pillars = [p.id for p in framework.pillars]
    graded = [q for q in framework.questions if q.graded]
    return [q.id for q in sorted(graded, key=lambda q: (pillars.index(q.pillar), q.position))]


def _rows() -> dict[Key, dict[str, str]]:
    rows = {(r["force_id"], r["question"]): r for r in csv_rows(QUESTION_GRADES)}
    assert len(rows) == len(csv_rows(QUESTION_GRADES))  # one row per (force, question)
    return rows


def _iid(force: str) -> str:
    return inspection_id(force, _framework().year_label)


def _report_questions() -> dict[Key, object]:
    """The seed report's question judgments (West Midlands'), by (force, question)."""
    document = seed_document()
    assert document.framework == _framework().id
    return {(document.force.id, j.question): j for j in document.judgments if j.question}


def _report_url() -> str:
    return seed_manifest_row()["source_url"]


def _row_cell(row: dict[str, str]) -> dict:
    """The grid cell of a row of the file."""
    grade = _grade(row["grade"]) if row["grade"] else None
    return {
        "grade": grade.id if grade else None,
        "grade_rank": grade.rank if grade else None,
        "status": "graded" if grade else NOT_AVAILABLE,
        "carried_over": True if row["carried_over_from"] else None,
        "last_inspected": row["carried_over_from"] or None,
        "source_url": row["source_url"],
        "source_kind": ASSESSMENT_PAGE,
        "source_date": None,
        "inspection": _iid(row["force_id"]),
    }


# --- what the API says -------------------------------------------------------------------


def _judgments(client: TestClient, **params: object) -> dict[Key, dict]:
    """Every question judgment of the framework matching `params`, by (force, question)."""
    page = client.get(
        "/v1/judgments",
        params={"framework": _framework().id, "level": "question", "limit": 1000, **params},
    )
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["count"] == len(body["items"])  # one page holds them all
    judged = {(j["force"], j["question"]): j for j in body["items"]}
    assert len(judged) == len(body["items"])
    return judged


def _facets(client: TestClient, **params: object) -> dict:
    return client.get(
        "/v1/judgments",
        params={"framework": _framework().id, "level": "question", "limit": 1, **params},
    ).json()["facets"]["grade"]


def _grid(client: TestClient, **params: object) -> dict:
    answer = client.get(f"/v1/frameworks/{_framework().id}/grades", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _data_version(client: TestClient) -> int:
    return client.get("/v1/changes").json()["data_version"]


# --- the seeded database -----------------------------------------------------------------


def test_every_row_loads_with_its_page_and_lineage(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    questions = {q.id: q for q in framework.questions}
    judged = _judgments(client)
    rows, report = _rows(), _report_questions()
    assert set(judged) == set(rows) | set(report)  # nothing more, nothing less
    for key, row in rows.items():
        judgment = judged[key]
        grade = _grade(row["grade"]) if row["grade"] else None
        assert judgment["id"] == child_id(_iid(row["force_id"]), row["question"])
        assert judgment["inspection"] == _iid(row["force_id"])
        assert (judgment["scale"], judgment["pillar"]) == (
            framework.id,
            questions[row["question"]].pillar,
        )
        assert (judgment["grade"], judgment["grade_name"], judgment["grade_rank"]) == (
            (grade.id, grade.name, grade.rank) if grade else (None, None, None)
        ), key
        assert judgment["source_url"] == row["source_url"], key
        assert (judgment["source_kind"], judgment["source_date"]) == (ASSESSMENT_PAGE, None)
        assert (judgment["carried_over"], judgment["last_inspected"]) == (
            (True, row["carried_over_from"]) if row["carried_over_from"] else (None, None)
        ), key
        assert judgment["cross_checks"] == [] and judgment["superseded"] == []
    for key, stated in report.items():  # West Midlands: the report's own
        judgment = judged[key]
        assert key[0] not in {force for force, _ in rows}
        assert judgment["grade"] == stated.grade
        assert (judgment["carried_over"], judgment["last_inspected"]) == (
            stated.carried_over,
            stated.last_inspected,
        )
        assert (judgment["source_kind"], judgment["source_url"]) == ("report", _report_url())


def test_counts_per_question_and_grade_match_the_file_and_the_report(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    forces = default_reference().forces
    assert not framework.outside_scope  # 2018/19 inspected every force: none not-inspected
    rows, report = _rows(), _report_questions()
    grid = _grid(client, level="question")
    everything: Counter[str] = Counter()
    for question in _graded_questions():
        stated = Counter(
            _row_cell(row)["grade"] or NOT_AVAILABLE
            for (_, q), row in rows.items()
            if q == question
        ) + Counter(j.grade for (_, q), j in report.items() if q == question)
        everything += stated
        graded = {g: n for g, n in stated.items() if g != NOT_AVAILABLE}
        expected = {
            **{g.id: 0 for g in framework.grades},
            **graded,
            NOT_AVAILABLE: len(forces) - sum(graded.values()),
            NOT_INSPECTED: 0,
        }
        assert grid["distribution"][question] == expected, question
        assert _facets(client, question=question) == {framework.id: dict(stated)}, question
    # Over every question (the report's ungraded ones too): counted per grade, a
    # gradeless carried-over row under not-available.
    ungraded = Counter(j.grade for (_, q), j in report.items() if q not in _graded_questions())
    assert ungraded  # the report states a question no grid column shows
    assert _facets(client) == {framework.id: dict(everything + ungraded)}
    assert sum(everything.values()) + sum(ungraded.values()) == len(rows) + len(report)


def test_carried_over_rows_carry_their_year(seeded) -> None:
    client, *_ = seeded
    rows, report = _rows(), _report_questions()
    carried = {k for k, r in rows.items() if r["carried_over_from"]} | {
        k for k, j in report.items() if j.carried_over
    }
    assert set(_judgments(client, carried_over="true")) == carried
    years = {r["carried_over_from"] for r in rows.values() if r["carried_over_from"]}
    assert len(years) > 1
    for year in years:
        expected = {k for k, r in rows.items() if r["carried_over_from"] == year} | {
            k for k, j in report.items() if j.carried_over and j.last_inspected == year
        }
        judged = _judgments(client, carried_over="true", last_inspected=year)
        assert set(judged) == expected, year
        assert {j["last_inspected"] for j in judged.values()} == {year}


def test_a_blank_year_makes_no_claim(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    rows, report = _rows(), _report_questions()
    unstated = {k for k, r in rows.items() if not r["carried_over_from"]}
    assert unstated
    judged = _judgments(client)
    for key in unstated:
        assert (judged[key]["carried_over"], judged[key]["last_inspected"]) == (None, None)
    made = _judgments(client, carried_over="false")
    assert set(made) == {k for k, j in report.items() if j.carried_over is False}
    assert not set(made) & unstated
    # nor does a blank year say the grade was given in the framework's own year
    this_year = _judgments(client, last_inspected=framework.year_label)
    assert set(this_year) == {
        k for k, j in report.items() if j.last_inspected == framework.year_label
    }
    # true, false and no claim split the judgments
    carried = _judgments(client, carried_over="true")
    assert len(carried) + len(made) + len(unstated) == len(judged)


def test_a_gradeless_carried_over_row_is_carried_over_and_not_available(seeded) -> None:
    client, *_ = seeded
    gradeless = {k: r for k, r in _rows().items() if not r["grade"]}
    assert gradeless and all(r["carried_over_from"] for r in gradeless.values())
    judged = _judgments(client)
    grid = {f["force"]["id"]: f["questions"] for f in _grid(client, level="question")["forces"]}
    for (force, question), row in gradeless.items():
        judgment = judged[(force, question)]
        assert (judgment["grade"], judgment["grade_name"], judgment["grade_rank"]) == (
            None,
            None,
            None,
        )
        assert judgment["carried_over"] is True
        assert judgment["last_inspected"] == row["carried_over_from"]
        assert judgment["source_url"] == row["source_url"]
        assert grid[force][question] == {
            **EMPTY_GRID_CELL,
            "carried_over": True,
            "last_inspected": row["carried_over_from"],
            "source_url": row["source_url"],
            "source_kind": ASSESSMENT_PAGE,
            "inspection": _iid(force),
        }


def test_the_not_available_facet_is_a_filter_value_too(seeded) -> None:
    """What the facets call `not-available` a client can ask for: the gradeless rows."""
    client, *_ = seeded
    gradeless = {k for k, r in _rows().items() if not r["grade"]}
    facets = _facets(client)[_framework().id]
    assert facets[NOT_AVAILABLE] == len(gradeless)
    assert set(_judgments(client, grade=NOT_AVAILABLE)) == gradeless
    some = next(_grade(r["grade"]).id for r in _rows().values() if r["grade"])
    both = _judgments(client, grade=[NOT_AVAILABLE, some])
    assert set(both) == gradeless | set(_judgments(client, grade=some))


def test_the_question_grid_holds_every_row_and_guesses_nothing(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    grid = _grid(client, level="question")
    columns = _graded_questions()
    assert (grid["level"], grid["questions"], grid["pillars"], grid["areas"]) == (
        "question",
        columns,
        [],
        [],
    )
    ungraded = {q.id for q in framework.questions if not q.graded}
    assert ungraded and not ungraded & set(columns)  # not graded: not a column
    rows, report = _rows(), _report_questions()
    held = [f["force"]["id"] for f in grid["forces"]]
    assert sorted(held) == sorted(f.id for f in default_reference().forces)  # every force
    for force_row in grid["forces"]:
        force = force_row["force"]["id"]
        assert force_row["pillars"] == {} and list(force_row["questions"]) == columns
        if (force, columns[0]) in report:
            continue  # the report's: test_west_midlands_cells_come_from_the_report
        for question, cell in force_row["questions"].items():
            row = rows.get((force, question))
            assert cell == (_row_cell(row) if row else EMPTY_GRID_CELL), (force, question)


def test_west_midlands_cells_come_from_the_report(seeded) -> None:
    client, *_ = seeded
    report = _report_questions()
    judged = _judgments(client)
    grid = {f["force"]["id"]: f["questions"] for f in _grid(client, level="question")["forces"]}
    for (force, question), stated in report.items():
        if question not in _graded_questions():
            continue
        grade = _grade(stated.grade)
        judgment = judged[(force, question)]
        assert grid[force][question] == {
            "grade": grade.id,
            "grade_rank": grade.rank,
            "status": "graded",
            "carried_over": stated.carried_over,
            "last_inspected": stated.last_inspected,
            "source_url": _report_url(),
            # the same source as /v1/judgments gives for it: the report
            "source_kind": judgment["source_kind"],
            "source_date": judgment["source_date"],
            "inspection": seed_document().inspection_id,
        }, question


def test_the_csv_grid_matches_the_json_grid(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    grid = _grid(client, level="question")
    answer = client.get(
        f"/v1/frameworks/{framework.id}/grades", params={"level": "question", "format": "csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    reader = csv.DictReader(io.StringIO(answer.text, newline=""))
    columns = ("grade_name", "status", "carried_over", "last_inspected", "source_url")
    expected_header = ["force", "force.name", "force.href"]
    for question in grid["questions"]:
        expected_header += [question, *(f"{question}.{c}" for c in columns)]
    assert reader.fieldnames == [*expected_header, "not_inspected"]
    table = list(reader)
    assert [r["force"] for r in table] == [f["force"]["id"] for f in grid["forces"]]
    names = {g.id: g.name for g in framework.grades}

    def text(value: object) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        return "" if value is None else str(value)

    for row, force_row in zip(table, grid["forces"], strict=True):
        assert row["force.name"] == force_row["force"]["name"]
        assert row["force.href"].endswith(force_row["force"]["href"])
        for question, cell in force_row["questions"].items():
            assert row[question] == text(cell["grade"])
            assert row[f"{question}.grade_name"] == text(names.get(cell["grade"]))
            for column in ("status", "carried_over", "last_inspected", "source_url"):
                assert row[f"{question}.{column}"] == text(cell[column]), (question, column)
    # the file's lineage comes through: true where carried over, empty where not stated
    rows = _rows()
    by_force = {r["force"]: r for r in table}
    for (force, question), source in rows.items():
        stated = by_force[force][f"{question}.carried_over"]
        assert stated == ("true" if source["carried_over_from"] else "")


@pytest.mark.parametrize(
    ("framework", "level"),
    [
        (lambda: _framework().id, "area"),
        (lambda: _area_framework().id, "pillar"),
        (lambda: _area_framework().id, "question"),
    ],
    ids=["pillar-framework-area", "area-framework-pillar", "area-framework-question"],
)
@pytest.mark.parametrize("format_", ["json", "csv"])
def test_a_level_the_framework_does_not_grade_is_a_400(
    seeded, framework, level: str, format_: str
) -> None:
    client, *_ = seeded
    answer = client.get(
        f"/v1/frameworks/{framework()}/grades", params={"level": level, "format": format_}
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["type"].endswith("/problems/invalid-request")
    assert f"level={level}" in problem["detail"]


def test_the_pillar_grades_survive_the_question_file(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    report_force = seed_document().force.id
    pillar_rows = csv_rows(PILLAR_GRADES)
    pillars = [p.id for p in framework.pillars]
    judged = {
        (j["force"], j["pillar"]): j
        for j in client.get(
            "/v1/judgments", params={"framework": framework.id, "level": "pillar", "limit": 1000}
        ).json()["items"]
    }
    expected = {
        (r["force_id"], p): r for r in pillar_rows for p in pillars if r[p]
    }  # the file's cells
    assert set(judged) == set(expected)
    for (force, pillar), row in expected.items():
        judgment = judged[(force, pillar)]
        assert judgment["grade"] == slugify(row[pillar])
        if force == report_force:
            assert judgment["source_kind"] == "report"
            continue
        assert (judgment["source_kind"], judgment["source_url"]) == (
            ASSESSMENT_PAGE,
            row["source_url"],
        )
        assert (judgment["carried_over"], judgment["last_inspected"]) == (
            False,
            framework.year_label,
        )
    # the default grid is still the pillar grid, and its counts are still the pillar file's
    grid = _grid(client)
    assert grid == _grid(client, level="pillar")
    assert (grid["level"], grid["pillars"], grid["questions"]) == ("pillar", pillars, [])
    forces = default_reference().forces
    for pillar in pillars:
        counted = Counter(slugify(r[pillar]) for r in pillar_rows if r[pillar])
        distribution = {k: v for k, v in grid["distribution"][pillar].items() if v}
        assert distribution == {**counted, NOT_AVAILABLE: len(forces) - sum(counted.values())}
    # each inspection's page is still its first pillar grade's (the pillar file's row);
    # one the pillar file does not hold takes a page of its question rows
    area = _area_framework()
    assert client.get(f"/v1/frameworks/{area.id}/grades").json() == (
        client.get(f"/v1/frameworks/{area.id}/grades", params={"level": "area"}).json()
    )
    inspections = {
        i["id"]: i
        for i in client.get(
            "/v1/inspections", params={"framework": framework.id, "limit": 1000}
        ).json()["items"]
    }
    pages = {r["force_id"]: r["source_url"] for r in pillar_rows}
    question_pages: dict[str, set[str]] = {}
    for row in _rows().values():
        question_pages.setdefault(row["force_id"], set()).add(row["source_url"])
    assert set(question_pages) - set(pages)  # a force only the question file holds
    for force in set(pages) | set(question_pages):
        inspection = inspections[_iid(force)]
        if force == report_force:
            assert inspection["source_kind"] == "report"
            continue
        assert inspection["source_kind"] == ASSESSMENT_PAGE
        if force in pages:
            assert inspection["source_url"] == pages[force], force
        else:
            assert inspection["source_url"] in question_pages[force], force


def test_history_shows_each_question_with_its_lineage(seeded) -> None:
    client, *_ = seeded
    framework = _framework()
    expected: dict[str, dict[str, dict]] = {}
    for (force, question), row in _rows().items():
        cell = _row_cell(row)
        expected.setdefault(force, {})[question] = {
            k: cell[k] for k in ("grade", "grade_rank", "carried_over", "last_inspected")
        } | {"source_url": row["source_url"], "source_kind": ASSESSMENT_PAGE}
    for (force, question), stated in _report_questions().items():
        grade = _grade(stated.grade)
        expected.setdefault(force, {})[question] = {
            "grade": grade.id,
            "grade_rank": grade.rank,
            "carried_over": stated.carried_over,
            "last_inspected": stated.last_inspected,
            "source_url": _report_url(),
            "source_kind": "report",
        }
    for force, questions in expected.items():
        history = client.get(f"/v1/forces/{force}/history").json()
        held = {i["id"] for i in history["inspections"]}
        points = {
            line["question"]: point
            for line in history["lines"]
            if line["level"] == "question"
            for point in line["points"]
            if point["inspection"] == _iid(force)
        }
        assert set(points) == set(questions), force
        for question, want in questions.items():
            point = points[question]
            assert {k: point[k] for k in want} == want, (force, question)
            assert point["framework"] == framework.id
            year = want["last_inspected"]
            earlier = inspection_id(force, year) if want["carried_over"] else None
            assert point["carried_over_from"] == (earlier if earlier in held else None)


def test_loading_everything_again_changes_nothing(seeded) -> None:
    client, engine, url, _ = seeded
    before, version, judged = dump(engine), _data_version(client), _judgments(client)
    result = run_cli("seed", database_url=url)
    assert result.returncode == 0, result.stderr
    assert dump(engine) == before
    assert _data_version(client) == version
    # `peel load` of the file alone (its framework from the manifest line)
    result = run_cli("load", str(QUESTION_GRADES), database_url=url)
    assert result.returncode == 0, result.stderr
    forces = {force for force, _ in _rows()}
    assert f"0 created, 0 replaced, {len(forces)} unchanged" in result.stdout
    assert "WARNING" not in result.stderr
    assert dump(engine) == before
    assert _data_version(client) == version
    assert _judgments(client) == judged


def test_a_bad_row_is_refused_with_its_line_and_nothing_is_written(seeded, tmp_path: Path) -> None:
    _client, engine, url, _ = seeded
    rows = csv_rows(QUESTION_GRADES)
    index = len(rows) - 1  # the last row: every row before it reads well
    rows[index]["grade"] = "splendid"
    bad = tmp_path / QUESTION_GRADES.name
    write_csv_rows(bad, rows)
    before = dump(engine)
    result = run_cli("load", str(bad), "--framework", _framework().id, database_url=url)
    assert result.returncode == 2
    assert f"{bad}:{index + 2}: unknown grade 'splendid'" in result.stderr
    assert dump(engine) == before


# --- the report wins, whichever comes first ----------------------------------------------


@dataclass
class Orders:
    copy: Path  # the question file with West Midlands rows added
    lines: dict[str, int]  # 'disagreeing', 'agreeing', 'gradeless': their lines
    changed: str  # the disagreeing row's grade
    report_first: TestClient  # the report, then the copy (`peel load`)
    file_first: TestClient  # the copy, then the report
    file_first_engine: Engine
    loaded: CompletedProcess  # `peel load` of the copy onto the report


def _page_of(question: str) -> str:
    """The page the history file gives for a West Midlands question of the framework."""
    framework = _framework()
    for row in csv_rows(HISTORY):
        if row["framework"] == framework.id and row["level"] == "question":
            found = framework.question_for(row["area"]) or next(
                (q for q in framework.questions if q.official_question == row["area"]), None
            )
            if found is not None and found.id == question:
                return row["source_url"]
    return _report_url()


def _copy_with_west_midlands_rows(directory: Path) -> tuple[Path, dict[str, int], str]:
    """The question file with three West Midlands rows: one disagreeing with the report,
    one agreeing, and one saying a question the report says was inspected that year was
    carried over (no grade)."""
    framework = _framework()
    document = seed_document()
    graded = [
        j
        for j in document.judgments
        if j.question and _grade(j.grade) is not None and _grade(j.grade).rank is not None
    ]
    disagreeing, agreeing = graded[0], graded[1]
    gradeless = next(j for j in graded[2:] if j.carried_over is False)
    changed = next(g.id for g in framework.grades if g.rank and g.id != disagreeing.grade)
    earlier = max(
        f.year_label
        for f in default_reference().frameworks.values()
        if f.year_label < framework.year_label
    )
    rows = csv_rows(QUESTION_GRADES)
    added = {
        "disagreeing": (disagreeing, changed),
        "agreeing": (agreeing, agreeing.grade),
        "gradeless": (gradeless, ""),
    }
    lines = {}
    for kind, (judgment, grade) in added.items():
        rows.append(
            {
                "force_id": document.force.id,
                "question": judgment.question,
                "grade": grade,
                "carried_over_from": earlier
                if kind == "gradeless"
                else (judgment.last_inspected if judgment.carried_over else ""),
                "source_url": _page_of(judgment.question),
            }
        )
        lines[kind] = len(rows) + 1
    copy = directory / QUESTION_GRADES.name
    write_csv_rows(copy, rows)
    return copy, lines, changed


def _client(engine: Engine, url: str) -> TestClient:
    return TestClient(create_app(engine, Settings(database_url=url, response_cache_bytes=0)))


@pytest.fixture(scope="module", params=BACKENDS)
def orders(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    seed_source: ReportSource,
) -> Iterator[Orders]:
    """Two fresh databases: the report then the copy, and the copy then the report."""
    copy, lines, changed = _copy_with_west_midlands_rows(tmp_path_factory.mktemp("copy"))
    with ExitStack() as stack:
        urls = [
            stack.enter_context(fresh_database(request.param, tmp_path_factory.mktemp(name)))
            for name in ("report-first", "file-first")
        ]
        engines = [make_engine(url) for url in urls]
        for engine in engines:
            stack.callback(engine.dispose)
            migrate(engine)
            sync_catalogue(engine)
        report_first, file_first = engines
        load_document(report_first, seed_document(), seed_source)
        loaded = run_cli("load", str(copy), "--framework", _framework().id, database_url=urls[0])
        records = read_grade_records(copy, default_reference(), framework=_framework().id)
        load_grade_records(file_first, records, copy)
        load_document(file_first, seed_document(), seed_source)
        clients = [stack.enter_context(_client(e, u)) for e, u in zip(engines, urls, strict=True)]
        yield Orders(copy, lines, changed, *clients, file_first, loaded)


def _west_midlands(client: TestClient) -> dict[str, dict]:
    items = client.get(
        "/v1/judgments", params={"inspection": seed_document().inspection_id, "limit": 100}
    ).json()["items"]
    return {j["question"] or j["pillar"]: j for j in items}


def test_the_report_wins_over_a_row_that_disagrees(orders: Orders) -> None:
    assert orders.loaded.returncode == 0, orders.loaded.stderr
    warnings = [
        line
        for line in orders.loaded.stderr.splitlines()
        if line.startswith("WARNING: sources disagree:")
    ]
    warned = {
        kind
        for kind, line in orders.lines.items()
        for warning in warnings
        if warning.startswith(f"WARNING: sources disagree: {orders.copy}:{line}:")
    }
    assert warned == {"disagreeing", "gradeless"}  # the agreeing row is no news
    assert len(warnings) == len(warned)
    _assert_the_report_wins(orders, orders.report_first)
    # the file's other rows loaded as they do alone
    judged = _judgments(orders.report_first)
    assert set(judged) == set(_rows()) | set(_report_questions())


def _assert_the_report_wins(orders: Orders, client: TestClient) -> None:
    document = seed_document()
    rows = csv_rows(orders.copy)
    added = {kind: rows[line - 2] for kind, line in orders.lines.items()}
    judged = _west_midlands(client)
    assert set(judged) == {j.question or j.pillar for j in document.judgments}
    for stated in document.judgments:
        judgment = judged[stated.question or stated.pillar]
        assert (judgment["grade"], judgment["source_kind"], judgment["source_url"]) == (
            stated.grade,
            "report",
            _report_url(),
        )
        assert (judgment["carried_over"], judgment["last_inspected"]) == (
            stated.carried_over,
            stated.last_inspected,
        )
        checks = [
            {
                "source_url": row["source_url"],
                "grade": row["grade"],
                "agrees": row["grade"] == stated.grade,
                "source_kind": ASSESSMENT_PAGE,
                "source_date": None,
            }
            for row in added.values()
            if row["question"] == stated.question and row["grade"]
        ]
        assert judgment["cross_checks"] == checks, judgment["id"]
    disagreeing = judged[added["disagreeing"]["question"]]
    assert disagreeing["cross_checks"][0]["grade"] == orders.changed
    assert disagreeing["cross_checks"][0]["agrees"] is False
    assert judged[added["agreeing"]["question"]]["cross_checks"][0]["agrees"] is True
    assert judged[added["gradeless"]["question"]]["cross_checks"] == []
    card = client.get(f"/v1/inspections/{document.inspection_id}").json()
    assert card["source_kind"] == "report"
    # The card reads judgments and their checks in one joined statement, the list in two:
    # the same checks, in the same order, on every judgment either shows.
    on_card = {p["pillar"]: p["judgment"] for p in card["pillars"] if p["judgment"]} | {
        q["question"]: q["judgment"]
        for p in card["pillars"]
        for q in p["questions"]
        if q["judgment"]
    }
    assert set(on_card) == set(judged)
    for subject, judgment in judged.items():
        for field in ("cross_checks", "superseded", "grade", "source_url"):
            assert on_card[subject][field] == judgment[field], (subject, field)
    assert any(j["cross_checks"] for j in on_card.values())


def test_loading_the_file_before_the_report_ends_the_same(orders: Orders) -> None:
    _assert_the_report_wins(orders, orders.file_first)
    assert _west_midlands(orders.file_first) == _west_midlands(orders.report_first)
    assert _judgments(orders.file_first) == _judgments(orders.report_first)
    # and the file again, now that the report holds West Midlands, changes nothing
    engine = orders.file_first_engine
    before, version = dump(engine), _data_version(orders.file_first)
    records = read_grade_records(orders.copy, default_reference(), framework=_framework().id)
    result = load_grade_records(engine, records, orders.copy)
    assert result.created == [] and result.replaced == []
    assert result.data_version is None
    assert {w.split(": ")[0] for w in result.warnings} == {
        f"{orders.copy}:{orders.lines[kind]}" for kind in ("disagreeing", "gradeless")
    }
    assert dump(engine) == before
    assert _data_version(orders.file_first) == version
