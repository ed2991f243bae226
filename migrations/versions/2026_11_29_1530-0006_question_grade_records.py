"""Question grade records of every force, with what was carried over.

A records-built inspection may now draw on several files (a force's 2018/19 pillar
grades from one, its question grades from another), so each judgment names the file its
line is in (`source_file`). A page may say a question's grade was carried over from an
earlier year without stating the grade (`grade_id` NULL: not known here), and may say
nothing about whether it was carried over at all (`carried_over` NULL: not stated).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keeping_checks(alter: Callable[[], None]) -> None:
    """Run `alter` on the judgment table without losing its checks. On SQLite a batch
    operation rebuilds the table: dropping the old one deletes every `judgment_check` row
    through their ON DELETE CASCADE (foreign keys are on, and cannot be turned off inside
    the migration's transaction), so they are copied aside and put back."""
    if op.get_bind().dialect.name != "sqlite":
        alter()
        return
    op.execute("CREATE TEMP TABLE kept_judgment_check AS SELECT * FROM judgment_check")
    alter()
    op.execute(
        "INSERT INTO judgment_check SELECT * FROM kept_judgment_check "
        "WHERE judgment_id IN (SELECT id FROM judgment)"
    )
    op.execute("DROP TABLE kept_judgment_check")


def upgrade() -> None:
    def alter() -> None:
        with op.batch_alter_table("judgment") as batch_op:
            batch_op.add_column(sa.Column("source_file", sa.String(), nullable=True))
            batch_op.alter_column("grade_id", existing_type=sa.String(), nullable=True)
            batch_op.alter_column("carried_over", existing_type=sa.Boolean(), nullable=True)

    _keeping_checks(alter)
    # Every judgment so far came from its inspection's one file.
    op.execute(
        "UPDATE judgment SET source_file = (SELECT inspection.source_file FROM inspection "
        "WHERE inspection.id = judgment.inspection_id)"
    )


def downgrade() -> None:
    # Judgments with no grade, or no word on carrying over, cannot stay under NOT NULL.
    op.execute(
        "DELETE FROM judgment_check WHERE judgment_id IN (SELECT id FROM judgment "
        "WHERE grade_id IS NULL OR carried_over IS NULL)"
    )
    op.execute("DELETE FROM judgment WHERE grade_id IS NULL OR carried_over IS NULL")

    def alter() -> None:
        with op.batch_alter_table("judgment") as batch_op:
            batch_op.alter_column("carried_over", existing_type=sa.Boolean(), nullable=False)
            batch_op.alter_column("grade_id", existing_type=sa.String(), nullable=False)
            batch_op.drop_column("source_file")

    _keeping_checks(alter)
