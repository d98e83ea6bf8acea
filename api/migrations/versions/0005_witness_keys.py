"""sunshine-draw/2: receipt checks, witness keys and signed reveals, the checkpoint, co-signatures, the beacon
statement, re-runs of void draws

Revision ID: 0005_witness_keys
Revises: 0004_ledger
Create Date: 2027-01-10 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005_witness_keys"
down_revision: str | None = "0004_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("receipt_check", _S(length=64), nullable=True))
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_key", _S(length=64), nullable=True))
        batch_op.add_column(sa.Column("signature", _S(length=128), nullable=True))
    with op.batch_alter_table("reveals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", _S(length=128), nullable=True))
        batch_op.add_column(sa.Column("receipt", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("beacons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proof", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("digest", _S(length=64), nullable=True))
        batch_op.add_column(sa.Column("document", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaces_manifest", _S(length=64), nullable=True))
        batch_op.add_column(sa.Column("replaces_reason", sa.Text(), nullable=True))
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", _S(length=20), nullable=False),
        sa.Column("digest", _S(length=64), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["draws.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draw_id"),
    )
    op.create_table(
        "cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("witness", _S(length=64), nullable=False),
        sa.Column("of", _S(length=16), nullable=False),
        sa.Column("digest", _S(length=64), nullable=False),
        sa.Column("signature", _S(length=128), nullable=False),
        sa.Column("at", _S(length=20), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["draws.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draw_id", "witness", "of"),
    )
    with op.batch_alter_table("cosignatures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cosignatures_draw_id"), ["draw_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cosignatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cosignatures_draw_id"))
    op.drop_table("cosignatures")
    op.drop_table("checkpoints")
    with op.batch_alter_table("draws", schema=None) as batch_op:
        batch_op.drop_column("replaces_reason")
        batch_op.drop_column("replaces_manifest")
    with op.batch_alter_table("beacons", schema=None) as batch_op:
        for name in ("reason", "document", "digest", "proof"):
            batch_op.drop_column(name)
    with op.batch_alter_table("reveals", schema=None) as batch_op:
        batch_op.drop_column("receipt")
        batch_op.drop_column("signature")
    with op.batch_alter_table("commitments", schema=None) as batch_op:
        batch_op.drop_column("signature")
        batch_op.drop_column("public_key")
    with op.batch_alter_table("applicants", schema=None) as batch_op:
        batch_op.drop_column("receipt_check")
