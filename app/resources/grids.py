"""One framework's national grid: every force's pillar (or area) grades, with sources."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import Framework, Grade, Judgment
from app.resources.judgments import coverage
from app.resources.urls import urls
from app.services import comparison
from app.services.comparison import FrameworkGrid
from app.services.coverage import CoverageFacts

NOT_AVAILABLE = "not-available"
NOT_INSPECTED = "not-inspected"


def _cell(found: tuple[Judgment, Grade] | None, status: str) -> schemas.GridCell:
    if found is None:
        return schemas.GridCell(
            grade=None,
            grade_rank=None,
            status=status,
            source_url=None,
            source_kind=None,
            source_date=None,
            inspection=None,
        )
    judged, grade = found
    return schemas.GridCell(
        grade=grade.id,
        grade_rank=grade.rank,
        status="graded",
        source_url=judged.source_url,
        source_kind=judged.source_kind,
        source_date=judged.source_date,
        inspection=judged.inspection_id,
    )


def framework_grades(grid: FrameworkGrid) -> schemas.FrameworkGrades:
    """The force x pillar (or area) grid; a cell no source states is `not-available`,
    never guessed; a force the framework did not inspect is `not-inspected`."""
    framework = grid.framework
    areas = framework.structure == "areas"
    units = [q.id for q in grid.areas if q.graded] if areas else [p.id for p in grid.pillars]
    outside = {o["force"]: o for o in framework.outside_scope or []}
    distribution = {
        u: {**{g.id: 0 for g in grid.grades}, NOT_AVAILABLE: 0, NOT_INSPECTED: 0} for u in units
    }
    rows = []
    for force_row in grid.forces:
        excluded = outside.get(force_row.id)
        cells = {}
        for unit in units:
            cell = _cell(
                grid.cells.get((force_row.id, unit)), NOT_INSPECTED if excluded else NOT_AVAILABLE
            )
            cells[unit] = cell
            distribution[unit][cell.grade or cell.status] += 1
        facts = grid.coverage.get(force_row.id, CoverageFacts())
        rows.append(
            schemas.GridRow(
                force=schemas.Ref(
                    id=force_row.id, name=force_row.name, href=urls.force(force_row.id)
                ),
                pillars={} if areas else cells,
                areas=cells if areas else {},
                coverage=coverage(facts) if areas and not excluded else None,
                not_inspected=f"{excluded['reason']} ({excluded['source_url']})"
                if excluded
                else None,
            )
        )
    return schemas.FrameworkGrades(
        framework=schemas.Ref(
            id=framework.id, name=framework.name, href=urls.framework(framework.id)
        ),
        scale=framework.id,
        structure=framework.structure,
        note="Grades are on this framework's scale only: never compare them with another "
        "framework's. `not-available`: no source held here states the grade (not known "
        "here, never guessed); `not-inspected`: the framework did not inspect the force.",
        pillars=[] if areas else units,
        areas=units if areas else [],
        distribution=distribution,
        forces=rows,
    )


def grades_of(session: Session, framework: Framework) -> schemas.FrameworkGrades:
    """`GET /v1/frameworks/{id}/grades`: the grid as the API answers it."""
    return framework_grades(comparison.framework_grid(session, framework))


# --- the grid as a spreadsheet ---------------------------------------------------------------

CELL_COLUMNS = ("grade_name", "status", "source_url")
COVERAGE_COLUMNS = ("grades_known", "areas_graded", "complete", "note")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def grid_table(
    grades: schemas.FrameworkGrades, grade_names: dict[str, str], base_url: str = ""
) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the grid for a spreadsheet: one row per force; per pillar or area
    a column holding the grade's slug (named by the unit's id), then its `<unit>.grade_name`,
    `<unit>.status` and `<unit>.source_url`; in area frameworks the force's coverage; and
    why the framework did not inspect the force. `force.href` is absolute over `base_url`."""
    areas = grades.structure == "areas"
    units = grades.areas if areas else grades.pillars
    header = ["force", "force.name", "force.href"]
    for unit in units:
        header += [unit, *(f"{unit}.{column}" for column in CELL_COLUMNS)]
    if areas:
        header += [f"coverage.{column}" for column in COVERAGE_COLUMNS]
    header.append("not_inspected")
    rows = []
    for force_row in grades.forces:
        cells = force_row.areas if areas else force_row.pillars
        row = [force_row.force.id, force_row.force.name or "", base_url + force_row.force.href]
        for unit in units:
            cell = cells[unit]
            name = grade_names.get(cell.grade) if cell.grade else None
            row += [_text(cell.grade), _text(name), cell.status, _text(cell.source_url)]
        if areas:
            facts = force_row.coverage
            row += [_text(getattr(facts, column, None)) for column in COVERAGE_COLUMNS]
        row.append(_text(force_row.not_inspected))
        rows.append(row)
    return header, rows


def grades_table(
    session: Session, framework: Framework, base_url: str = ""
) -> tuple[list[str], list[list[str]]]:
    """`GET /v1/frameworks/{id}/grades?format=csv`: the same grid (read once) as a table,
    the grade names from the framework's scale."""
    grid = comparison.framework_grid(session, framework)
    names = {grade.id: grade.name for grade in grid.grades}
    return grid_table(framework_grades(grid), names, base_url)
