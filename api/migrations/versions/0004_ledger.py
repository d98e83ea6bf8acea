"""the objection and complaint ledger; stored problem reports of refused imports

Revision ID: 0004_ledger
Revises: 0003_import_corrections
Create Date: 2026-12-04 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004_ledger"
down_revision: str | None = "0003_import_corrections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=16), nullable=False),
        sa.Column("raised_by", _S(length=100), nullable=False),
        sa.Column("contact", _S(length=100), nullable=True),
        sa.Column("raised_at", _S(length=20), nullable=False),
        sa.Column("channel", _S(length=50), nullable=True),
        sa.Column("application", _S(length=64), nullable=True),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("handling", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("change", sa.Text(), nullable=True),
        sa.Column("change_audit_seq", sa.Integer(), nullable=True),
        sa.Column("status", _S(length=16), nullable=False),
        sa.Column("salt", _S(length=32), nullable=False),
        sa.Column("recorded_by", _S(length=120), nullable=False),
        sa.Column("recorded_seq", sa.Integer(), nullable=False),
        sa.Column("closed_at", _S(length=20), nullable=True),
        sa.Column("closed_by", _S(length=120), nullable=True),
        sa.Column("closed_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["draw_id"], ["draws.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draw_id", "seq"),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_draw_id"), ["draw_id"], unique=False)

    op.create_table(
        "problem_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("token", _S(length=32), nullable=False),
        sa.Column("filename", _S(length=200), nullable=False),
        sa.Column("problem_count", sa.Integer(), nullable=False),
        sa.Column("at", _S(length=20), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["draw_id"], ["draws.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token"),
    )
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_reports_draw_id"), ["draw_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("problem_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_problem_reports_draw_id"))
    op.drop_table("problem_reports")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_draw_id"))
    op.drop_table("ledger_entries")
