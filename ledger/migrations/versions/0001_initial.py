"""The ledger: shipments, their timelines, notifications and their attempts.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _moment(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "shipments",
        sa.Column("ref", sa.String(255), nullable=False),
        sa.Column("shop_id", sa.String(100), nullable=False),
        sa.Column("shipment_id", sa.String(100), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("carrier", sa.String(100), nullable=False),
        sa.Column("tracking_number", sa.String(100), nullable=False),
        sa.Column("delivery_kind", sa.String(32), nullable=False),
        sa.Column("locale", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        _moment("closed_at", nullable=True),
        sa.PrimaryKeyConstraint("ref", name="pk_shipments"),
        sa.UniqueConstraint("shop_id", "shipment_id", name="uq_shipments_shop_id_shipment_id"),
    )
    op.create_index("ix_shipments_order_id", "shipments", ["order_id"])

    op.create_table(
        "shipment_events",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("shipment_ref", sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        _moment("occurred_at"),
        _moment("received_at"),
        sa.Column("location", sa.String(500), nullable=True),
        sa.Column("description", sa.String(500), nullable=True),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_shipment_events"),
        sa.ForeignKeyConstraint(
            ["shipment_ref"],
            ["shipments.ref"],
            name="fk_shipment_events_shipment_ref_shipments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "shipment_ref", "event_id", name="uq_shipment_events_shipment_ref_event_id"
        ),
    )

    op.create_table(
        "notifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("idempotency_key", sa.String(400), nullable=False),
        sa.Column("shipment_ref", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient_masked", sa.String(320), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(50), nullable=True),
        sa.Column("provider_message_id", sa.String(255), nullable=True),
        sa.Column("claim_token", sa.String(255), nullable=True),
        _moment("claimed_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        sa.Column("cost", sa.Numeric(12, 5), nullable=True),
        _moment("created_at"),
        _moment("sent_at", nullable=True),
        _moment("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["shipment_ref"],
            ["shipments.ref"],
            name="fk_notifications_shipment_ref_shipments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("idempotency_key", name="uq_notifications_idempotency_key"),
    )
    op.create_index("ix_notifications_shipment_ref", "notifications", ["shipment_ref"])
    op.create_index(
        "ix_notifications_provider_message_id", "notifications", ["provider_message_id"]
    )

    op.create_table(
        "notification_attempts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("notification_id", ID, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(50), nullable=False),
        _moment("started_at"),
        _moment("finished_at"),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("error_code", sa.String(100), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notification_attempts"),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notifications.id"],
            name="fk_notification_attempts_notification_id_notifications",
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        "ix_notification_attempts_notification_id",
        "notification_attempts",
        ["notification_id"],
    )


def downgrade() -> None:
    op.drop_table("notification_attempts")
    op.drop_table("notifications")
    op.drop_table("shipment_events")
    op.drop_table("shipments")
