"""Marketing consent on the shipment: when the recipient agreed to the shop's offers, and where
(at the start, or later on the tracking page).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "shipments", sa.Column("marketing_consent_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("shipments", sa.Column("marketing_consent_source", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("marketing_consent_source")
        batch.drop_column("marketing_consent_at")
