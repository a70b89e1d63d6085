"""The canonical shipment statuses, on their own so the kinds registry (which the policy reads)
can name them without importing the shipment."""

from __future__ import annotations

from enum import StrEnum


class ShipmentStatus(StrEnum):
    """Canonical statuses every carrier vocabulary maps onto."""

    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERY_FAILED = "delivery_failed"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    RETURNED = "returned"
    EXCEPTION = "exception"
    CANCELLED = "cancelled"


class ExceptionReason(StrEnum):
    """What went wrong when a parcel is in status `exception`: each has its own message to the
    customer. Carriers' detail vocabularies (EasyPost's status_detail, Shippo's substatus,
    AfterShip's subtags) map onto it in api/carriers/exceptions.py."""

    LOST = "lost"
    DAMAGED = "damaged"
    HELD = "held"
    """Held at a carrier location or in customs, waiting for something (a fee, a document)."""
    ADDRESS = "address"
    """The address is wrong, incomplete or undeliverable."""
    REFUSED = "refused"
    """The recipient refused the parcel."""
    OTHER = "other"
    """An exception the carrier does not explain (or in words we do not know)."""
