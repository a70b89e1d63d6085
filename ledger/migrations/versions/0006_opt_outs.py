"""Opt-outs: a shop's recipients (keyed hashes) who said stop to a class of message on a channel.

Revision ID: 0006
Revises: 0004 (the shop registry's 0005 goes between at merge)
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "opt_outs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(100), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient_hash", sa.String(64), nullable=False),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_opt_outs"),
        sa.UniqueConstraint(
            "shop_id",
            "channel",
            "recipient_hash",
            "category",
            name="uq_opt_outs_shop_id_channel_recipient_hash_category",
        ),
    )


def downgrade() -> None:
    op.drop_table("opt_outs")
