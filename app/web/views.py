"""What the home, framework and force pages show, built from the same services and
public models as the JSON they link to (so the two never disagree)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app import schemas
from app.models import Force, Framework, Grade
from app.resources import grids
from app.services import catalogue, comparison, inspections
from app.services.inspections import InspectionRow

NOT_COMPARABLE = (
    "Grades of different inspection cycles are on different frameworks and scales: "
    "they are not comparable with each other."
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def when(value: str | date | None) -> str:
    """'2023-10' -> 'October 2023', '2022-08-19' -> '19 August 2022'; else as given."""
    if value is None:
        return ""
    if isinstance(value, date):
        value = value.isoformat()
    found = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value)
    if not found or (found.group(2) and not 1 <= int(found.group(2)) <= 12):
        return value
    year, month, day = found.groups()
    if month is None:
        return year
    named = f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {named}" if day else named


def coverage_short(coverage: schemas.Coverage | None) -> str:
    """'6 of 9 known' where the count pages agree on how many were graded."""
    if coverage is None:
        return ""
    known = coverage.grades_known
    if coverage.areas_graded is None:
        return f"{known or 'none'} known; how many graded not stated"
    short = f"{min(known, coverage.areas_graded)} of {coverage.areas_graded} known"
    if any(c.matches_known is False for c in coverage.counts):
        short += " (sources disagree)"
    return short


def legend(scales: list[list[Grade]]) -> list[Grade]:
    """One entry per grade word across the scales shown (scales share their words)."""
    seen: dict[str, Grade] = {}
    for grades in scales:
        for grade in grades:
            seen.setdefault(grade.id, grade)
    return sorted(seen.values(), key=lambda g: (g.rank is None, g.rank or 0, g.position))


@dataclass
class Grid:
    """One framework's grid as the JSON states it, with the names a page needs."""

    framework: Framework
    public: schemas.FrameworkGrades
    units: dict[str, str]  # graded area (or pillar) id -> name, in order
    grades: list[Grade]
    areas: bool

    @property
    def unit_word(self) -> str:
        return "area" if self.areas else "pillar"

    @property
    def grade_names(self) -> dict[str, str]:
        return {g.id: g.name for g in self.grades}

    def cells(self, row: schemas.GridRow) -> dict[str, schemas.GridCell]:
        return row.areas if self.areas else row.pillars


def framework_grid(session: Session, framework: Framework) -> Grid:
    grid = comparison.framework_grid(session, framework)
    public = grids.framework_grades(grid)
    areas = framework.structure == "areas"
    names = {q.id: q.name for q in grid.areas} if areas else {p.id: p.name for p in grid.pillars}
    units = public.areas if areas else public.pillars
    return Grid(framework, public, {u: names[u] for u in units}, grid.grades, areas)


@dataclass
class HomeRow:
    force: Force
    inspection: InspectionRow | None
    grid_row: schemas.GridRow
    date: str  # of the latest statement of its grades, or the inspection's publication
    outside: list[str]  # newer frameworks that did not inspect the force


@dataclass
class HomeTable:
    grid: Grid
    rows: list[HomeRow] = field(default_factory=list)


def _outside(framework: Framework, force_id: str) -> bool:
    return any(o["force"] == force_id for o in framework.outside_scope or [])


def home_tables(session: Session) -> tuple[list[HomeTable], list[Force]]:
    """One table per framework (newest first) of the forces whose latest inspection held
    is of it; a force with none, outside a framework's scope, is listed in that
    framework's table as not inspected; the others are returned apart (nothing held)."""
    forces, _ = catalogue.list_forces(session, sort=[("name", False)], limit=1000, offset=0)
    frameworks, _ = catalogue.list_frameworks(
        session, sort=[("year_label", True)], limit=100, offset=0
    )
    latest = inspections.latest_by_force(session)
    placed: dict[str, Framework] = {}
    nothing: list[Force] = []
    for force in forces:
        entry = latest.get(force.id)
        if entry is not None:
            placed[force.id] = entry.row.framework
            continue
        framework = next((f for f in frameworks if _outside(f, force.id)), None)
        if framework is None:
            nothing.append(force)
        else:
            placed[force.id] = framework
    tables: list[HomeTable] = []
    for framework in frameworks:
        members = [f for f in forces if f.id in placed and placed[f.id].id == framework.id]
        if not members:
            continue
        table = HomeTable(framework_grid(session, framework))
        rows = {row.force.id: row for row in table.grid.public.forces}
        for force in members:
            entry = latest.get(force.id)
            row = rows[force.id]
            dates = [c.source_date for c in table.grid.cells(row).values() if c.source_date]
            published = entry.row.inspection.published if entry else None
            table.rows.append(
                HomeRow(
                    force=force,
                    inspection=entry.row if entry else None,
                    grid_row=row,
                    date=when(max(dates) if dates else published),
                    outside=[
                        f.name
                        for f in frameworks
                        if f.year_label > framework.year_label and _outside(f, force.id)
                    ],
                )
            )
        tables.append(table)
    return tables, nothing


@dataclass
class Timeline:
    """One family of a force's history (pillars; areas): its inspections and lines."""

    family: str
    inspections: list[schemas.HistoryInspection]
    lines: list[schemas.HistoryLine]
    subjects: dict[str, set[str]]  # inspection id -> the pillars (or areas) of its framework


def timelines(
    session: Session, history: schemas.ForceHistory, held: list[InspectionRow]
) -> tuple[list[Timeline], dict[tuple[str, str], str]]:
    """The pillar years and the area years as two tables (their subjects differ), and
    grade names by (framework, grade)."""
    structure = {row.framework.id: row.framework.structure for row in held}
    names: dict[tuple[str, str], str] = {}
    subjects: dict[str, set[str]] = {}
    for row in held:
        grades, pillars, questions = catalogue.framework_catalogue(session, row.framework.id)
        names.update({(g.framework_id, g.id): g.name for g in grades})
        if row.framework.structure == "areas":
            subjects[row.inspection.id] = {q.id for q in questions if q.pillar_id is None}
        else:
            subjects[row.inspection.id] = {p.id for p in pillars}
    found = []
    for family, level in (("pillars", "pillar"), ("areas", "area")):
        held_here = [i for i in history.inspections if structure.get(i.framework) == family]
        lines = [line for line in history.lines if line.level == level]
        if held_here and lines:
            found.append(Timeline(family, held_here, lines, subjects))
    return found, names
