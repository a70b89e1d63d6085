"""The shop registry: each shop's profile and webhook secret, and its API keys (hashes only).

Until now shops existed only as `WAYPOST_SHOP_API_KEYS`; that bootstrap stays valid, and the
registry adds named, revocable keys per shop and the profile messages are branded with.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("shop_id", sa.String(100), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.Column("webhook_secret", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", name="pk_shops"),
    )
    op.create_table(
        "shop_api_keys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("shop_id", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shop_api_keys"),
        sa.ForeignKeyConstraint(
            ["shop_id"],
            ["shops.shop_id"],
            name="fk_shop_api_keys_shop_id_shops",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("key_hash", name="uq_shop_api_keys_key_hash"),
        sa.UniqueConstraint("shop_id", "name", name="uq_shop_api_keys_shop_id_name"),
    )


def downgrade() -> None:
    op.drop_table("shop_api_keys")
    op.drop_table("shops")
