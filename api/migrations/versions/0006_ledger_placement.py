"""the ledger records the bureau's manual placement of a group without room (§10.10)

Revision ID: 0006_ledger_placement
Revises: 0005_witness_keys
Create Date: 2027-02-01 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_ledger_placement"
down_revision: str | None = "0005_witness_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placement", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_column("placement")
