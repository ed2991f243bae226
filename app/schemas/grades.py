"""Grades across inspections: a force's history, one framework's force x pillar (or area)
grid, and a force's current grades in every cycle."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.schemas.base import SOURCE_DATE_HELP, SOURCE_KIND_HELP, Level, Ref, _Public
from app.schemas.catalogue import ForcePublic
from app.schemas.judgments import (
    CARRIED_OVER_HELP,
    GRADE_HELP,
    LAST_INSPECTED_HELP,
    Coverage,
    CrossCheck,
    JudgmentPublic,
    SupersededGrade,
)


class HistoryPoint(_Public):
    inspection: str
    framework: str
    scale: str
    year_label: str
    grade: str | None = Field(description=GRADE_HELP)
    grade_rank: int | None
    last_inspected: str | None = Field(description=LAST_INSPECTED_HELP)
    carried_over: bool | None = Field(description=CARRIED_OVER_HELP)
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
    carried_over: bool | None = Field(
        description="Questions: true where a source says the grade (known or not) was carried "
        "over from an earlier inspection (`last_inspected`); null where none held here says "
        "either way. Pillars and areas: false where graded."
    )
    last_inspected: str | None = Field(description=LAST_INSPECTED_HELP)
    source_url: str | None
    source_kind: str | None = Field(description=SOURCE_KIND_HELP)
    source_date: str | None = Field(description=SOURCE_DATE_HELP)
    inspection: str | None


class GridRow(_Public):
    force: Ref
    pillars: dict[str, GridCell] = Field(description="By pillar id (pillar frameworks).")
    questions: dict[str, GridCell] = Field(
        description="By question id (`level=question`, pillar frameworks)."
    )
    areas: dict[str, GridCell] = Field(description="By area id (area frameworks).")
    coverage: Coverage | None = Field(
        description="Area frameworks: how many of the force's area grades are known here, "
        "and the distribution as count pages state it."
    )
    not_inspected: str | None = Field(
        description="Why the framework did not inspect this force, with its source; else null."
    )


class FrameworkGrades(_Public):
    """Every force's pillar (question, or area) grades in one framework, and how they are
    distributed."""

    framework: Ref
    scale: str
    structure: Literal["pillars", "areas"]
    level: Level = Field(description="What the grid's columns grade.")
    note: str
    pillars: list[str] = Field(description="The columns of a pillar framework.")
    questions: list[str] = Field(
        description="The columns at `level=question`: the framework's graded questions."
    )
    areas: list[str] = Field(description="The graded areas of an area framework.")
    distribution: dict[str, dict[str, int]] = Field(
        description="Per pillar, question or area: forces per grade, `not-available` and "
        "`not-inspected`."
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
