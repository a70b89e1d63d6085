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
