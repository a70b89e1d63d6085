"""Small builders for valid shipments and events, so each test states only what it is about."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from models.policy import NotificationPolicy
from models.shipment import (
    CarrierEvent,
    Courier,
    DeliveryKind,
    DeliveryOption,
    Location,
    Recipient,
    ShipmentStart,
    Window,
)
from models.status import ShipmentStatus

T0 = (datetime.now(UTC) - timedelta(hours=4)).replace(hour=0, minute=0, second=0, microsecond=0)
"""Midnight (UTC) of the day four hours ago: events of the first four hours after it are in the
past whatever the hour the tests run (just after midnight included), and windows "tomorrow" from
04:00 on are ahead of any workflow's clock, so timers armed from them lie in the future as they
would in production."""


def shipment(**overrides: Any) -> ShipmentStart:
    fields: dict[str, Any] = {
        "shop_id": "shop-1",
        "shipment_id": f"s-{uuid.uuid4().hex[:10]}",
        "order_id": f"ORD-{uuid.uuid4().hex[:6]}",
        "carrier": "acme",
        "tracking_number": "AC123456789",
        "recipient": Recipient(
            name="Sam Taylor",
            phone="+447700900123",
            email="sam@example.com",
            time_zone="Europe/London",
        ),
        "delivery": DeliveryOption(kind=DeliveryKind.COURIER_NEXT_DAY),
        "shipped_at": T0,
        # Tests run at any hour: quiet hours are switched off unless a test is about them.
        "policy": NotificationPolicy(quiet_hours=None),
    }
    fields.update(overrides)
    return ShipmentStart(**fields)


def event(
    status: ShipmentStatus,
    minutes: int,
    *,
    event_id: str | None = None,
    city: str = "Leeds",
    **extra: Any,
) -> CarrierEvent:
    return CarrierEvent(
        event_id=event_id or f"e-{status.value}-{minutes}",
        status=status,
        occurred_at=T0 + timedelta(minutes=minutes),
        location=Location(city=city, country="GB"),
        **extra,
    )


def window(day_offset: int = 1, start_hour: int = 14, hours: int = 2) -> Window:
    start = T0.replace(hour=start_hour) + timedelta(days=day_offset)
    return Window(start=start, end=start + timedelta(hours=hours))


def out_for_delivery(minutes: int, **extra: Any) -> CarrierEvent:
    return event(
        ShipmentStatus.OUT_FOR_DELIVERY,
        minutes,
        window=window(),
        courier=Courier(name="Piotr", phone="+48600999888"),
        **extra,
    )
