"""The tracking page's sealed snapshot of a running shipment's live state (the recipient's zone
and addresses from the start, and what the page shows of the workflow's state), so a page view
needs no workflow query. Cleared when the shipment closes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("shipments", sa.Column("page_contact", sa.LargeBinary(), nullable=True))
    op.add_column("shipments", sa.Column("page_live", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("page_live")
        batch.drop_column("page_contact")
