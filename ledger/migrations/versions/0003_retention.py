"""Retention and reports: when a shipment was anonymised, and indexes their queries use.

`shipments.anonymised_at` marks a shipment whose identifying values retention cleared, so a later
run passes it by (retention is idempotent) and a reader can tell it from a live record. The
indexes serve `waypost db retention` (shipments closed before a cutoff) and `waypost report`
(one shop's shipments started in a period).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_shipments_closed_at", ["closed_at"])
        batch.create_index("ix_shipments_shop_id_created_at", ["shop_id", "created_at"])


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_index("ix_shipments_shop_id_created_at")
        batch.drop_index("ix_shipments_closed_at")
        batch.drop_column("anonymised_at")
