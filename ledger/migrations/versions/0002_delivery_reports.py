"""Provider delivery reports, recipient hashes for inbound SMS, and lookups by tracking number.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("recipient_hash", sa.String(64), nullable=True))
        batch.create_index("ix_notifications_recipient_hash", ["recipient_hash"])
    op.create_index("ix_shipments_tracking_number", "shipments", ["tracking_number"])

    op.create_table(
        "delivery_reports",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("notification_id", ID, nullable=True),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("provider_message_id", sa.String(255), nullable=True),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("event", sa.String(50), nullable=False),
        sa.Column("status", sa.String(16), nullable=True),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.Column("error_code", sa.String(100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_reports"),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name="fk_delivery_reports_notification_id_notifications",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("provider", "event_id", name="uq_delivery_reports_provider_event_id"),
    )
    op.create_index("ix_delivery_reports_notification_id", "delivery_reports", ["notification_id"])
    op.create_index(
        "ix_delivery_reports_provider_message_id", "delivery_reports", ["provider_message_id"]
    )


def downgrade() -> None:
    op.drop_table("delivery_reports")
    op.drop_index("ix_shipments_tracking_number", table_name="shipments")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_recipient_hash")
        batch.drop_column("recipient_hash")
