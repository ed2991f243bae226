"""Inspections and the report card."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from app.schemas.base import Ref, _Public
from app.schemas.judgments import Coverage, JudgmentBrief


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
