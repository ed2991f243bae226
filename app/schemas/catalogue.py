"""The reference catalogue: forces, frameworks, their grade scales, pillars and questions."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from app.schemas.base import _Public


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
