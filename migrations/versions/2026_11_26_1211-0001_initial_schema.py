"""Initial schema: catalogue, inspections, judgments, findings, items, search, versions.

Catalogue rows (forces, frameworks, grades, pillars, questions) are data: `peel seed`
upserts them from reference/*.csv. This migration only inserts the one data_version row.

The search table is per dialect (not in the models): an FTS5 virtual table on SQLite, a
table with a generated tsvector and a GIN index on Postgres.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:11:35.633215+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


SQLITE_SEARCH = """
CREATE VIRTUAL TABLE search_index USING fts5(
    kind UNINDEXED, ref_id UNINDEXED, inspection UNINDEXED, question UNINDEXED,
    pillar UNINDEXED, title, body,
    tokenize = 'porter unicode61'
)
"""

POSTGRES_SEARCH = (
    """
    CREATE TABLE search_index (
        kind text NOT NULL,
        ref_id text NOT NULL,
        inspection text NOT NULL,
        question text,
        pillar text,
        title text NOT NULL,
        body text NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector('english', title), 'A')
            || setweight(to_tsvector('english', body), 'B')
        ) STORED,
        CONSTRAINT pk_search_index PRIMARY KEY (kind, ref_id)
    )
    """,
    "CREATE INDEX ix_search_index_document ON search_index USING gin (document)",
    "CREATE INDEX ix_search_index_inspection ON search_index (inspection)",
)


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_change")),
    )
    op.create_index(op.f("ix_data_change_inspection_id"), "data_change", ["inspection_id"])
    op.create_index(op.f("ix_data_change_version"), "data_change", ["version"])

    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_version_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.create_table(
        "force",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_force")),
    )
    op.create_table(
        "framework",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year_label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("structure", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework")),
        sa.UniqueConstraint("year_label", name=op.f("uq_framework_year_label")),
    )
    op.create_table(
        "glossary_term",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("term", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_term")),
    )
    op.create_table(
        "grade",
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name=op.f("fk_grade_framework_id_framework")
        ),
        sa.PrimaryKeyConstraint("framework_id", "id", name=op.f("pk_grade")),
    )
    op.create_table(
        "inspection",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("force_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("year_label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("source_file", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("licence", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("inspector", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("observations", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("data_version", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["force_id"], ["force.id"], name=op.f("fk_inspection_force_id_force")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name=op.f("fk_inspection_framework_id_framework")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection")),
        sa.UniqueConstraint(
            "force_id", "framework_id", name=op.f("uq_inspection_force_id_framework_id")
        ),
    )
    op.create_index(op.f("ix_inspection_force_id"), "inspection", ["force_id"])
    op.create_index(op.f("ix_inspection_framework_id"), "inspection", ["framework_id"])
    op.create_index(op.f("ix_inspection_published"), "inspection", ["published"])

    op.create_table(
        "pillar",
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("headline_question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name=op.f("fk_pillar_framework_id_framework")
        ),
        sa.PrimaryKeyConstraint("framework_id", "id", name=op.f("pk_pillar")),
    )
    op.create_table(
        "question",
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pillar_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("official_question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("graded", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["framework_id", "pillar_id"],
            ["pillar.framework_id", "pillar.id"],
            name=op.f("fk_question_framework_id_pillar_id_pillar"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name=op.f("fk_question_framework_id_framework")
        ),
        sa.PrimaryKeyConstraint("framework_id", "id", name=op.f("pk_question")),
    )
    op.create_table(
        "action_item",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("start_line", sa.Integer(), nullable=False),
        sa.Column("end_line", sa.Integer(), nullable=False),
        sa.Column("answers_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('area-for-improvement', 'cause-of-concern', 'recommendation')",
            name=op.f("ck_action_item_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["answers_id"], ["action_item.id"], name=op.f("fk_action_item_answers_id_action_item")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "question_id"],
            ["question.framework_id", "question.id"],
            name=op.f("fk_action_item_framework_id_question_id_question"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_action_item_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
        sa.UniqueConstraint("inspection_id", "key", name=op.f("uq_action_item_inspection_id_key")),
    )
    op.create_index(op.f("ix_action_item_answers_id"), "action_item", ["answers_id"])
    op.create_index(op.f("ix_action_item_inspection_id"), "action_item", ["inspection_id"])
    op.create_index(op.f("ix_action_item_kind"), "action_item", ["kind"])
    op.create_index(op.f("ix_action_item_question_id"), "action_item", ["question_id"])

    op.create_table(
        "finding",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("start_line", sa.Integer(), nullable=False),
        sa.Column("end_line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id", "question_id"],
            ["question.framework_id", "question.id"],
            name=op.f("fk_finding_framework_id_question_id_question"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_finding_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
        sa.UniqueConstraint(
            "inspection_id",
            "question_id",
            "key",
            name=op.f("uq_finding_inspection_id_question_id_key"),
        ),
    )
    op.create_index(op.f("ix_finding_inspection_id"), "finding", ["inspection_id"])
    op.create_index("ix_finding_inspection_id_position", "finding", ["inspection_id", "position"])
    op.create_index(op.f("ix_finding_question_id"), "finding", ["question_id"])

    op.create_table(
        "judgment",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("force_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pillar_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grade_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_inspected", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("carried_over", sa.Boolean(), nullable=False),
        sa.Column("carried_over_sentence", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "subject = COALESCE(question_id, pillar_id)", name=op.f("ck_judgment_subject")
        ),
        sa.ForeignKeyConstraint(
            ["force_id"], ["force.id"], name=op.f("fk_judgment_force_id_force")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "grade_id"],
            ["grade.framework_id", "grade.id"],
            name=op.f("fk_judgment_framework_id_grade_id_grade"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "pillar_id"],
            ["pillar.framework_id", "pillar.id"],
            name=op.f("fk_judgment_framework_id_pillar_id_pillar"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "question_id"],
            ["question.framework_id", "question.id"],
            name=op.f("fk_judgment_framework_id_question_id_question"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_judgment_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_judgment")),
        sa.UniqueConstraint(
            "inspection_id", "subject", name=op.f("uq_judgment_inspection_id_subject")
        ),
    )
    op.create_index(op.f("ix_judgment_carried_over"), "judgment", ["carried_over"])
    op.create_index(op.f("ix_judgment_force_id"), "judgment", ["force_id"])
    op.create_index(op.f("ix_judgment_framework_id"), "judgment", ["framework_id"])
    op.create_index(op.f("ix_judgment_grade_id"), "judgment", ["grade_id"])
    op.create_index(op.f("ix_judgment_inspection_id"), "judgment", ["inspection_id"])
    op.create_index(op.f("ix_judgment_last_inspected"), "judgment", ["last_inspected"])
    op.create_index(op.f("ix_judgment_pillar_id"), "judgment", ["pillar_id"])
    op.create_index(op.f("ix_judgment_question_id"), "judgment", ["question_id"])

    op.create_table(
        "scope_entry",
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspected", sa.Boolean(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id", "question_id"],
            ["question.framework_id", "question.id"],
            name=op.f("fk_scope_entry_framework_id_question_id_question"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_scope_entry_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inspection_id", "question_id", name=op.f("pk_scope_entry")),
    )
    op.create_table(
        "summary",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("framework_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("pillar_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("heading", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("paragraphs", sa.JSON(), nullable=False),
        sa.Column("start_line", sa.Integer(), nullable=False),
        sa.Column("end_line", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "subject = COALESCE(question_id, pillar_id)", name=op.f("ck_summary_subject")
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "pillar_id"],
            ["pillar.framework_id", "pillar.id"],
            name=op.f("fk_summary_framework_id_pillar_id_pillar"),
        ),
        sa.ForeignKeyConstraint(
            ["framework_id", "question_id"],
            ["question.framework_id", "question.id"],
            name=op.f("fk_summary_framework_id_question_id_question"),
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_summary_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary")),
        sa.UniqueConstraint(
            "inspection_id", "subject", name=op.f("uq_summary_inspection_id_subject")
        ),
    )
    op.create_index(op.f("ix_summary_inspection_id"), "summary", ["inspection_id"])
    op.create_index(op.f("ix_summary_question_id"), "summary", ["question_id"])

    op.create_table(
        "glossary_citation",
        sa.Column("inspection_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("term_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("finding_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(
            ["finding_id"], ["finding.id"], name=op.f("fk_glossary_citation_finding_id_finding")
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspection.id"],
            name=op.f("fk_glossary_citation_inspection_id_inspection"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["term_id"],
            ["glossary_term.id"],
            name=op.f("fk_glossary_citation_term_id_glossary_term"),
        ),
        sa.PrimaryKeyConstraint(
            "inspection_id", "term_id", "section", "line", name=op.f("pk_glossary_citation")
        ),
    )
    op.create_index(op.f("ix_glossary_citation_finding_id"), "glossary_citation", ["finding_id"])
    op.create_index(op.f("ix_glossary_citation_term_id"), "glossary_citation", ["term_id"])

    data_version = sa.table(
        "data_version",
        sa.column("id", sa.Integer),
        sa.column("version", sa.Integer),
    )
    op.bulk_insert(data_version, [{"id": 1, "version": 0}])

    if op.get_context().dialect.name == "sqlite":
        op.execute(SQLITE_SEARCH)
    else:
        for statement in POSTGRES_SEARCH:
            op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    op.drop_table("glossary_citation")
    op.drop_table("summary")
    op.drop_table("scope_entry")
    op.drop_table("judgment")
    op.drop_table("finding")
    op.drop_table("action_item")
    op.drop_table("question")
    op.drop_table("pillar")
    op.drop_table("inspection")
    op.drop_table("grade")
    op.drop_table("glossary_term")
    op.drop_table("framework")
    op.drop_table("force")
    op.drop_table("data_version")
    op.drop_table("data_change")
