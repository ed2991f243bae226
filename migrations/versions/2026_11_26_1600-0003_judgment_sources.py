"""Judgment sources: the page stating each grade, and other sources' word on it.

Grades now also come from HMICFRS assessment pages (grade records): every judgment
keeps the page that states it (`judgment.source_url`), and where other sources speak of
a judgment a report holds, what each says (`judgment_check`), so a disagreement shows.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("judgment") as batch_op:
        batch_op.add_column(sa.Column("source_url", sa.String(), nullable=True))
    # Judgments loaded from reports so far: the report's page states them.
    op.execute(
        "UPDATE judgment SET source_url = "
        "(SELECT inspection.source_url FROM inspection WHERE inspection.id = judgment.inspection_id)"
    )
    op.create_table(
        "judgment_check",
        sa.Column("judgment_id", sa.String(), nullable=False),
        sa.Column("source_url", sa.String(), nullable=False),
        sa.Column("grade_id", sa.String(), nullable=False),
        sa.Column("source_file", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["judgment_id"],
            ["judgment.id"],
            name="fk_judgment_check_judgment_id_judgment",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("judgment_id", "source_url", name="pk_judgment_check"),
    )


def downgrade() -> None:
    op.drop_table("judgment_check")
    with op.batch_alter_table("judgment") as batch_op:
        batch_op.drop_column("source_url")
