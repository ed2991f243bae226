"""Area frameworks and provenance per grade.

PEEL 2021/22 and 2023-25 grade areas, not pillars: a judgment's pillar may be NULL.
Every judgment keeps the kind of source stating it and the date it speaks for; other
pages' statements (`judgment_check`) keep theirs too, and one page may state a grade and
later its regrade (`superseded`), so a check is keyed by its grade as well. Pages that
state how many areas got each grade are kept in `grade_count`. Frameworks list the
forces they did not inspect (`outside_scope`).

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("framework") as batch_op:
        batch_op.add_column(
            sa.Column("outside_scope", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("judgment") as batch_op:
        batch_op.alter_column("pillar_id", existing_type=sa.String(), nullable=True)
        batch_op.add_column(sa.Column("source_kind", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("source_date", sa.String(), nullable=True))
    # Judgments so far: their inspection's kind; a report speaks for its publication date.
    op.execute(
        "UPDATE judgment SET source_kind = (SELECT inspection.source_kind FROM inspection "
        "WHERE inspection.id = judgment.inspection_id)"
    )
    op.execute(
        "UPDATE judgment SET source_date = (SELECT CAST(inspection.published AS VARCHAR) "
        "FROM inspection WHERE inspection.id = judgment.inspection_id "
        "AND inspection.source_kind = 'report')"
    )
    with op.batch_alter_table("judgment_check") as batch_op:
        batch_op.add_column(sa.Column("source_kind", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("source_date", sa.String(), nullable=True))
        batch_op.add_column(
            sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.drop_constraint("pk_judgment_check", type_="primary")
        batch_op.create_primary_key("pk_judgment_check", ["judgment_id", "source_url", "grade_id"])
    op.create_table(
        "grade_count",
        sa.Column("framework_id", sa.String(), nullable=False),
        sa.Column("force_id", sa.String(), nullable=False),
        sa.Column("source_url", sa.String(), nullable=False),
        sa.Column("grades", sa.JSON(), nullable=False),
        sa.Column("areas_graded", sa.Integer(), nullable=True),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name="fk_grade_count_framework_id_framework"
        ),
        sa.ForeignKeyConstraint(["force_id"], ["force.id"], name="fk_grade_count_force_id_force"),
        sa.PrimaryKeyConstraint("framework_id", "force_id", "source_url", name="pk_grade_count"),
    )
    op.create_index("ix_grade_count_force_id", "grade_count", ["force_id"])


def downgrade() -> None:
    op.drop_index("ix_grade_count_force_id", table_name="grade_count")
    op.drop_table("grade_count")
    # Checks that only a regrade tells apart cannot survive the narrower key.
    op.execute("DELETE FROM judgment_check WHERE superseded")
    with op.batch_alter_table("judgment_check") as batch_op:
        batch_op.drop_constraint("pk_judgment_check", type_="primary")
        batch_op.create_primary_key("pk_judgment_check", ["judgment_id", "source_url"])
        batch_op.drop_column("superseded")
        batch_op.drop_column("source_date")
        batch_op.drop_column("source_kind")
    # Area judgments have no pillar: they cannot stay under a NOT NULL pillar.
    op.execute("DELETE FROM judgment WHERE pillar_id IS NULL")
    with op.batch_alter_table("judgment") as batch_op:
        batch_op.drop_column("source_date")
        batch_op.drop_column("source_kind")
        batch_op.alter_column("pillar_id", existing_type=sa.String(), nullable=False)
    with op.batch_alter_table("framework") as batch_op:
        batch_op.drop_column("outside_scope")
