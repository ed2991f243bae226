"""Judgments: a grade with its provenance (source, cross-checks, regrades), and the
coverage of area frameworks (how many grades are known here)."""

from __future__ import annotations

from pydantic import Field

from app.schemas.base import SOURCE_DATE_HELP, SOURCE_KIND_HELP, Level, _Public

GRADE_HELP = (
    "Null: carried over from an earlier inspection (`last_inspected`) whose grade no source "
    "held here states."
)
LAST_INSPECTED_HELP = (
    "The year the grade was given: the framework's own year, or an earlier one for a "
    "carried-over grade. Null where no source held here says."
)
CARRIED_OVER_HELP = (
    "True: the grade comes from an earlier inspection (`last_inspected`); false: given in "
    "this framework's inspection; null: no source held here says either way (not a claim "
    "that it was inspected this round)."
)


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
    grade: str | None = Field(description=GRADE_HELP, examples=["requires-improvement"])
    grade_name: str | None = Field(examples=["Requires improvement"])
    grade_rank: int | None = Field(description="1 = best within `scale`; null when ungraded.")
    last_inspected: str | None = Field(description=LAST_INSPECTED_HELP, examples=["2016"])
    carried_over: bool | None = Field(description=CARRIED_OVER_HELP)
    carried_over_sentence: str | None = Field(
        description="The report's sentence saying the judgment was carried over."
    )


class JudgmentBrief(_Provenance):
    grade: str | None = Field(description=GRADE_HELP)
    grade_rank: int | None
    last_inspected: str | None = Field(description=LAST_INSPECTED_HELP)
    carried_over: bool | None = Field(description=CARRIED_OVER_HELP)
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
