"""Shippo `track_updated` webhooks: the Track object's `tracking_history` entries become events (the
latest `tracking_status` alone when there is no history).

Signature: Shippo's webhook-security page documents HMAC signing as an option enabled on request
(through the account manager), next to IP allow-lists and URL tokens. A signed request carries
`Shippo-Auth-Signature: t=<unix seconds>,v1=<hex>`, the hex being the HMAC-SHA256 of
`<t>.<raw body>` keyed with the shared secret (Stripe's scheme). The public page does not spell
the header out; this is the format existing Shippo integrations verify, so check it against the
first signed delivery once Shippo provisions the secret. We refuse a `t` more than 300 s from
now and accept any of several `v1` values (a secret being rotated). `sign` produces exactly this
header, so tests and local tools speak the same scheme.

Shippo's documented default is not HMAC but a token in the webhook URL (or an IP allow-list):
the router accepts `?token=` for this adapter (WAYPOST_CARRIER_URL_TOKENS), HMAC as an option.

A Shippo webhook is subscribed per event type, so anything but `track_updated` at this URL is a
misconfigured webhook: refused as a PayloadError rather than quietly acknowledged.

`test` (true for Shippo's test mode) travels with each event as its mode; `eta` at midnight (or
a bare date) is a day (`estimated_day`), not an instant. FAILURE and the TRANSIT substatuses that
mean trouble carry their reason (api/carriers/exceptions.py) and the carrier's words. History
entries have their own `object_id`; a latest status without one gets an id derived from the
number, instant, status, substatus and a digest of its words and place (its pre-digest form
travels as `legacy_event_id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from carriers import exceptions
from carriers.base import (
    FieldError,
    Mode,
    ParsedItem,
    PayloadError,
    SignatureError,
    as_list,
    as_object,
    clean_text,
    estimate,
    find_header,
    header_fields,
    load_json,
    optional_id,
    parse_time,
    parsed,
    read_scan,
    require_secret,
    required_text,
    scan_digest,
    scan_place,
    short,
    timestamped_signature,
    unix_seconds,
    utc_stamp,
    verify_timestamped,
)
from models.shipment import CarrierEvent
from models.status import ShipmentStatus

S = ShipmentStatus

STATUSES: Mapping[str, ShipmentStatus] = {
    "TRANSIT": S.IN_TRANSIT,
    "DELIVERED": S.DELIVERED,
    "RETURNED": S.RETURNED,  # on its way back, or back: either way it will not reach the customer
    "FAILURE": S.EXCEPTION,  # undeliverable, lost, disposed (Shippo's FAILURE substatuses)
}
"""Shippo `status` -> canonical status, when the substatus does not say more."""

IGNORED: Mapping[str, str] = {
    "PRE_TRANSIT": "label created, not yet with the carrier; the workflow starts at shipped",
    "UNKNOWN": "the carrier has no information about the parcel",
}
"""Shippo statuses with no canonical meaning: answered as ignored, nothing delivered."""

SUBSTATUSES: Mapping[tuple[str, str], ShipmentStatus] = {
    ("TRANSIT", "out_for_delivery"): S.OUT_FOR_DELIVERY,
    ("TRANSIT", "delivery_attempted"): S.DELIVERY_FAILED,
    ("TRANSIT", "notice_left"): S.DELIVERY_FAILED,
    ("TRANSIT", "location_inaccessible"): S.DELIVERY_FAILED,
    ("TRANSIT", "reschedule_delivery"): S.DELIVERY_FAILED,
    ("TRANSIT", "pickup_available"): S.AVAILABLE_FOR_PICKUP,
    ("TRANSIT", "package_held"): S.EXCEPTION,
    ("TRANSIT", "address_issue"): S.EXCEPTION,
    ("TRANSIT", "contact_carrier"): S.EXCEPTION,
    ("TRANSIT", "package_damaged"): S.EXCEPTION,
}
"""(status, substatus code) pairs that refine TRANSIT, from Shippo's event definitions. The other
TRANSIT codes (package_accepted, _arrived, _departed, _processed, _processing, _forwarded,
delayed, delivery_scheduled, delivery_rescheduled) stay in_transit. package_held ("held at a
carrier location, contact the carrier") is an exception, not a pickup: available_for_pickup
would tell the customer to collect it and only allows delivered/returned after it, so a parcel
held in customs would be stuck."""

_KNOWN = ", ".join(repr(s) for s in sorted({*STATUSES, *IGNORED}))


@dataclass(frozen=True)
class _Track:
    tracking_number: str
    carrier: str | None
    eta: datetime | None
    eta_day: date | None
    mode: Mode | None
    entries: list[tuple[str, object]]
    """(path, raw entry): the history, or the latest status alone."""


class ShippoAdapter:
    name = "shippo"
    signature_header = "Shippo-Auth-Signature"
    url_token = True
    """Shippo documents a token in the webhook URL as its standard security."""

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> None:
        require_secret(secret)
        fields = header_fields(find_header(headers, self.signature_header))
        if len(fields.get("t", ())) != 1 or not fields.get("v1"):
            raise SignatureError(
                f"malformed {self.signature_header} header: expected t=<unix seconds>,v1=<hex>"
            )
        verify_timestamped(
            body,
            secret,
            timestamp=fields["t"][0],
            signatures=fields["v1"],
            now=now,
            timestamp_source=f"t= in the {self.signature_header} header",
        )

    def sign(self, body: bytes, secret: str, now: datetime) -> dict[str, str]:
        t = unix_seconds(now)
        return {self.signature_header: f"t={t},v1={timestamped_signature(secret, t, body)}"}

    def parse(self, body: bytes) -> list[ParsedItem]:
        return _entries(_track(load_json(body)))

    def parse_track(self, document: object) -> list[ParsedItem]:
        """A Track object itself, as GET /tracks/{carrier}/{tracking_number} answers it (the
        worker polls it): the same events, with the same ids, as the webhook carrying it."""
        try:
            return _entries(_read_track(as_object(document, "track"), ""))
        except FieldError as exc:
            raise PayloadError(f"not a Shippo Track: {exc}") from None


def _entries(track: _Track) -> list[ParsedItem]:
    # Shippo lists the history oldest first: the track's current ETA belongs to the newest.
    newest = len(track.entries) - 1
    return [_entry(track, i, path, raw, i == newest) for i, (path, raw) in enumerate(track.entries)]


def _track(document: object) -> _Track:
    try:
        webhook = as_object(document, "body")
        kind = webhook.get("event")
        if kind != "track_updated":
            raise FieldError("event", f"expected 'track_updated', got {short(kind)}")
        test = webhook.get("test")
        mode: Mode | None = ("test" if test else "production") if isinstance(test, bool) else None
        return _read_track(as_object(webhook.get("data"), "data"), "data.", mode=mode)
    except FieldError as exc:
        raise PayloadError(f"not a Shippo track_updated webhook: {exc}") from None


def _read_track(data: dict[str, object], prefix: str, mode: Mode | None = None) -> _Track:
    """A Track object (a webhook's data, or what GET /tracks/{carrier}/{number} answers)."""
    history = as_list(data.get("tracking_history"), f"{prefix}tracking_history")
    if history:
        entries = [(f"{prefix}tracking_history[{i}]", raw) for i, raw in enumerate(history)]
    elif data.get("tracking_status") is not None:
        entries = [(f"{prefix}tracking_status", data["tracking_status"])]
    else:
        entries = []
    eta, eta_day = estimate(data.get("eta"))
    return _Track(
        tracking_number=required_text(data.get("tracking_number"), f"{prefix}tracking_number"),
        carrier=clean_text(data.get("carrier"), 100),
        eta=eta,
        eta_day=eta_day,
        mode=mode,
        entries=entries,
    )


def _entry(track: _Track, index: int, path: str, raw: object, newest: bool) -> ParsedItem:
    return read_scan(track, index, path, lambda: _read_entry(track, index, path, raw, newest))


def _read_entry(track: _Track, index: int, path: str, raw: object, newest: bool) -> ParsedItem:
    entry = as_object(raw, path)
    status = required_text(entry.get("status"), f"{path}.status").upper()
    given = entry.get("substatus")
    substatus = given if isinstance(given, dict) else {}
    code = clean_text(substatus.get("code"), 100)
    source = f"{status}/{code}" if code else status
    if status in IGNORED:
        reason = f"{status}: {IGNORED[status]}"
        return parsed(track, index, source, None, reason, track.mode)
    if status not in STATUSES:
        # A status word the carrier added since these tables were written is nothing its
        # sender can fix: answered 200 as ignored (a 4xx would get the webhook disabled).
        reason = f"{short(status)} is not a status Waypost knows yet (one of {_KNOWN})"
        return parsed(track, index, source, None, reason, track.mode)
    occurred_at = parse_time(entry.get("status_date"), f"{path}.status_date")
    object_id = optional_id(entry.get("object_id"))
    where, place = scan_place(entry.get("location"))
    details, text = clean_text(entry.get("status_details")), clean_text(substatus.get("text"))
    # Shippo gives every history entry its own object_id; without one, derive a stable id.
    legacy = f"shippo:{track.tracking_number}:{utc_stamp(occurred_at)}:{source}"
    apart = scan_digest(
        details,
        text,
        *place,
    )
    canonical = SUBSTATUSES.get((status, code or ""), STATUSES[status])
    event = CarrierEvent(
        event_id=f"shippo:{object_id}" if object_id else f"{legacy}:{apart}",
        legacy_event_id=None if object_id else legacy,
        status=canonical,
        occurred_at=occurred_at,
        location=where,
        description=details or text,
        detail=source,
        exception=(
            exceptions.reason(exceptions.SHIPPO, code, details, text)
            if canonical is S.EXCEPTION
            else None
        ),
        estimated_delivery=track.eta if newest else None,
        estimated_day=track.eta_day if newest else None,
    )
    return parsed(track, index, source, event, mode=track.mode)


SHIPPO = ShippoAdapter()
