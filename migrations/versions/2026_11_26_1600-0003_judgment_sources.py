"""Judgment sources: the page stating each grade, and another source's word on it.

Grades now also come from HMICFRS assessment pages (grade records): every judgment
keeps the page that states it, and where a second source speaks of the same judgment
(the report and a history file), what it says, so a disagreement is visible.

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

COLUMNS = ("source_url", "checked_source_url", "checked_grade_id")


def upgrade() -> None:
    with op.batch_alter_table("judgment") as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(), nullable=True))
    # Judgments loaded from reports so far: the report's page states them.
    op.execute(
        "UPDATE judgment SET source_url = "
        "(SELECT inspection.source_url FROM inspection WHERE inspection.id = judgment.inspection_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("judgment") as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
