"""Public response models: what the API promises, apart from how the tables store it.

Enum-like values are lowercase slugs (`requires-improvement`, `area-for-improvement`).
Every grade travels with its `scale` (the framework whose grade scale it is on): grades
of different frameworks are not comparable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.ingest.document import ReportDocument

ItemKind = Literal["area-for-improvement", "cause-of-concern", "recommendation"]
SearchKind = Literal[
    "finding", "summary", "inspection", "area-for-improvement", "cause-of-concern", "recommendation"
]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Ref(_Public):
    """A reference to another resource: its id, its name and its URL."""

    id: str
    name: str | None = None
    href: str


# --- catalogue ---------------------------------------------------------------------


class ForcePublic(_Public):
    id: str = Field(description="The data.police.uk force id.", examples=["west-midlands"])
    name: str
    country: str
    kind: str = Field(description="'territorial' or 'special'.")
    inspections: str = Field(description="URL of the force's inspections.")
    history: str = Field(description="URL of the force's grade history.")


class GradePublic(_Public):
    id: str = Field(examples=["requires-improvement"])
    name: str
    rank: int | None = Field(description="1 = best; null = outside the scale (ungraded).")


class QuestionPublic(_Public):
    id: str
    name: str
    official_question: str
    pillar: str | None = Field(description="Null in frameworks organised in areas, not pillars.")
    position: int
    graded: bool
    aliases: list[str] = Field(description="Other names reports use for the question.")
    verified: bool = Field(description="False where only press coverage, not HMICFRS, says so.")
    source_url: str | None


class PillarPublic(_Public):
    id: str
    name: str
    position: int
    headline_question: str
    questions: list[QuestionPublic]


class FrameworkPublic(_Public):
    id: str = Field(examples=["peel-2018-19"])
    name: str
    year_label: str = Field(examples=["2018/19"])
    structure: Literal["pillars", "areas"]
    source_url: str
    href: str


class FrameworkDetail(FrameworkPublic):
    grades: list[GradePublic] = Field(description="The grade scale, best first; ungraded last.")
    pillars: list[PillarPublic]
    areas: list[QuestionPublic] = Field(description="Questions outside any pillar (areas).")


# --- judgments and the report card ----------------------------------------------------


SOURCE_KIND_HELP = (
    "The kind of source stating the grade: `report` (parsed from the report's text), "
    "`assessment-page` (an HMICFRS assessment page), `hmicfrs` (another HMICFRS page), "
    "`press-release`, `commissioner` (a police and crime commissioner's page), `force` (the "
    "force's own page), `panel-papers` (police and crime panel papers) or `news`."
)
SOURCE_DATE_HELP = (
    "The date the statement speaks for, as precise as the source gives it (YYYY, YYYY-MM "
    "or YYYY-MM-DD); null where it gives none."
)
Level = Literal["pillar", "question", "area"]


class CrossCheck(_Public):
    """Another source's word on the same judgment (a report wins over any page)."""

    source_url: str = Field(description="The other page that states a grade for it.")
    grade: str = Field(description="The grade that page states, on the same scale.")
    agrees: bool = Field(
        description="False: this page disagrees; the judgment's own grade (the report's) is kept."
    )
    source_kind: str | None = Field(description=SOURCE_KIND_HELP)
    source_date: str | None = Field(description=SOURCE_DATE_HELP)


class SupersededGrade(_Public):
    """An earlier grade of the same judgment, replaced by a later statement (a regrade)."""

    grade: str
    source_url: str
    source_kind: str | None = Field(description=SOURCE_KIND_HELP)
    source_date: str | None = Field(description=SOURCE_DATE_HELP)


class _Provenance(_Public):
    source_kind: str = Field(description=SOURCE_KIND_HELP)
    source_url: str | None = Field(description="The page that states this grade.")
    source_date: str | None = Field(description=SOURCE_DATE_HELP)
    cross_checks: list[CrossCheck] = Field(
        description="What other sources say of the same judgment (empty when none does)."
    )
    superseded: list[SupersededGrade] = Field(
        description="Earlier grades a later statement replaced, with their sources (oldest "
        "first; empty when none was)."
    )


class JudgmentPublic(_Provenance):
    id: str = Field(examples=["west-midlands-2018-19.protecting-vulnerable-people"])
    inspection: str
    force: str
    framework: str
    scale: str = Field(description="The framework whose grade scale `grade` is on.")
    level: Level = Field(
        description="What is graded: a pillar, a question of a pillar, or an area (frameworks "
        "from PEEL 2021/22 grade areas, not pillars)."
    )
    pillar: str | None = Field(description="Null for an area (no pillars in its framework).")
    question: str | None = Field(description="Null for a pillar-level or an area judgment.")
    area: str | None = Field(description="The area's id; null outside area frameworks.")
    name: str = Field(description="The name of the pillar, question or area graded.")
    grade: str = Field(examples=["requires-improvement"])
    grade_name: str = Field(examples=["Requires improvement"])
    grade_rank: int | None = Field(description="1 = best within `scale`; null when ungraded.")
    last_inspected: str | None = Field(examples=["2016"])
    carried_over: bool = Field(description="True when the grade comes from an earlier inspection.")
    carried_over_sentence: str | None = Field(
        description="The report's sentence saying the judgment was carried over."
    )


class JudgmentBrief(_Provenance):
    grade: str
    grade_rank: int | None
    last_inspected: str | None
    carried_over: bool
    carried_over_sentence: str | None


class CountStatement(_Public):
    """How many areas got each grade, as one page states it."""

    source_url: str
    areas_graded: int | None = Field(description="Null where the page does not say.")
    grades: dict[str, int] = Field(description="Areas per grade; a grade not stated is absent.")
    matches_known: bool | None = Field(
        description="Whether the grades known here agree with these counts; null where "
        "fewer grades are known than these counts cover (nothing to compare)."
    )


class Coverage(_Public):
    """How much of a force's inspection in an area framework is known here."""

    grades_known: int = Field(description="Areas whose grade a source held here states.")
    areas_graded: int | None = Field(
        description="How many areas were graded, where the count pages agree; else null."
    )
    distribution: dict[str, int] | None = Field(
        description="Areas per grade as the count pages state it (known even where the "
        "areas' own grades are not), where they agree; else null."
    )
    complete: bool = Field(description="Every graded area's grade is known here.")
    counts: list[CountStatement] = Field(description="Every count page, agreeing or not.")
    note: str


class ScopeEntryPublic(_Public):
    question: str
    label: str = Field(description="The area as the report's scope table names it.")
    inspected: bool


class QuestionCounts(_Public):
    findings: int
    areas_for_improvement: int
    causes_of_concern: int
    recommendations: int


class CardQuestion(_Public):
    question: str
    name: str
    heading: str | None = Field(description="The section heading as the report prints it.")
    page: int | None
    judgment: JudgmentBrief | None
    summary: list[str]
    counts: QuestionCounts
    findings: str = Field(description="URL of this question's findings.")
    recommendations: str = Field(description="URL of this question's boxed items.")


class CardArea(_Public):
    area: str
    name: str
    position: int
    graded: bool = Field(description="False for an area the framework inspects but never grades.")
    judgment: JudgmentBrief | None = Field(description="Null: no grade known here.")


class CardPillar(_Public):
    pillar: str
    name: str
    headline_question: str
    judgment: JudgmentBrief | None
    summary: list[str]
    questions: list[CardQuestion]


class InspectionPublic(_Public):
    id: str = Field(examples=["west-midlands-2018-19"])
    force: Ref
    framework: Ref
    year_label: str
    source_kind: str = Field(
        description="`report` (parsed from a published report's text), `assessment-page` "
        "(grades from HMICFRS assessment pages) or `grade-records` (grades from pages of "
        "several kinds, each judgment with its own)."
    )
    published: date | None
    source_url: str | None
    licence: str | None
    href: str


class InspectionCard(InspectionPublic):
    """The report card: everything the report grades, with links to the text behind it."""

    inspector: str | None
    observations: list[str] = Field(description="The HM Inspector's observations.")
    scope: list[ScopeEntryPublic] = Field(description="Which areas were inspected this round.")
    pillars: list[CardPillar] = Field(description="Empty in frameworks organised in areas.")
    areas: list[CardArea] = Field(description="Empty in frameworks organised in pillars.")
    coverage: Coverage | None = Field(
        description="For an inspection built from grade records in an area framework: how "
        "many areas were graded and how many of those grades are known here."
    )
    counts: QuestionCounts
    findings_held: bool = Field(
        description="False for an inspection built from assessment pages: grades only, no "
        "findings text (its findings and recommendations lists answer 404)."
    )
    findings: str = Field(description="URL of the inspection's findings.")
    recommendations: str = Field(description="URL of the inspection's boxed items.")


# --- findings, items, glossary ----------------------------------------------------------


class SourceLines(_Public):
    start: int
    end: int


class FindingPublic(_Public):
    id: str = Field(
        examples=["west-midlands-2018-19.protecting-vulnerable-people.responding-to-incidents"]
    )
    inspection: str
    force: str
    pillar: str | None
    question: str
    heading: str
    position: int = Field(description="Order of the section in the report.")
    page: int
    paragraphs: list[str]
    source_lines: SourceLines
    href: str


class CauseOfConcernRef(_Public):
    id: str
    text: str
    href: str


class ItemPublic(_Public):
    id: str
    kind: ItemKind
    inspection: str
    force: str
    pillar: str | None
    question: str
    position: int
    text: str
    page: int
    cause_of_concern: CauseOfConcernRef | None = Field(
        description="For a recommendation: the cause of concern it answers."
    )
    href: str


class CitationPublic(_Public):
    inspection: str
    section: str = Field(
        description="'observations', '<pillar>', '<question>' or '<question>/<finding key>'."
    )
    page: int
    finding: str | None = Field(description="The finding's id where the citation is in one.")


class GlossaryTermPublic(_Public):
    id: str
    term: str
    url: str = Field(description="The inspectorate's glossary entry.")
    citations: list[CitationPublic]


# --- history and search ------------------------------------------------------------------


class HistoryPoint(_Public):
    inspection: str
    framework: str
    scale: str
    year_label: str
    grade: str
    grade_rank: int | None
    last_inspected: str | None
    carried_over: bool
    carried_over_from: str | None = Field(
        description="For a carried-over grade: the id of the earlier inspection it comes from, "
        "when that inspection is held."
    )
    comparable_with_previous: bool | None = Field(
        description="False where the previous point's grade is on another scale; null first."
    )
    source_kind: str
    source_url: str | None
    source_date: str | None = Field(description=SOURCE_DATE_HELP)
    cross_checks: list[CrossCheck]
    superseded: list[SupersededGrade]


class HistoryLine(_Public):
    level: Level
    pillar: str | None
    question: str | None
    area: str | None
    name: str
    points: list[HistoryPoint]


class HistoryInspection(_Public):
    id: str
    framework: str
    year_label: str
    source_kind: str = Field(description="`report`, `assessment-page` or `grade-records`.")
    source_url: str | None
    href: str


class ForceHistory(_Public):
    force: Ref
    note: str = Field(description="How to read grades across frameworks.")
    inspections: list[HistoryInspection] = Field(description="Oldest first, with sources.")
    lines: list[HistoryLine]


class GridCell(_Public):
    grade: str | None = Field(description="Null: not available or not inspected.")
    grade_rank: int | None
    status: Literal["graded", "not-available", "not-inspected"] = Field(
        description="`graded`; `not-available`: no source held here states the grade (not "
        "known here, never guessed); `not-inspected`: the framework did not inspect the force."
    )
    source_url: str | None
    source_kind: str | None = Field(description=SOURCE_KIND_HELP)
    source_date: str | None = Field(description=SOURCE_DATE_HELP)
    inspection: str | None


class GridRow(_Public):
    force: Ref
    pillars: dict[str, GridCell] = Field(description="By pillar id (pillar frameworks).")
    areas: dict[str, GridCell] = Field(description="By area id (area frameworks).")
    coverage: Coverage | None = Field(
        description="Area frameworks: how many of the force's area grades are known here, "
        "and the distribution as count pages state it."
    )
    not_inspected: str | None = Field(
        description="Why the framework did not inspect this force, with its source; else null."
    )


class FrameworkGrades(_Public):
    """Every force's pillar (or area) grades in one framework, and how they are distributed."""

    framework: Ref
    scale: str
    structure: Literal["pillars", "areas"]
    note: str
    pillars: list[str] = Field(description="The columns of a pillar framework.")
    areas: list[str] = Field(description="The graded areas of an area framework.")
    distribution: dict[str, dict[str, int]] = Field(
        description="Per pillar or area: forces per grade, `not-available` and `not-inspected`."
    )
    forces: list[GridRow]


class ForceCycle(_Public):
    """What is known of one force in one framework."""

    framework: Ref
    year_label: str
    status: Literal["graded", "grades-not-known", "not-known-here", "not-inspected"] = Field(
        description="`graded`: grades held (see `grades_known`); `grades-not-known`: a page "
        "says the force was inspected and how it was graded overall, but no grade of an area "
        "is known here; `not-known-here`: nothing held says; `not-inspected`: the framework "
        "did not inspect the force (`reason`)."
    )
    inspection: str | None = Field(description="URL of the inspection, where one is held.")
    grades_known: int
    coverage: Coverage | None
    reason: str | None = Field(description="For `not-inspected`: why, and its source.")


class LatestGrades(_Public):
    """A force's latest inspection in one family of frameworks, with every grade."""

    family: Literal["pillars", "areas"] = Field(
        description="`pillars`: PEEL 2014 to 2018/19; `areas`: PEEL 2021/22 on. Grades of "
        "different frameworks are not comparable."
    )
    framework: Ref
    year_label: str
    inspection: Ref
    source_kind: str
    findings_held: bool
    coverage: Coverage | None
    judgments: list[JudgmentPublic]


class ForceDetail(ForcePublic):
    latest: list[LatestGrades] = Field(
        description="The latest inspection of each family of frameworks (areas first), "
        "with its grades and their sources: a force's current grades in one call."
    )
    cycles: list[ForceCycle] = Field(
        description="Every framework, newest first: graded, inspected with no grade known "
        "here, not known here, or not inspected."
    )


class SearchHitPublic(_Public):
    kind: SearchKind
    id: str = Field(description="The id of the finding, summary or item that matched.")
    inspection: str
    force: str
    pillar: str | None
    question: str | None
    title: str
    snippet: str = Field(description="Matching text with hits between <mark> and </mark>.")
    score: float = Field(description="Higher is better; comparable within one response.")
    href: str | None


class SearchResults(_Public):
    query: str
    count: int
    limit: int
    offset: int
    next: str | None
    previous: str | None
    items: list[SearchHitPublic]
    facets: dict[str, dict[str, int]] = Field(
        description="Counts of all matches by kind, pillar, question and grade."
    )


class Health(_Public):
    status: Literal["ok", "unavailable"]
    detail: str | None = None
    data_version: int | None = None


# --- imports and the change feed ---------------------------------------------------------


class ImportRequest(BaseModel):
    """A report and what is known of it; only `text` is required."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=16 * 1024 * 1024, description="The report's text.")
    force: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")
    framework: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")
    published: date | None = None
    source_url: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=200, pattern=r"^[\w.\-]+$")


class TableChange(_Public):
    before: int
    after: int


class ImportResult(_Public):
    inspection: str
    href: str
    status: Literal["created", "replaced", "unchanged"] = Field(
        description="What the import did (or, in a dry run, would do)."
    )
    dry_run: bool
    data_version: int = Field(description="The data version the inspection is at.")
    changes: dict[str, TableChange] = Field(description="Rows per table, before and after.")
    document: ReportDocument | None = Field(
        description="In a dry run: the parsed document that would be loaded."
    )


class ChangePublic(_Public):
    cursor: str = Field(description="Opaque; send it back as `since` to get what follows.")
    version: int = Field(description="The data version this change made.")
    kind: Literal[
        "inspection.created",
        "inspection.replaced",
        "inspection.removed",
        "catalogue.updated",
        "grade-counts.updated",
    ]
    inspection: str | None
    occurred_at: datetime
    href: str | None = Field(description="Where to read the changed resource now.")


class ChangeFeed(_Public):
    items: list[ChangePublic]
    cursor: str = Field(description="Store this; the next call's `since`.")
    next: str | None = Field(description="URL of the following changes, when there are more.")
    data_version: int = Field(description="The current data version.")


class GradeImportInspections(_Public):
    created: list[str] = Field(description="Inspections built from the file's records.")
    replaced: list[str] = Field(description="Inspections the records rebuilt.")
    unchanged: list[str] = Field(
        description="Inspections already built from the same records, or held from a report "
        "(whose grades stand; the records are stored as checks beside them)."
    )


class GradeImportResult(_Public):
    """What a grade-record (or grade-count) CSV did, or in a dry run would do."""

    kind: Literal["grade-records", "grade-counts"] = Field(
        description="The file's kind, told by its header: grades, or counts of grades."
    )
    file: str = Field(description="The name the file is stored under (`filename`).")
    status: Literal["created", "replaced", "unchanged"] = Field(
        description="What the import did (or, in a dry run, would do): `created` if it built "
        "an inspection (or stored counts for a new file), `replaced` if it changed stored "
        "data, `unchanged` if nothing changed."
    )
    dry_run: bool
    data_version: int = Field(description="The data version after the import.")
    records: int = Field(description="Grades (or rows of counts) the file holds.")
    inspections: GradeImportInspections
    checked: int = Field(
        description="Grades compared with a report's judgments (the report's grades stand)."
    )
    warnings: list[str] = Field(
        description="Sources that disagree (`FILE:LINE: ...`): a report and a page, or "
        "counts and the grades known. Both are kept; check them."
    )
