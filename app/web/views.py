"""What the home, framework and force pages show, built from the same services and
public models as the JSON they link to (so the two never disagree)."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from app import schemas
from app.ingest.ids import child_id
from app.models import ITEM_KINDS, Force, Framework, Grade
from app.resources import findings as findings_resource
from app.resources import grids
from app.resources.urls import urls
from app.services import catalogue, comparison, inspections
from app.services import findings as findings_service
from app.services.inspections import InspectionRow
from app.services.search import Hit

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
    units: dict[str, str]  # graded area (pillar, or question) id -> name, in order
    grades: list[Grade]
    areas: bool

    @property
    def unit_word(self) -> str:
        return self.public.level

    @property
    def grade_names(self) -> dict[str, str]:
        return {g.id: g.name for g in self.grades}

    @property
    def held(self) -> bool:
        """Whether any cell holds a judgment (a grade, or a page's word on it)."""
        return any(
            cell.inspection for row in self.public.forces for cell in self.cells(row).values()
        )

    def cells(self, row: schemas.GridRow) -> dict[str, schemas.GridCell]:
        return {"area": row.areas, "question": row.questions}.get(self.unit_word, row.pillars)


def framework_grid(session: Session, framework: Framework, level: str | None = None) -> Grid:
    grid = comparison.framework_grid(session, framework, level)
    public = grids.framework_grades(grid)
    names = {
        "area": {q.id: q.name for q in grid.areas},
        "question": {q.id: q.name for q in grid.questions},
    }.get(grid.level, {p.id: p.name for p in grid.pillars})
    units = {"area": public.areas, "question": public.questions}.get(grid.level, public.pillars)
    return Grid(framework, public, {u: names[u] for u in units}, grid.grades, grid.level == "area")


def framework_grids(session: Session, framework: Framework) -> list[Grid]:
    """A framework page's grids: its pillars, then its questions where any is held; or
    its areas."""
    if framework.structure == "areas":
        return [framework_grid(session, framework)]
    questions = framework_grid(session, framework, "question")
    return [framework_grid(session, framework), *([questions] if questions.held else [])]


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


# --- downloads ----------------------------------------------------------------------------


@dataclass
class Download:
    """What a page shows, as the API answers it: JSON, and CSV where the API has it."""

    what: str
    json: str
    csv: str | None = None


def list_download(what: str, json_url: str) -> Download:
    """A list the API answers as JSON or, with `format=csv`, CSV."""
    joiner = "&" if "?" in json_url else "?"
    return Download(what, json_url, f"{json_url}{joiner}format=csv")


def card_downloads(card: schemas.InspectionCard) -> list[Download]:
    found = [
        Download("This report card", card.href),
        list_download("Its grades", urls.judgments(inspection=card.id)),
    ]
    if card.findings_held:
        found += [
            list_download("Its findings", card.findings),
            list_download(
                "Its areas for improvement, causes of concern and recommendations",
                card.recommendations,
            ),
        ]
    return found


def grid_downloads(framework_id: str, levels: list[str] | None = None) -> list[Download]:
    """The grids' JSON and CSV: the framework's default level, then each other `levels`."""
    grades = urls.framework_grades(framework_id)
    others = [
        Download(
            f"Every force's {level} grades",
            f"{grades}?level={level}",
            f"{grades}?level={level}&format=csv",
        )
        for level in levels or []
    ]
    return [
        Download("Every force's grades", grades, f"{grades}?format=csv"),
        *others,
        Download("The framework", urls.framework(framework_id)),
    ]


# --- findings on the report card ----------------------------------------------------------

ITEM_GROUPS = (
    ("area-for-improvement", "areas-for-improvement", "Areas for improvement"),
    ("cause-of-concern", "causes-of-concern", "Causes of concern"),
    ("recommendation", "recommendations", "Recommendations"),
)
FINDINGS_PART = "findings"
MAX_ROWS = 10_000  # a report holds a few hundred at most


@dataclass
class ItemGroup:
    kind: str
    part: str  # the anchor's group name
    title: str
    items: list[schemas.ItemPublic]


@dataclass
class QuestionFindings:
    question: schemas.CardQuestion
    summary_id: str  # the API id of the question's summary section: its anchor
    findings: list[schemas.FindingPublic]
    groups: list[ItemGroup]

    @property
    def anchor(self) -> str:
        return urls.anchor(self.summary_id)

    def part_anchor(self, part: str) -> str:
        return urls.anchor(self.summary_id, part)

    @property
    def empty(self) -> bool:
        return not self.findings and not any(g.items for g in self.groups)


@dataclass
class PillarFindings:
    pillar: schemas.CardPillar
    summary_id: str
    questions: list[QuestionFindings]

    @property
    def anchor(self) -> str:
        return urls.anchor(self.summary_id)


def count_anchors(card: schemas.InspectionCard) -> dict[str, dict[str, str]]:
    """question -> group -> the card page's anchor for it (what the counts link to)."""
    parts = [FINDINGS_PART, *(part for _, part, _ in ITEM_GROUPS)]
    return {
        q.question: {part: urls.anchor(child_id(card.id, q.question), part) for part in parts}
        for p in card.pillars
        for q in p.questions
    }


def card_findings(session: Session, card: schemas.InspectionCard) -> list[PillarFindings]:
    """Each pillar's questions with their findings sections and boxed items, in report
    order, as the JSON lists state them; empty when the card holds no findings text."""
    if not card.findings_held:
        return []
    filters = findings_service.Filters(inspection=card.id)
    order = [("position", False)]
    finding_rows, _ = findings_service.list_findings(
        session, filters, sort=order, limit=MAX_ROWS, offset=0
    )
    item_rows, _ = findings_service.list_items(
        session, filters, sort=order, limit=MAX_ROWS, offset=0
    )
    by_question: dict[str, list[schemas.FindingPublic]] = {}
    for row in finding_rows:
        public = findings_resource.finding(row)
        by_question.setdefault(public.question, []).append(public)
    items: dict[tuple[str, str], list[schemas.ItemPublic]] = {}
    for row in item_rows:
        public = findings_resource.item(row)
        items.setdefault((public.question, public.kind), []).append(public)
    return [
        PillarFindings(
            pillar,
            child_id(card.id, pillar.pillar),
            [
                QuestionFindings(
                    q,
                    child_id(card.id, q.question),
                    by_question.get(q.question, []),
                    [
                        ItemGroup(kind, part, title, items.get((q.question, kind), []))
                        for kind, part, title in ITEM_GROUPS
                    ],
                )
                for q in pillar.questions
            ],
        )
        for pillar in card.pillars
    ]


def hit_page(hit: Hit) -> str:
    """Where a search hit is shown: its place on the report card page."""
    if hit.kind == "finding" or hit.kind == "summary" or hit.kind in ITEM_KINDS:
        return urls.inspection_page_at(hit.inspection, hit.ref_id)
    if hit.kind == "inspection":
        return f"{urls.inspection_page(hit.inspection)}#{OBSERVATIONS}"
    return urls.inspection_page(hit.inspection)


OBSERVATIONS = "observations"


# --- what a client asks for -----------------------------------------------------------------


def _quality(accept: str, media_type: str) -> float:
    """The q the Accept header gives `media_type` (its most specific matching range)."""
    main = media_type.split("/")[0]
    best = (-1, 0.0)
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        specificity = {media_type: 2, f"{main}/*": 1, "*/*": 0}.get(media)
        if specificity is None or specificity <= best[0]:
            continue
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        best = (specificity, quality)
    return best[1]


def wants_html(accept: str | None) -> bool:
    """A browser: it prefers HTML to JSON (`*/*` alone, or no header, is an API client)."""
    if not accept:
        return False
    return _quality(accept, "text/html") > _quality(accept, "application/json")


# --- the list pages ------------------------------------------------------------------------


@dataclass
class ForceInspections:
    force: Force
    inspections: list[InspectionRow]


def inspections_by_force(session: Session) -> list[ForceInspections]:
    """Every force (by name) with its inspections held, newest framework first."""
    forces, _ = catalogue.list_forces(session, sort=[("name", False)], limit=MAX_ROWS, offset=0)
    rows, _ = inspections.list_inspections(
        session, sort=[("framework", True)], limit=MAX_ROWS, offset=0
    )
    held: dict[str, list[InspectionRow]] = {}
    for row in rows:
        held.setdefault(row.force.id, []).append(row)
    return [ForceInspections(force, held.get(force.id, [])) for force in forces]
