"""EasyPost Tracker webhooks: one `tracker.updated` Event carries a whole Tracker, and each of its
`tracking_details` becomes one event.

Signature (EasyPost's documented HMAC validation, as its client libraries' `validate_webhook`):
`X-Hmac-Signature: hmac-sha256-hex=<hex>`, the HMAC-SHA256 of the raw body keyed with the
webhook secret, NFKD-normalised and UTF-8 encoded. There is no timestamp, so no replay window.

EasyPost posts every event type (batch.updated, refund.successful...) to the same URL. Answering
those with an error would make EasyPost retry and eventually disable the webhook, so an Event
whose description is not `tracker.updated`/`tracker.created` parses to no events at all.

A re-sent Tracker repeats its old details; they carry no id, so the id is derived from what
identifies a scan: the tracker, the instant, the status, and a digest of what tells two scans
at the same instant and status apart (status_detail, message, description, place). The workflow
drops the repeats as duplicates. Ids derived before the digest existed (tracker, instant,
status) travel as `legacy_event_id`, so a scan received under its old id stays a duplicate.

Estimates: `est_delivery_date` at midnight UTC, or the Tracker's
`carrier_detail.est_delivery_date_local` without `est_delivery_time_local`, is a day
(`estimated_day`), not an instant. `mode` (test or production, on the Event and on its Tracker)
travels with each event for the router.
Failures and the exception details (lost, damaged, held, refused, address) carry their reason
(api/carriers/exceptions.py) and the carrier's words (`detail`, `description`).
"""

from __future__ import annotations

import unicodedata
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
    hmac_sha256_hex,
    load_json,
    local_day,
    optional_id,
    parse_time,
    parsed,
    read_scan,
    require_match,
    require_secret,
    required_text,
    scan_digest,
    scan_place,
    short,
    utc_stamp,
)
from models.shipment import CarrierEvent
from models.status import ShipmentStatus

S = ShipmentStatus

TRACKER_EVENTS = frozenset({"tracker.updated", "tracker.created"})

STATUSES: Mapping[str, ShipmentStatus] = {
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "delivered": S.DELIVERED,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "return_to_sender": S.RETURNED,
    "failure": S.EXCEPTION,  # lost, damaged, refused, undeliverable: someone has to look
    "cancelled": S.CANCELLED,
}
"""EasyPost `status` -> canonical status, when `status_detail` does not say more."""

IGNORED: Mapping[str, str] = {
    "pre_transit": "label created, not yet with the carrier; the workflow starts at shipped",
    "unknown": "the carrier has no information about the parcel yet",
    "error": "EasyPost could not fetch the carrier's tracking; this says nothing about the parcel",
}
"""EasyPost statuses with no canonical meaning: answered as ignored, nothing delivered."""

DETAILS: Mapping[tuple[str, str], ShipmentStatus] = {
    ("in_transit", "arrived_at_pickup_location"): S.AVAILABLE_FOR_PICKUP,
    ("in_transit", "out_for_delivery"): S.OUT_FOR_DELIVERY,
    ("in_transit", "delivery_exception"): S.DELIVERY_FAILED,
    ("in_transit", "lost"): S.EXCEPTION,
    ("in_transit", "damaged"): S.EXCEPTION,
    ("failure", "delivery_exception"): S.DELIVERY_FAILED,
}
"""(status, status_detail) pairs whose detail changes the meaning: a scan still reported as
in_transit may in fact be the parcel waiting at a pickup point, or a missed delivery."""

_KNOWN = ", ".join(repr(s) for s in sorted({*STATUSES, *IGNORED}))
_PREFIX = "hmac-sha256-hex="


@dataclass(frozen=True)
class _Tracker:
    id: str
    tracking_number: str
    carrier: str | None
    estimate: datetime | None
    estimated_day: date | None
    mode: Mode | None
    details: list[object]


class EasyPostAdapter:
    name = "easypost"
    signature_header = "X-Hmac-Signature"
    url_token = False

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> None:
        require_secret(secret)
        given = find_header(headers, self.signature_header)
        if not given.lower().startswith(_PREFIX):
            raise SignatureError(
                f"malformed {self.signature_header} header: expected {_PREFIX}<hex>"
            )
        require_match(_digest(body, secret), [given[len(_PREFIX) :]])

    def sign(self, body: bytes, secret: str, now: datetime) -> dict[str, str]:
        return {self.signature_header: _PREFIX + _digest(body, secret)}

    def parse(self, body: bytes) -> list[ParsedItem]:
        tracker = _tracker(load_json(body))
        if tracker is None:
            return []
        return _details(tracker, "result.")

    def parse_tracker(self, document: object) -> list[ParsedItem]:
        """A Tracker object itself, as GET /v2/trackers/{id} answers it (the worker polls it):
        the same events, with the same ids, as the webhook carrying that Tracker."""
        try:
            return _details(_read_tracker(as_object(document, "tracker"), ""), "")
        except FieldError as exc:
            raise PayloadError(f"not an EasyPost Tracker: {exc}") from None


def _details(tracker: _Tracker, prefix: str) -> list[ParsedItem]:
    # EasyPost lists details oldest first: the tracker's current estimate belongs to the newest.
    newest = len(tracker.details) - 1
    return [_detail(tracker, i, raw, i == newest, prefix) for i, raw in enumerate(tracker.details)]


def _digest(body: bytes, secret: str) -> str:
    return hmac_sha256_hex(unicodedata.normalize("NFKD", secret).encode("utf-8"), body)


def _tracker(document: object) -> _Tracker | None:
    """The Tracker of a tracker event, None for other events; PayloadError when not an Event."""
    try:
        event = as_object(document, "body")
        description = event.get("description")
        if not isinstance(description, str):
            raise FieldError(
                "description", f"expected an Event description, got {short(description)}"
            )
        if description not in TRACKER_EVENTS:
            return None
        return _read_tracker(
            as_object(event.get("result"), "result"), "result.", mode=_mode(event.get("mode"))
        )
    except FieldError as exc:
        raise PayloadError(f"not an EasyPost tracker Event: {exc}") from None


def _read_tracker(result: dict[str, object], prefix: str, mode: Mode | None = None) -> _Tracker:
    """A Tracker object (a webhook Event's result, or what GET /v2/trackers/{id} answers)."""
    code = required_text(result.get("tracking_code"), f"{prefix}tracking_code")
    instant, day = estimate(result.get("est_delivery_date"))
    given = result.get("carrier_detail")
    carrier_detail = given if isinstance(given, dict) else {}
    local = local_day(carrier_detail.get("est_delivery_date_local"))
    if local is not None and (instant is None or not carrier_detail.get("est_delivery_time_local")):
        instant, day = None, local  # the carrier's own local day wins over a UTC midnight
    return _Tracker(
        id=optional_id(result.get("id")) or code,
        tracking_number=code,
        carrier=clean_text(result.get("carrier"), 100),
        estimate=instant,
        estimated_day=day,
        mode=mode or _mode(result.get("mode")),
        details=as_list(result.get("tracking_details"), f"{prefix}tracking_details"),
    )


def _mode(value: object) -> Mode | None:
    return value if value in ("test", "production") else None


def _detail(tracker: _Tracker, index: int, raw: object, newest: bool, prefix: str) -> ParsedItem:
    path = f"{prefix}tracking_details[{index}]"
    return read_scan(tracker, index, path, lambda: _read_detail(tracker, index, raw, newest, path))


def _read_detail(tracker: _Tracker, index: int, raw: object, newest: bool, path: str) -> ParsedItem:
    detail = as_object(raw, path)
    status = required_text(detail.get("status"), f"{path}.status")
    status_detail = clean_text(detail.get("status_detail"), 100)
    source = f"{status}/{status_detail}" if status_detail else status
    if status in IGNORED:
        return parsed(tracker, index, source, None, f"{status}: {IGNORED[status]}", tracker.mode)
    if status not in STATUSES:
        # A status word the carrier added since these tables were written is nothing its
        # sender can fix: answered 200 as ignored (a 4xx would get the webhook disabled).
        reason = f"{short(status)} is not a status Waypost knows yet (one of {_KNOWN})"
        return parsed(tracker, index, source, None, reason, tracker.mode)
    occurred_at = parse_time(detail.get("datetime"), f"{path}.datetime")
    where, place = scan_place(detail.get("tracking_location"))
    message = clean_text(detail.get("message"))
    canonical = DETAILS.get((status, status_detail or ""), STATUSES[status])
    legacy = f"easypost:{tracker.id}:{utc_stamp(occurred_at)}:{status}"
    apart = scan_digest(
        status_detail,
        message,
        clean_text(detail.get("description")),
        *place,
    )
    words = (message, clean_text(detail.get("description")))
    event = CarrierEvent(
        event_id=f"{legacy}:{apart}",
        legacy_event_id=legacy,
        status=canonical,
        occurred_at=occurred_at,
        location=where,
        description=message,
        detail=source,
        exception=(
            exceptions.reason(exceptions.EASYPOST, status_detail, *words)
            if canonical is S.EXCEPTION
            else None
        ),
        estimated_delivery=tracker.estimate if newest else None,
        estimated_day=tracker.estimated_day if newest else None,
    )
    return parsed(tracker, index, source, event, mode=tracker.mode)


EASYPOST = EasyPostAdapter()
