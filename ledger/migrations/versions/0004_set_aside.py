"""The set-aside table: parts of ledger writes that can never be stored, kept for support.

A NUL in a carrier's text or an id longer than its column used to fail the ledger activity on
every retry, blocking the shipment for good. Such a part is now recorded here and the rest of
the change goes on (`ledger.claims`).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "set_aside",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("shipment_ref", sa.String(255), nullable=False),
        sa.Column("part", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("error_class", sa.String(100), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_set_aside"),
        sa.UniqueConstraint(
            "shipment_ref", "part", "key", name="uq_set_aside_shipment_ref_part_key"
        ),
    )
    op.create_index("ix_set_aside_shipment_ref", "set_aside", ["shipment_ref"])
    op.create_index("ix_set_aside_set_aside_at", "set_aside", ["set_aside_at"])


def downgrade() -> None:
    op.drop_table("set_aside")
