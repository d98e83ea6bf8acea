"""second round: the draw a second round follows

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 08:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Adding a column and an index never rebuilds the table on SQLite (no foreign key on
    # purpose: adding one would rebuild `draws`, and with foreign keys on, dropping the old
    # table would cascade to every applicant, document and log entry).
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_draw_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_draws_previous_draw_id"), ["previous_draw_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draws_previous_draw_id"))

    # Not in batch mode: a batch drop_column rebuilds the table on SQLite (see above), while
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL) keeps every row where it is.
    op.drop_column("draws", "previous_draw_id")
