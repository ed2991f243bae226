"""ReportDocument: everything the parser reads from one report, validated.

The contract between `parse` (text in) and `load` (rows out). Ids of framework
catalogue entries (pillars, questions, grades) are the reference slugs; `key`s are
natural keys that are unique within one document and stable across re-parses of the
same text, so the loader can upsert on them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ItemKind = Literal["area-for-improvement", "cause-of-concern", "recommendation"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpan(_Model):
    """Lines of the report text (1-based, inclusive) that a piece came from."""

    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)


class ForceRef(_Model):
    id: str
    name: str


class ScopeEntry(_Model):
    """One row of the scope table: was this area inspected in this round?"""

    question: str
    label: str = Field(description="The area's name as the table prints it.")
    inspected: bool
    line: int


class Judgment(_Model):
    """A grade for a pillar (question is None) or for one question."""

    pillar: str
    question: str | None
    grade: str
    last_inspected: str | None = Field(
        description="The inspection year the grade comes from, as printed ('2016', '2018/19')."
    )
    carried_over: bool
    carried_over_sentence: str | None = Field(
        default=None, description="The report's sentence saying the judgment was carried over."
    )
    line: int


class FindingSection(_Model):
    key: str = Field(description="Slug of the heading, unique within its question.")
    heading: str
    page: int
    paragraphs: list[str]
    span: SourceSpan


class ActionItem(_Model):
    """An area for improvement, a cause of concern or a recommendation."""

    key: str = Field(description="'<question>/<kind>/<n>', n counting from 1 within the question.")
    kind: ItemKind
    question: str
    text: str
    page: int
    span: SourceSpan
    answers: str | None = Field(
        default=None,
        description="For a recommendation: the key of the cause of concern it answers.",
    )


class QuestionSection(_Model):
    question: str
    heading: str = Field(description="The section heading as printed (may be an alias).")
    page: int
    grade: str | None = Field(description="The grade printed under the heading, if any.")
    summary: list[str]
    findings: list[FindingSection]
    span: SourceSpan


class PillarSection(_Model):
    pillar: str
    headline_question: str
    grade: str
    page: int
    summary: list[str]
    questions: list[QuestionSection]
    span: SourceSpan


class GlossaryCitation(_Model):
    section: str = Field(
        description="Where the link's footer stands: 'observations', '<pillar>', "
        "'<question>' or '<question>/<finding key>'."
    )
    page: int
    line: int


class GlossaryTerm(_Model):
    key: str = Field(description="The last path segment of the glossary URL.")
    term: str = Field(description="The term as the report prints it, where it can be found.")
    url: str
    citations: list[GlossaryCitation]


class ReportDocument(_Model):
    force: ForceRef
    framework: str
    year_label: str
    inspection_id: str
    scope: list[ScopeEntry]
    judgments: list[Judgment]
    observations: list[str]
    inspector: str | None
    pillars: list[PillarSection]
    items: list[ActionItem]
    glossary: list[GlossaryTerm]

    @model_validator(mode="after")
    def _keys_are_unique_and_links_resolve(self) -> ReportDocument:
        item_keys = [i.key for i in self.items]
        if len(set(item_keys)) != len(item_keys):
            raise ValueError("action item keys must be unique")
        causes = {i.key for i in self.items if i.kind == "cause-of-concern"}
        for item in self.items:
            if item.answers is not None and item.answers not in causes:
                raise ValueError(f"{item.key} answers unknown cause of concern {item.answers}")
        judged = [(j.pillar, j.question) for j in self.judgments]
        if len(set(judged)) != len(judged):
            raise ValueError("one judgment per pillar and per question")
        for pillar in self.pillars:
            for question in pillar.questions:
                keys = [f.key for f in question.findings]
                if len(set(keys)) != len(keys):
                    raise ValueError(f"finding keys repeat within {question.question}")
        return self
