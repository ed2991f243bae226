"""One framework's national grid: every force's pillar (question, or area) grades, with
sources."""

from __future__ import annotations

from sqlmodel import Session

from app import schemas
from app.models import Framework, Grade, Judgment
from app.resources.judgments import coverage
from app.resources.urls import urls
from app.services import comparison, judgments
from app.services.comparison import FrameworkGrid
from app.services.coverage import CoverageFacts

NOT_AVAILABLE = judgments.NOT_AVAILABLE
NOT_INSPECTED = "not-inspected"


def _cell(found: tuple[Judgment, Grade | None] | None, status: str) -> schemas.GridCell:
    if found is None:
        return schemas.GridCell(
            grade=None,
            grade_rank=None,
            status=status,
            carried_over=None,
            last_inspected=None,
            source_url=None,
            source_kind=None,
            source_date=None,
            inspection=None,
        )
    judged, grade = found
    # A page saying the grade was carried over without stating it: not available, with
    # what the page does say (carried over, from when) and the page.
    return schemas.GridCell(
        grade=grade.id if grade else None,
        grade_rank=grade.rank if grade else None,
        status="graded" if grade else NOT_AVAILABLE,
        carried_over=judged.carried_over,
        last_inspected=judged.last_inspected,
        source_url=judged.source_url,
        source_kind=judged.source_kind,
        source_date=judged.source_date,
        inspection=judged.inspection_id,
    )


def framework_grades(grid: FrameworkGrid) -> schemas.FrameworkGrades:
    """The force x pillar (question, or area) grid; a cell no source states is
    `not-available`, never guessed; a force the framework did not inspect is
    `not-inspected`."""
    framework = grid.framework
    areas = framework.structure == "areas"
    units = {
        "area": [q.id for q in grid.areas if q.graded],
        "question": [q.id for q in grid.questions],
        "pillar": [p.id for p in grid.pillars],
    }[grid.level]
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
                pillars=cells if grid.level == "pillar" else {},
                questions=cells if grid.level == "question" else {},
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
        level=grid.level,
        note="Grades are on this framework's scale only: never compare them with another "
        "framework's. `not-available`: no source held here states the grade (not known "
        "here, never guessed); `not-inspected`: the framework did not inspect the force."
        + (QUESTION_NOTE if grid.level == "question" else ""),
        pillars=units if grid.level == "pillar" else [],
        questions=units if grid.level == "question" else [],
        areas=units if areas else [],
        distribution=distribution,
        forces=rows,
    )


QUESTION_NOTE = (
    " A question's `carried_over` is true where a page says its grade was carried over from "
    "an earlier inspection (`last_inspected`), and null where no page held here says either "
    "way: that is not a claim it was inspected this round."
)


def grades_of(
    session: Session, framework: Framework, level: str | None = None
) -> schemas.FrameworkGrades:
    """`GET /v1/frameworks/{id}/grades`: the grid as the API answers it."""
    return framework_grades(comparison.framework_grid(session, framework, level))


# --- the grid as a spreadsheet ---------------------------------------------------------------

CELL_COLUMNS = ("grade_name", "status", "source_url")
QUESTION_COLUMNS = ("grade_name", "status", "carried_over", "last_inspected", "source_url")
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
    questions = grades.level == "question"
    units = grades.areas if areas else (grades.questions if questions else grades.pillars)
    columns = QUESTION_COLUMNS if questions else CELL_COLUMNS
    header = ["force", "force.name", "force.href"]
    for unit in units:
        header += [unit, *(f"{unit}.{column}" for column in columns)]
    if areas:
        header += [f"coverage.{column}" for column in COVERAGE_COLUMNS]
    header.append("not_inspected")
    rows = []
    for force_row in grades.forces:
        cells = (
            force_row.areas if areas else force_row.questions if questions else force_row.pillars
        )
        row = [force_row.force.id, force_row.force.name or "", base_url + force_row.force.href]
        for unit in units:
            cell = cells[unit]
            values = {
                "grade_name": grade_names.get(cell.grade) if cell.grade else None,
                **cell.model_dump(include={"status", "carried_over", "last_inspected"}),
                "source_url": cell.source_url,
            }
            row += [_text(cell.grade), *(_text(values[column]) for column in columns)]
        if areas:
            facts = force_row.coverage
            row += [_text(getattr(facts, column, None)) for column in COVERAGE_COLUMNS]
        row.append(_text(force_row.not_inspected))
        rows.append(row)
    return header, rows


def grades_table(
    session: Session, framework: Framework, base_url: str = "", level: str | None = None
) -> tuple[list[str], list[list[str]]]:
    """`GET /v1/frameworks/{id}/grades?format=csv`: the same grid (read once) as a table,
    the grade names from the framework's scale."""
    grid = comparison.framework_grid(session, framework, level)
    names = {grade.id: grade.name for grade in grid.grades}
    return grid_table(framework_grades(grid), names, base_url)
