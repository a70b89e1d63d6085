"""Typed search attributes: what a support agent filters on in the Temporal UI. No personal data."""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

SHIPMENT_STATUS = SearchAttributeKey.for_keyword("ShipmentStatus")
CARRIER = SearchAttributeKey.for_keyword("Carrier")
ORDER_ID = SearchAttributeKey.for_keyword("OrderId")
TRACKING_NUMBER = SearchAttributeKey.for_keyword("TrackingNumber")
SHOP_ID = SearchAttributeKey.for_keyword("ShopId")
ESTIMATED_DELIVERY = SearchAttributeKey.for_datetime("EstimatedDelivery")
PENDING_TIMERS = SearchAttributeKey.for_keyword_list("PendingTimers")
"""Kinds of durable timer a running shipment waits on (`workflows.schedule.pending_timer_kinds`):
what the pending-timers metric counts, e.g. `PendingTimers = "pickup_reminder"`."""

ALL = (
    SHIPMENT_STATUS,
    CARRIER,
    ORDER_ID,
    TRACKING_NUMBER,
    SHOP_ID,
    ESTIMATED_DELIVERY,
    PENDING_TIMERS,
)


def dev_server_flags() -> list[str]:
    """`--search-attribute Name=Type` flags registering them on `temporal server start-dev`."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "KEYWORD_LIST": "KeywordList"}
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return flags
