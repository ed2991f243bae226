"""PEEL 2021/22 and 2023-25: area grades and grade counts from the reference files.

Every expectation is derived from reference/peel-area-grades.csv,
reference/peel-area-grade-counts.csv and reference/peel-outside-scope.csv: never
hand-copied. Both backends, through `peel seed` as a user runs it.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.helpers import dump, run_cli
from tests.reports import ROOT, csv_rows

REFERENCE = ROOT / "reference"
AREA_GRADES = REFERENCE / "peel-area-grades.csv"
COUNTS = REFERENCE / "peel-area-grade-counts.csv"
OUTSIDE = REFERENCE / "peel-outside-scope.csv"
GRADE_COLUMNS = ("outstanding", "good", "adequate", "requires_improvement", "inadequate")


def _cells() -> dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]]:
    """(framework, force, area) -> [(line, row)] of the file."""
    cells: dict[tuple[str, str, str], list[tuple[int, dict[str, str]]]] = defaultdict(list)
    for line, row in enumerate(csv_rows(AREA_GRADES), start=2):
        cells[(row["framework"], row["force_id"], row["area_id"])].append((line, row))
    return cells


def _standing(rows: list[tuple[int, dict[str, str]]]) -> str:
    """The grade that stands: the only one, or that of the latest `published`."""
    grades = {row["grade"] for _, row in rows}
    if len(grades) == 1:
        return grades.pop()
    return max(rows, key=lambda pair: pair[1]["published"])[1]["grade"]


def _area_judgments(client: TestClient, framework: str) -> dict[tuple[str, str, str], dict]:
    page = client.get(
        "/v1/judgments", params={"framework": framework, "level": "area", "limit": 1000}
    ).json()
    assert page["count"] == len(page["items"])
    return {(j["framework"], j["force"], j["area"]): j for j in page["items"]}


def test_every_cell_loads_with_its_source_kind_and_date(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    for framework in {key[0] for key in cells}:
        judged = _area_judgments(client, framework)
        expected = {key: rows for key, rows in cells.items() if key[0] == framework}
        assert set(judged) == set(expected)  # as many known cells as the file has
        for key, rows in expected.items():
            judgment = judged[key]
            assert judgment["level"] == "area" and judgment["pillar"] is None
            assert judgment["question"] is None
            assert judgment["grade"] == _standing(rows)
            stated = {
                (row["source_url"], row["grade"], row["source_kind"], row["published"] or None)
                for _, row in rows
            }
            own = (
                judgment["source_url"],
                judgment["grade"],
                judgment["source_kind"],
                judgment["source_date"],
            )
            others = {
                (c["source_url"], c["grade"], c["source_kind"], c["source_date"])
                for c in judgment["cross_checks"]
            } | {
                (s["source_url"], s["grade"], s["source_kind"], s["source_date"])
                for s in judgment["superseded"]
            }
            # Every page that states the cell is kept: the judgment's own and the others.
            assert {own} | others == stated, key
            assert own not in others
            assert all(c["agrees"] for c in judgment["cross_checks"])


def test_the_later_of_two_grades_wins_and_the_earlier_is_superseded(seeded) -> None:
    client, *_ = seeded
    regraded = {k: rows for k, rows in _cells().items() if len({r["grade"] for _, r in rows}) > 1}
    assert regraded  # the file holds a regrade
    for (framework, force, area), rows in regraded.items():
        judged = _area_judgments(client, framework)[(framework, force, area)]
        latest = max(rows, key=lambda pair: pair[1]["published"])[1]
        assert (judged["grade"], judged["source_date"]) == (latest["grade"], latest["published"])
        earlier = [r for _, r in rows if r["grade"] != latest["grade"]]
        assert [(s["grade"], s["source_date"]) for s in judged["superseded"]] == [
            (r["grade"], r["published"]) for r in sorted(earlier, key=lambda r: r["published"])
        ]


def test_facets_count_area_grades_per_scale(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    facets = client.get("/v1/judgments", params={"level": "area", "limit": 1}).json()["facets"]
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for (framework, _, _), rows in cells.items():
        expected[framework][_standing(rows)] += 1
    assert facets["grade"] == {k: dict(v) for k, v in expected.items()}


def test_filter_by_area(seeded) -> None:
    client, *_ = seeded
    (framework, _, area), _rows = next(iter(_cells().items()))
    page = client.get(
        "/v1/judgments", params={"framework": framework, "area": area, "limit": 1000}
    ).json()
    expected = {k[1] for k in _cells() if k[0] == framework and k[2] == area}
    assert {j["force"] for j in page["items"]} == expected


def _count_rows() -> list[tuple[int, dict[str, str]]]:
    return list(enumerate(csv_rows(COUNTS), start=2))


def _disagreeing_counts() -> list[int]:
    """Lines of the counts file that disagree with a complete set of known cells."""
    known: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (framework, force, _), rows in _cells().items():
        known[(framework, force)][_standing(rows)] += 1
    lines = []
    for line, row in _count_rows():
        held = known.get((row["framework"], row["force_id"]), Counter())
        graded = int(row["areas_graded"])
        if sum(held.values()) < graded:
            continue  # too few grades known to compare
        stated = {c.replace("_", "-"): int(row[c]) for c in GRADE_COLUMNS if row[c]}
        if sum(held.values()) != graded or any(held[g] != n for g, n in stated.items()):
            lines.append(line)
    return lines


def test_counts_that_disagree_with_a_complete_set_are_warned_of_and_shown(seeded) -> None:
    client, _engine, _url, seed_run = seeded
    disagreeing = _disagreeing_counts()
    assert disagreeing  # the reference README names three such pages
    warnings = [line for line in seed_run.stderr.splitlines() if "WARNING" in line]
    rows = dict(_count_rows())
    for line in disagreeing:
        row = rows[line]
        (warning,) = [w for w in warnings if f"{COUNTS.name}:{line}:" in w]
        assert row["source_url"] in warning and f"{AREA_GRADES.name}:" in warning
        grid = client.get(f"/v1/frameworks/{row['framework']}/grades").json()
        (force,) = [f for f in grid["forces"] if f["force"]["id"] == row["force_id"]]
        (statement,) = [
            c for c in force["coverage"]["counts"] if c["source_url"] == row["source_url"]
        ]
        assert statement["matches_known"] is False
    assert len([w for w in warnings if f"{COUNTS.name}:" in w]) == len(disagreeing)


def test_coverage_tells_the_distribution_where_cells_are_unknown(seeded) -> None:
    client, *_ = seeded
    known_cells = Counter((k[0], k[1]) for k in _cells())
    by_force: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for _, row in _count_rows():
        by_force[(row["framework"], row["force_id"])].append(row)
    for framework in {k[0] for k in by_force}:
        grid = client.get(f"/v1/frameworks/{framework}/grades").json()
        rows = {r["force"]["id"]: r for r in grid["forces"]}
        for (fw, force), stated in by_force.items():
            if fw != framework:
                continue
            coverage = rows[force]["coverage"]
            assert coverage["grades_known"] == known_cells[(fw, force)]
            assert {c["source_url"] for c in coverage["counts"]} == {
                r["source_url"] for r in stated
            }
            shapes = {tuple(r[c] for c in (*GRADE_COLUMNS, "areas_graded")) for r in stated}
            if len(shapes) == 1:  # the pages agree: their distribution is told
                row = stated[0]
                assert coverage["areas_graded"] == int(row["areas_graded"])
                assert coverage["distribution"] == {
                    c.replace("_", "-"): int(row[c]) for c in GRADE_COLUMNS if row[c]
                }
            else:
                assert coverage["distribution"] is None


def test_forces_with_no_row_are_not_known_here_and_out_of_scope_not_inspected(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    outside = {(r["framework"], r["force_id"]) for r in csv_rows(OUTSIDE)}
    for framework in {k[0] for k in cells}:
        grid = client.get(f"/v1/frameworks/{framework}/grades").json()
        assert grid["structure"] == "areas" and grid["pillars"] == []
        for row in grid["forces"]:
            force = row["force"]["id"]
            for area, cell in row["areas"].items():
                if (framework, force, area) in cells:
                    assert cell["status"] == "graded"
                    assert cell["grade"] == _standing(cells[(framework, force, area)])
                elif (framework, force) in outside:
                    assert cell["status"] == "not-inspected" and cell["grade"] is None
                else:
                    assert cell["status"] == "not-available" and cell["grade"] is None
        for area, counted in grid["distribution"].items():
            graded = Counter(
                _standing(rows)
                for (fw, _, a), rows in cells.items()
                if fw == framework and a == area
            )
            assert {g: n for g, n in counted.items() if n and g in graded} == dict(graded)


def test_a_force_gives_its_latest_grades_in_one_call(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    frameworks = {fw["id"]: fw for fw in client.get("/v1/frameworks").json()["items"]}
    forces = {k[1] for k in cells}
    for force in sorted(forces)[:10]:
        detail = client.get(f"/v1/forces/{force}").json()
        held = sorted(
            {k[0] for k in cells if k[1] == force},
            key=lambda fw: frameworks[fw]["year_label"],
        )
        latest = next(item for item in detail["latest"] if item["family"] == "areas")
        assert latest["framework"]["id"] == held[-1]
        assert {(held[-1], force, j["area"]): j["grade"] for j in latest["judgments"]} == {
            k: _standing(rows) for k, rows in cells.items() if k[:2] == (held[-1], force)
        }
        assert all(j["source_url"] for j in latest["judgments"])
        states = {c["framework"]["id"]: c["status"] for c in detail["cycles"]}
        assert all(states[fw] == "graded" for fw in held)


def test_cycles_tell_not_inspected_from_not_known_here(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    counted = {(r["framework"], r["force_id"]) for _, r in _count_rows()}
    outside = {(r["framework"], r["force_id"]) for r in csv_rows(OUTSIDE)}
    forces = client.get("/v1/forces", params={"limit": 1000}).json()["items"]
    area_frameworks = {k[0] for k in cells}
    seen = Counter()
    for force in forces:
        cycles = client.get(f"/v1/forces/{force['id']}").json()["cycles"]
        for cycle in cycles:
            framework = cycle["framework"]["id"]
            if framework not in area_frameworks:
                continue
            key = (framework, force["id"])
            if any(k[:2] == key for k in cells):
                expected = "graded"
            elif key in outside:
                expected = "not-inspected"
            elif key in counted:
                expected = "grades-not-known"
            else:
                expected = "not-known-here"
            assert cycle["status"] == expected, key
            seen[expected] += 1
    assert seen["not-inspected"] == len(outside)


def test_history_runs_to_the_area_frameworks(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    (framework, force, area), rows = next(iter(cells.items()))
    history = client.get(f"/v1/forces/{force}/history").json()
    lines = [line for line in history["lines"] if line["area"] == area]
    assert len(lines) == 1 and lines[0]["level"] == "area"
    points = {p["framework"]: p for p in lines[0]["points"]}
    assert points[framework]["grade"] == _standing(rows)
    labels = [p["year_label"] for p in lines[0]["points"]]
    assert labels == sorted(labels)


def test_an_area_inspection_card_lists_its_areas_and_coverage(seeded) -> None:
    client, *_ = seeded
    cells = _cells()
    (framework, force, _), _rows = next(iter(cells.items()))
    inspection = next(
        i
        for i in client.get("/v1/inspections", params={"force": force}).json()["items"]
        if i["framework"]["id"] == framework
    )
    card = client.get(inspection["href"]).json()
    assert card["pillars"] == [] and card["findings_held"] is False
    graded = {a["area"]: a["judgment"]["grade"] for a in card["areas"] if a["judgment"]}
    assert graded == {k[2]: _standing(r) for k, r in cells.items() if k[:2] == (framework, force)}
    assert card["coverage"]["grades_known"] == len(graded)


def test_judgments_csv_carries_areas_and_provenance(seeded) -> None:
    client, *_ = seeded
    (framework, _, _), _rows = next(iter(_cells().items()))
    response = client.get(
        "/v1/judgments", params={"framework": framework, "level": "area", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(response.text.splitlines()))
    assert len(rows) == len([k for k in _cells() if k[0] == framework])
    assert all(r["area"] and r["source_url"] and r["source_kind"] for r in rows)


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("force_id", "atlantis", "unknown force"),
        ("framework", "peel-2099", "unknown framework"),
        ("area_id", "juggling", "is not an area"),
        ("grade", "superb", "unknown grade"),
        ("source_kind", "rumour", "unknown source_kind"),
        ("published", "2024-13", "is not YYYY"),
    ],
)
def test_a_bad_row_is_rejected_with_file_and_line_and_nothing_is_written(
    seeded, tmp_path: Path, column: str, value: str, message: str
) -> None:
    _client, engine, url, _ = seeded
    rows = csv_rows(AREA_GRADES)[:5]
    rows[3][column] = value
    bad = tmp_path / "bad-areas.csv"
    _write(bad, rows)
    before = dump(engine)
    result = run_cli("load", str(bad), database_url=url)
    assert result.returncode == 2
    assert f"{bad}:5:" in result.stderr and message in result.stderr
    assert dump(engine) == before


def test_two_grades_no_date_orders_are_an_error(seeded, tmp_path: Path) -> None:
    _client, engine, url, _ = seeded
    row = csv_rows(AREA_GRADES)[0]
    other = next(g for g in ("good", "inadequate") if g != row["grade"])
    rows = [row, {**row, "grade": other, "source_url": row["source_url"] + "#again"}]
    bad = tmp_path / "conflict.csv"
    _write(bad, rows)
    before = dump(engine)
    result = run_cli("load", str(bad), database_url=url)
    assert result.returncode == 2 and f"{bad}:3:" in result.stderr
    assert "no later date" in result.stderr
    assert dump(engine) == before


def test_the_change_feed_tells_of_the_grade_counts(seeded) -> None:
    client, *_ = seeded
    items = client.get("/v1/changes", params={"limit": 1000}).json()["items"]
    counted = [c for c in items if c["kind"] == "grade-counts.updated"]
    assert len(counted) == 1  # one file of counts, loaded once
    assert counted[0]["href"] == "/v1/frameworks"
    assert all(c["href"] for c in items)  # every change says where to read it now
