"""The ledger's write side of the tracking page's snapshot (`shipments.page_contact`,
`shipments.page_live`): values sealed by the ledger activity, stored as given, cleared when the
shipment closes (a closed shipment's page shows the ledger alone)."""

from __future__ import annotations

from sqlalchemy import Engine, or_, update

from ledger.engine import Transactions
from ledger.schema import Shipment

__all__ = ["PageSnapshots"]


class PageSnapshots:
    """Writes one shipment's page snapshot; each write is one idempotent UPDATE, a round trip."""

    def __init__(self, engine: Engine) -> None:
        self._tx = Transactions(engine)

    def record(
        self,
        ref: str,
        *,
        contact: bytes | None = None,
        live: bytes | None = None,
        closed: bool = False,
    ) -> None:
        """Store the parts given (the contact comes with the start, the live part when it
        changed); `closed` clears both instead. Nothing given, nothing written."""
        if closed:
            statement = (
                update(Shipment)
                .where(
                    Shipment.ref == ref,
                    or_(Shipment.page_contact.is_not(None), Shipment.page_live.is_not(None)),
                )
                .values(page_contact=None, page_live=None)
            )
        else:
            values = {
                name: value
                for name, value in (("page_contact", contact), ("page_live", live))
                if value is not None
            }
            if not values:
                return
            statement = update(Shipment).where(Shipment.ref == ref).values(**values)
        with self._tx.single() as conn:
            conn.execute(statement)
