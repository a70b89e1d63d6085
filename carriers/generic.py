"""Waypost's own JSON format, for carriers without an adapter (and for the CLI).

    {"events": [{"tracking_number": "JD0146", "carrier": "dpd",
                 "shop_id": "acme", "shipment_id": "S-1",
                 "event_id": "dpd-9912", "status": "out_for_delivery",
                 "occurred_at": "2026-11-20T08:15:00+01:00", ...CarrierEvent's other fields}]}

1 to 500 events. Each is `CarrierEvent` (statuses are the canonical ones, times carry an offset)
plus `tracking_number`, an optional `carrier`, and optionally `shop_id` with `shipment_id`: the
shipment itself, so the event goes straight to `shipment:<shop_id>:<shipment_id>`. Since the
format is ours it is validated strictly: an unknown field or an over-long text is that event's
error, named, never silently fixed.

Signature: `X-Waypost-Timestamp: <unix seconds>` and
`X-Waypost-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>`; refused when the
timestamp is more than 300 s from now. Several `v1=` values (comma-separated) may be sent while
a secret is rotated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from carriers.base import (
    BadEvent,
    FieldError,
    ParsedEvent,
    ParsedItem,
    PayloadError,
    SignatureError,
    as_list,
    as_object,
    describe,
    find_header,
    header_fields,
    load_json,
    optional_id,
    require_secret,
    timestamped_signature,
    type_name,
    unix_seconds,
    verify_timestamped,
)
from models.bounds import Identifier
from models.shipment import CarrierEvent, shipment_workflow_id

MAX_EVENTS = 500
TIMESTAMP_HEADER = "X-Waypost-Timestamp"


class Routing(BaseModel):
    """The fields of a generic event that say where it goes; the rest is the CarrierEvent."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tracking_number: Identifier
    carrier: Identifier | None = None
    shop_id: Identifier | None = None
    shipment_id: Identifier | None = None

    @model_validator(mode="after")
    def _shipment_named_whole(self) -> Routing:
        if (self.shop_id is None) != (self.shipment_id is None):
            raise ValueError("shop_id and shipment_id name the shipment together: give both")
        return self

    @property
    def shipment_ref(self) -> str | None:
        if self.shop_id is None or self.shipment_id is None:
            return None
        return shipment_workflow_id(self.shop_id, self.shipment_id)


_ROUTING_FIELDS = frozenset(Routing.model_fields)


class GenericAdapter:
    name = "generic"
    signature_header = "X-Waypost-Signature"
    url_token = False

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> None:
        require_secret(secret)
        timestamp = find_header(headers, TIMESTAMP_HEADER)
        signatures = header_fields(find_header(headers, self.signature_header)).get("v1")
        if not signatures:
            raise SignatureError(f"malformed {self.signature_header} header: expected v1=<hex>")
        verify_timestamped(
            body,
            secret,
            timestamp=timestamp,
            signatures=signatures,
            now=now,
            timestamp_source=f"{TIMESTAMP_HEADER} header",
        )

    def sign(self, body: bytes, secret: str, now: datetime) -> dict[str, str]:
        timestamp = unix_seconds(now)
        return {
            TIMESTAMP_HEADER: timestamp,
            self.signature_header: f"v1={timestamped_signature(secret, timestamp, body)}",
        }

    def parse(self, body: bytes) -> list[ParsedItem]:
        return [_event(i, raw) for i, raw in enumerate(_events(load_json(body)))]


def _events(document: object) -> list[object]:
    try:
        batch = as_object(document, "body")
        unknown = sorted(set(batch) - {"events"})
        if unknown:
            raise FieldError("body", f"unknown field(s) {', '.join(map(repr, unknown))}")
        if "events" not in batch:
            raise FieldError("events", "required field is missing")
        events = as_list(batch["events"], "events")
    except FieldError as exc:
        raise PayloadError(f"not a Waypost events batch: {exc}") from None
    if not 1 <= len(events) <= MAX_EVENTS:
        raise PayloadError(f"events: a batch holds 1 to {MAX_EVENTS} events, got {len(events)}")
    return events


def _event(index: int, raw: object) -> ParsedItem:
    path = f"events[{index}]"
    if not isinstance(raw, dict):
        return BadEvent(index=index, error=f"{path}: expected an object, got {type_name(raw)}")
    fields: dict[str, object] = raw
    routing_fields = {k: v for k, v in fields.items() if k in _ROUTING_FIELDS}
    event_fields = {k: v for k, v in fields.items() if k not in _ROUTING_FIELDS}
    errors: list[str] = []
    routing = event = None
    try:
        routing = Routing.model_validate(routing_fields)
    except ValidationError as exc:
        errors.append(describe(exc, path))
    try:
        event = CarrierEvent.model_validate(event_fields)
    except ValidationError as exc:
        errors.append(describe(exc, path))
    if routing is None or event is None:
        return BadEvent(
            index=index,
            error="; ".join(errors),
            event_id=optional_id(fields.get("event_id")),
            tracking_number=optional_id(fields.get("tracking_number")),
        )
    return ParsedEvent(
        index=index,
        tracking_number=routing.tracking_number,
        carrier=routing.carrier,
        source_status=event.status.value,
        event=event,
        shipment_ref=routing.shipment_ref,
    )


GENERIC = GenericAdapter()
