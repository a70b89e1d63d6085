"""What the benchmarks send: shipments with a phone number and tracking number of their own (the
fake Twilio tells deliveries apart by number, the carrier webhook finds shipments by tracking
number), the carrier events of the standard flows, and the generic webhook's signed payload."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from carriers import ADAPTERS
from models.shipment import (
    CarrierEvent,
    Courier,
    DeliveryKind,
    DeliveryOption,
    Location,
    PickupPoint,
    Recipient,
    ShipmentStart,
    Window,
)
from models.status import ShipmentStatus
from testing.factories import shipment

S = ShipmentStatus


def phone(prefix: int, index: int) -> str:
    """A distinct E.164 number per shipment and purpose (prefix 10-99): +44<prefix><8 digits>."""
    return f"+44{prefix:02d}{index:08d}"


def courier_shipment(shop_id: str, run: str, index: int, *, phone_prefix: int) -> ShipmentStart:
    """A next-day courier shipment (the factories' defaults: English, quiet hours off)."""
    return shipment(
        shop_id=shop_id,
        shipment_id=f"{run}-{index}",
        order_id=f"ORD-{run}-{index}",
        tracking_number=f"BN{run.upper()}{index:07d}",
        recipient=Recipient(
            name="Sam Taylor",
            phone=phone(phone_prefix, index),
            email=f"sam.{index}@example.com",
            time_zone="Europe/London",
        ),
    )


def pickup_shipment(shop_id: str, run: str, index: int, *, phone_prefix: int) -> ShipmentStart:
    """A pickup-point shipment with the default policy's reminders (2 days, last call 1 day
    before a 7-day storage deadline): once at the point it waits on timers for days."""
    return courier_shipment(shop_id, run, index, phone_prefix=phone_prefix).model_copy(
        update={"delivery": DeliveryOption(kind=DeliveryKind.PICKUP_POINT)}
    )


def scan(status: ShipmentStatus, event_id: str, **extra: object) -> CarrierEvent:
    """An event happening now, as a carrier reports it live."""
    return CarrierEvent.model_validate(
        {
            "event_id": event_id,
            "status": status,
            "occurred_at": datetime.now(UTC),
            "location": Location(city="Leeds", country="GB"),
            **extra,
        }
    )


def tomorrow_window() -> Window:
    start = datetime.now(UTC).replace(hour=14, minute=0, second=0, microsecond=0)
    start += timedelta(days=1)
    return Window(start=start, end=start + timedelta(hours=2))


def out_for_delivery_now(event_id: str) -> CarrierEvent:
    """Out for delivery with tomorrow's window and a courier: the SMS goes at once (urgent)."""
    return scan(
        S.OUT_FOR_DELIVERY,
        event_id,
        window=tomorrow_window(),
        courier=Courier(name="Piotr", phone="+48600999888"),
    )


def at_pickup_point_now(event_id: str) -> CarrierEvent:
    return scan(
        S.AVAILABLE_FOR_PICKUP,
        event_id,
        pickup_point=PickupPoint(
            name="Locker 12", address="1 High St, Leeds", opening_hours="24/7", pickup_code="4821"
        ),
    )


def generic_request(
    tracking_number: str, event: CarrierEvent, secret: str
) -> tuple[bytes, dict[str, str]]:
    """The body and headers a carrier posts to /v1/carriers/generic/events, signed now."""
    fields = event.model_dump(mode="json", exclude_none=True)
    body = json.dumps({"events": [{"tracking_number": tracking_number, **fields}]}).encode()
    headers = ADAPTERS["generic"].sign(body, secret, datetime.now(UTC))
    return body, headers | {"content-type": "application/json"}
