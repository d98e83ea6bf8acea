"""import and corrections: where the sealing announcement appears (printed on receipts)

Revision ID: 0003_import_corrections
Revises: 0002
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_import_corrections"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A nullable column without a default: no table rebuild on SQLite (see 0002).
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealing_announcement", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("draws", "sealing_announcement")
