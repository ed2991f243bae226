"""Database tables (SQLModel): the reference catalogue, inspections and what they say.

Primary keys are the public slugs wherever one exists (`west-midlands`, `peel-2018-19`,
`west-midlands-2018-19`). Catalogue entries whose slugs repeat across frameworks (grades,
pillars, questions: `good`, `investigating-crime`) are keyed by (framework_id, id), and
rows that point at them carry `framework_id` so a composite foreign key also proves the
grade or question belongs to the inspection's own framework.

Rows derived from a report use deterministic string ids built from natural keys, so
re-loading a report reproduces every id exactly.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

# Alembic's recommended convention: every constraint and index gets a predictable name,
# so migrations can drop or alter them on every backend (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

ITEM_KINDS = ("area-for-improvement", "cause-of-concern", "recommendation")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# --- reference catalogue (upserted from reference/*.csv by `peel seed`) ---------------


class Force(SQLModel, table=True):
    __tablename__ = "force"

    id: str = Field(primary_key=True, description="police.uk force id")
    name: str
    country: str
    kind: str


class Framework(SQLModel, table=True):
    """An inspection programme; grades are only comparable within one framework."""

    __tablename__ = "framework"

    id: str = Field(primary_key=True)
    name: str
    year_label: str = Field(unique=True, description="as reports print it: '2018/19'")
    structure: str = Field(description="'pillars' (2018/19) or 'areas' (2021/22 on)")
    source_url: str
    outside_scope: list[dict[str, str]] = Field(
        default_factory=list,
        sa_type=JSON,
        description="Forces it did not inspect: [{force, reason, source_url}]",
    )


class Grade(SQLModel, table=True):
    __tablename__ = "grade"

    framework_id: str = Field(primary_key=True, foreign_key="framework.id")
    id: str = Field(primary_key=True)
    name: str
    rank: int | None = Field(default=None, description="1 = best; NULL = outside the scale")
    position: int
    source_url: str


class Pillar(SQLModel, table=True):
    __tablename__ = "pillar"

    framework_id: str = Field(primary_key=True, foreign_key="framework.id")
    id: str = Field(primary_key=True)
    position: int
    name: str
    headline_question: str


class Question(SQLModel, table=True):
    """A graded question (2018/19) or assessed area (2021/22 on)."""

    __tablename__ = "question"
    __table_args__ = (
        ForeignKeyConstraint(["framework_id", "pillar_id"], ["pillar.framework_id", "pillar.id"]),
    )

    framework_id: str = Field(primary_key=True, foreign_key="framework.id")
    id: str = Field(primary_key=True)
    pillar_id: str | None = Field(default=None, description="NULL for area-structured frameworks")
    position: int
    name: str
    official_question: str
    graded: bool
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)
    verified: bool = Field(default=True, description="false: from press coverage, not HMICFRS")
    source_url: str | None = None


class GlossaryTerm(SQLModel, table=True):
    """A term of the inspectorate's online glossary; shared by every report citing it."""

    __tablename__ = "glossary_term"

    id: str = Field(primary_key=True, description="last path segment of the glossary URL")
    term: str
    url: str


# --- inspections (one per report) ---------------------------------------------------


class Inspection(SQLModel, table=True):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("force_id", "framework_id"),)

    id: str = Field(primary_key=True, description="'<force>-<year label slug>'")
    force_id: str = Field(foreign_key="force.id", index=True)
    framework_id: str = Field(foreign_key="framework.id", index=True)
    year_label: str
    source_kind: str = Field(default="report")
    source_file: str | None = None
    published: date | None = Field(default=None, index=True)
    source_url: str | None = None
    licence: str | None = None
    inspector: str | None = None
    observations: list[str] = Field(default_factory=list, sa_type=JSON)
    content_sha256: str = Field(description="sha256 of the report text as loaded")
    data_version: int = Field(description="the data version that last changed this inspection")
    loaded_at: datetime = Field(sa_type=DateTime(timezone=True))


class ScopeEntry(SQLModel, table=True):
    """A row of the report's scope table: was this question inspected this round?"""

    __tablename__ = "scope_entry"
    __table_args__ = (
        ForeignKeyConstraint(
            ["framework_id", "question_id"], ["question.framework_id", "question.id"]
        ),
    )

    inspection_id: str = Field(primary_key=True, foreign_key="inspection.id", ondelete="CASCADE")
    question_id: str = Field(primary_key=True)
    framework_id: str
    position: int
    label: str
    inspected: bool
    line: int


class Judgment(SQLModel, table=True):
    """A grade for a pillar (question_id NULL), a question, or an area (pillar_id NULL:
    the area is stored as the question of a framework organised in areas).

    `subject` is the question's or area's id, or the pillar id for a pillar judgment: a
    non-null natural key, because a UNIQUE over a NULL question would not stop duplicates.
    """

    __tablename__ = "judgment"
    __table_args__ = (
        UniqueConstraint("inspection_id", "subject"),
        CheckConstraint("subject = COALESCE(question_id, pillar_id)", name="subject"),
        ForeignKeyConstraint(["framework_id", "pillar_id"], ["pillar.framework_id", "pillar.id"]),
        ForeignKeyConstraint(
            ["framework_id", "question_id"], ["question.framework_id", "question.id"]
        ),
        ForeignKeyConstraint(["framework_id", "grade_id"], ["grade.framework_id", "grade.id"]),
    )

    id: str = Field(primary_key=True, description="'<inspection>.<subject>'")
    inspection_id: str = Field(foreign_key="inspection.id", ondelete="CASCADE", index=True)
    force_id: str = Field(foreign_key="force.id", index=True)
    framework_id: str = Field(index=True)
    pillar_id: str | None = Field(default=None, index=True)
    question_id: str | None = Field(default=None, index=True)
    subject: str
    grade_id: str | None = Field(
        default=None, index=True, description="NULL: carried over, the grade not known here."
    )
    last_inspected: str | None = Field(default=None, index=True)
    carried_over: bool | None = Field(
        default=None, index=True, description="NULL: no source held here says either way."
    )
    carried_over_sentence: str | None = None
    source_file: str | None = Field(
        default=None, description="The report or grade-record file stating it."
    )
    line: int = Field(description="The line of `source_file` stating it.")
    source_url: str | None = Field(default=None, description="The page stating the grade.")
    source_kind: str | None = Field(
        default=None, description="report, assessment-page, hmicfrs, press-release, news, ..."
    )
    source_date: str | None = Field(
        default=None, description="The date the statement speaks for: YYYY, YYYY-MM or ISO date."
    )


class JudgmentCheck(SQLModel, table=True):
    """Another source's word on a judgment: a page agreeing or disagreeing with the
    judgment's own source (a report wins over any page), or an earlier grade the judgment
    supersedes (`superseded`: a later statement regraded it).

    One row per (judgment, page, grade): one page may state a grade and, later, its regrade.
    Written by app/store/grade_load.py; kept when the report is loaded again.
    """

    __tablename__ = "judgment_check"

    judgment_id: str = Field(foreign_key="judgment.id", ondelete="CASCADE", primary_key=True)
    source_url: str = Field(primary_key=True)
    grade_id: str = Field(
        primary_key=True, description="The grade that page states, on the judgment's scale."
    )
    source_file: str
    line: int
    source_kind: str | None = None
    source_date: str | None = None
    superseded: bool = Field(default=False, description="An earlier grade, later regraded.")


class GradeCount(SQLModel, table=True):
    """How many areas of one force got each grade in one framework, as a page states it.

    Tells the distribution where the individual grades are not all known, and checks a
    complete set of them. Several pages may state counts for one force (and disagree).
    """

    __tablename__ = "grade_count"
    __table_args__ = (
        ForeignKeyConstraint(["framework_id"], ["framework.id"]),
        ForeignKeyConstraint(["force_id"], ["force.id"]),
    )

    framework_id: str = Field(primary_key=True)
    force_id: str = Field(primary_key=True, index=True)
    source_url: str = Field(primary_key=True)
    grades: dict[str, int] = Field(
        default_factory=dict, sa_type=JSON, description="grade id -> areas; absent: not stated"
    )
    areas_graded: int | None = None
    source_file: str
    line: int


class Summary(SQLModel, table=True):
    """The summary paragraphs under a pillar's or a question's heading."""

    __tablename__ = "summary"
    __table_args__ = (
        UniqueConstraint("inspection_id", "subject"),
        CheckConstraint("subject = COALESCE(question_id, pillar_id)", name="subject"),
        ForeignKeyConstraint(["framework_id", "pillar_id"], ["pillar.framework_id", "pillar.id"]),
        ForeignKeyConstraint(
            ["framework_id", "question_id"], ["question.framework_id", "question.id"]
        ),
    )

    id: str = Field(primary_key=True, description="'<inspection>.<subject>'")
    inspection_id: str = Field(foreign_key="inspection.id", ondelete="CASCADE", index=True)
    framework_id: str
    pillar_id: str
    question_id: str | None = Field(default=None, index=True)
    subject: str
    position: int = Field(description="order of the section in the report")
    heading: str
    page: int
    paragraphs: list[str] = Field(default_factory=list, sa_type=JSON)
    start_line: int
    end_line: int


class Finding(SQLModel, table=True):
    """A findings section: a heading and its paragraphs, under one question."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("inspection_id", "question_id", "key"),
        ForeignKeyConstraint(
            ["framework_id", "question_id"], ["question.framework_id", "question.id"]
        ),
        Index("ix_finding_inspection_id_position", "inspection_id", "position"),
    )

    id: str = Field(primary_key=True, description="'<inspection>.<question>.<key>'")
    inspection_id: str = Field(foreign_key="inspection.id", ondelete="CASCADE", index=True)
    framework_id: str
    question_id: str = Field(index=True)
    key: str = Field(description="slug of the heading, unique within its question")
    position: int = Field(description="order of the section in the report")
    heading: str
    page: int
    paragraphs: list[str] = Field(default_factory=list, sa_type=JSON)
    start_line: int
    end_line: int


class ActionItem(SQLModel, table=True):
    """An area for improvement, a cause of concern or a recommendation."""

    __tablename__ = "action_item"
    __table_args__ = (
        UniqueConstraint("inspection_id", "key"),
        CheckConstraint(_in("kind", ITEM_KINDS), name="kind"),
        ForeignKeyConstraint(
            ["framework_id", "question_id"], ["question.framework_id", "question.id"]
        ),
    )

    id: str = Field(primary_key=True, description="'<inspection>.<question>.<kind>.<n>'")
    inspection_id: str = Field(foreign_key="inspection.id", ondelete="CASCADE", index=True)
    framework_id: str
    question_id: str = Field(index=True)
    kind: str = Field(index=True)
    key: str = Field(description="the document's key: '<question>/<kind>/<n>'")
    position: int = Field(description="order of the item in the report")
    text: str
    page: int
    start_line: int
    end_line: int
    answers_id: str | None = Field(
        default=None,
        foreign_key="action_item.id",
        index=True,
        description="for a recommendation: the cause of concern it answers",
    )


class GlossaryCitation(SQLModel, table=True):
    """Where one report cites a glossary term (the link's page footer)."""

    __tablename__ = "glossary_citation"

    inspection_id: str = Field(primary_key=True, foreign_key="inspection.id", ondelete="CASCADE")
    term_id: str = Field(primary_key=True, foreign_key="glossary_term.id", index=True)
    section: str = Field(
        primary_key=True,
        description="'observations', '<pillar>', '<question>' or '<question>/<finding key>'",
    )
    line: int = Field(primary_key=True)
    page: int
    finding_id: str | None = Field(default=None, foreign_key="finding.id", index=True)


# --- data version and change feed ---------------------------------------------------


class DataVersion(SQLModel, table=True):
    """One row: bumped by every load that changes data (cache keys, ETags, sync)."""

    __tablename__ = "data_version"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    updated_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))


class DataChange(SQLModel, table=True):
    """One row per change, for a `/changes` feed integrators sync from."""

    __tablename__ = "data_change"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(index=True)
    kind: str = Field(description="inspection.created | inspection.replaced | catalogue.updated")
    inspection_id: str | None = Field(default=None, index=True)
    content_sha256: str | None = None
    occurred_at: datetime = Field(sa_type=DateTime(timezone=True))


class ImportRecord(SQLModel, table=True):
    """One accepted `POST /v1/imports`: who sent which text, when, and what it changed."""

    __tablename__ = "import_record"
    __table_args__ = (
        CheckConstraint(_in("status", ("created", "replaced", "unchanged")), name="status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    key_name: str = Field(description="The name of the API key that sent it")
    inspection_id: str = Field(index=True)
    status: str
    content_sha256: str
    data_version: int
    counts: dict[str, int] = Field(default_factory=dict, sa_type=JSON)
