"""Calls: what a shop's or a carrier's call centre recorded about a shipment, once per call id.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("shipment_ref", sa.String(255), nullable=False),
        sa.Column("call_id", sa.String(200), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("centre", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(100), nullable=True),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_ref"],
            ["shipments.ref"],
            name="fk_calls_shipment_ref_shipments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_calls"),
        sa.UniqueConstraint("shipment_ref", "call_id", name="uq_calls_shipment_ref_call_id"),
    )


def downgrade() -> None:
    op.drop_table("calls")
