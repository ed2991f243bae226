"""The text behind the grades: findings sections, boxed items, glossary terms."""

from __future__ import annotations

from pydantic import Field

from app.schemas.base import ItemKind, _Public


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
