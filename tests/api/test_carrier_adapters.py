"""Carrier webhook adapters: signatures, vocabulary mapping, and bad input that never crashes.

Pure unit tests: payloads are the carriers' documented shapes (tests/api/payloads), signatures
are produced by each adapter's `sign` and, for EasyPost, checked against an independent HMAC.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carriers import ADAPTERS, adapter_for, easypost, shippo
from carriers.base import (
    BadEvent,
    CarrierAdapter,
    ParsedEvent,
    ParsedItem,
    PayloadError,
    SignatureError,
)
from carriers.easypost import EASYPOST
from carriers.generic import GENERIC
from carriers.shippo import SHIPPO
from models.shipment import CarrierEvent
from models.status import ShipmentStatus

S = ShipmentStatus
PAYLOADS = Path(__file__).parent / "payloads"
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SECRET = "whsec_9f8e7d6c5b4a"
ALL = [EASYPOST, SHIPPO, GENERIC]
TIMESTAMPED = [SHIPPO, GENERIC]


def payload(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((PAYLOADS / name).read_text(encoding="utf-8"))
    return loaded


def encode(document: object) -> bytes:
    return json.dumps(document).encode("utf-8")


def lowered(headers: dict[str, str]) -> dict[str, str]:
    """What the router passes: header names lower-cased."""
    return {name.lower(): value for name, value in headers.items()}


def parsed(items: list[ParsedItem]) -> list[ParsedEvent]:
    assert all(isinstance(item, ParsedEvent) for item in items), items
    return [item for item in items if isinstance(item, ParsedEvent)]


def delivered(items: list[ParsedItem]) -> list[CarrierEvent]:
    """The canonical events of items that all parsed and none was ignored."""
    events = [item.event for item in parsed(items)]
    assert all(event is not None for event in events), items
    return [event for event in events if event is not None]


def only(items: list[ParsedItem]) -> CarrierEvent:
    (event,) = delivered(items)
    return event


def bad(items: list[ParsedItem]) -> BadEvent:
    (item,) = [item for item in items if isinstance(item, BadEvent)]
    return item


def sample_body(adapter: CarrierAdapter) -> bytes:
    name = {"easypost": "easypost_tracker_updated", "shippo": "shippo_track_updated"}
    return encode(payload(name.get(adapter.name, "generic_events") + ".json"))


# EasyPost payloads built from the documented example


def easypost_detail(status: str, status_detail: str | None = None, **fields: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "object": "TrackingDetail",
        "message": "Scanned",
        "status": status,
        "status_detail": status_detail,
        "datetime": "2026-11-19T08:35:00Z",
        "source": "USPS",
        "tracking_location": {"city": "BROOKLYN", "state": "NY", "country": "US", "zip": "11211"},
    }
    detail.update(fields)
    return detail


def easypost_event(*details: object, **result: Any) -> dict[str, Any]:
    document = payload("easypost_tracker_updated.json")
    document["result"]["tracking_details"] = list(details)
    document["result"].update(result)
    return document


def shippo_entry(status: str, code: str | None = None, **fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "object_id": "4d9c2e7f1a3b4c5d8e9f0a1b2c3d4e5f",
        "status": status,
        "status_details": "Scanned",
        "status_date": "2026-11-19T12:14:00Z",
        "substatus": None
        if code is None
        else {"code": code, "text": code.replace("_", " "), "action_required": False},
        "location": {"city": "Spotsylvania", "state": "VA", "zip": "22551", "country": "US"},
    }
    entry.update(fields)
    return entry


def shippo_webhook(*entries: object, **data: Any) -> dict[str, Any]:
    document = payload("shippo_track_updated.json")
    document["data"]["tracking_history"] = list(entries)
    document["data"].update(data)
    return document


def generic_event(**fields: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "tracking_number": "JD0146",
        "event_id": "e-1",
        "status": "in_transit",
        "occurred_at": "2026-11-20T08:15:00+01:00",
    }
    event.update(fields)
    return event


def generic_batch(*events: object) -> bytes:
    return encode({"events": list(events)})


# Registry


@pytest.mark.parametrize("name", ["easypost", "shippo", "generic"])
def test_each_carrier_is_found_by_its_path_name(name: str) -> None:
    assert adapter_for(name).name == name


def test_the_registry_holds_exactly_the_three_adapters() -> None:
    assert dict(ADAPTERS) == {"easypost": EASYPOST, "shippo": SHIPPO, "generic": GENERIC}


def test_an_unknown_carrier_is_a_key_error_listing_the_known_ones() -> None:
    with pytest.raises(KeyError, match=r"'dhl'.*known carriers: easypost, generic, shippo"):
        adapter_for("dhl")


# Signatures: shared behaviour


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_a_signed_body_verifies(adapter: CarrierAdapter) -> None:
    body = sample_body(adapter)
    adapter.verify(body, lowered(adapter.sign(body, SECRET, NOW)), SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_header_names_are_matched_whatever_their_case(adapter: CarrierAdapter) -> None:
    body = sample_body(adapter)
    headers = {name.upper(): value for name, value in adapter.sign(body, SECRET, NOW).items()}
    adapter.verify(body, headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_the_signature_travels_in_the_declared_header(adapter: CarrierAdapter) -> None:
    assert adapter.signature_header in adapter.sign(b"{}", SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_a_changed_body_does_not_match(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b'{"events": []}', SECRET, NOW))
    with pytest.raises(SignatureError, match="signature does not match"):
        adapter.verify(b'{"events": [] }', headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_another_secret_does_not_match(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", "someone-else", NOW))
    with pytest.raises(SignatureError, match="signature does not match"):
        adapter.verify(b"{}", headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_a_missing_signature_header_is_named(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", SECRET, NOW))
    del headers[adapter.signature_header.lower()]
    with pytest.raises(SignatureError, match=f"missing {adapter.signature_header} header"):
        adapter.verify(b"{}", headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_a_refusal_never_reveals_the_expected_signature(adapter: CarrierAdapter) -> None:
    expected = adapter.sign(b"{}", SECRET, NOW)[adapter.signature_header]
    forged = {**lowered(adapter.sign(b"{}", "guess", NOW))}
    with pytest.raises(SignatureError) as refused:
        adapter.verify(b"{}", forged, SECRET, NOW)
    digest = expected.rsplit("=", 1)[-1]
    assert digest not in str(refused.value)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_an_empty_secret_verifies_nothing(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", "", NOW))
    with pytest.raises(SignatureError, match="no webhook secret"):
        adapter.verify(b"{}", headers, "", NOW)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
def test_a_non_ascii_signature_is_refused_not_crashed_on(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", SECRET, NOW))
    name = adapter.signature_header.lower()
    headers[name] = headers[name][:-4] + "éé\udc80x"
    with pytest.raises(SignatureError, match="signature does not match"):
        adapter.verify(b"{}", headers, SECRET, NOW)


# Signatures: timestamps (Shippo, generic)


@pytest.mark.parametrize("adapter", TIMESTAMPED, ids=lambda a: a.name)
def test_a_signature_older_than_five_minutes_is_refused(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", SECRET, NOW - timedelta(seconds=301)))
    with pytest.raises(SignatureError, match="timestamp too old"):
        adapter.verify(b"{}", headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", TIMESTAMPED, ids=lambda a: a.name)
def test_a_signature_from_the_future_is_refused(adapter: CarrierAdapter) -> None:
    headers = lowered(adapter.sign(b"{}", SECRET, NOW + timedelta(seconds=301)))
    with pytest.raises(SignatureError, match="timestamp is in the future"):
        adapter.verify(b"{}", headers, SECRET, NOW)


@pytest.mark.parametrize("adapter", TIMESTAMPED, ids=lambda a: a.name)
@pytest.mark.parametrize("skew", [-300, -1, 0, 299])
def test_clock_skew_within_five_minutes_is_accepted(adapter: CarrierAdapter, skew: int) -> None:
    headers = lowered(adapter.sign(b"{}", SECRET, NOW + timedelta(seconds=skew)))
    adapter.verify(b"{}", headers, SECRET, NOW)


def test_generic_signature_is_hmac_of_timestamp_dot_body() -> None:
    body = generic_batch(generic_event())
    headers = GENERIC.sign(body, SECRET, NOW)
    timestamp = str(int(NOW.timestamp()))
    digest = hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    assert headers == {
        "X-Waypost-Timestamp": timestamp,
        "X-Waypost-Signature": f"v1={digest.hexdigest()}",
    }


def test_generic_without_timestamp_header_is_refused() -> None:
    headers = lowered(GENERIC.sign(b"{}", SECRET, NOW))
    del headers["x-waypost-timestamp"]
    with pytest.raises(SignatureError, match="missing X-Waypost-Timestamp header"):
        GENERIC.verify(b"{}", headers, SECRET, NOW)


@pytest.mark.parametrize("stamp", ["yesterday", "1.7e9", "-5", "\uff11\uff12\uff13"])
def test_generic_timestamp_must_be_unix_seconds(stamp: str) -> None:
    headers = {**lowered(GENERIC.sign(b"{}", SECRET, NOW)), "x-waypost-timestamp": stamp}
    with pytest.raises(SignatureError, match="malformed X-Waypost-Timestamp header"):
        GENERIC.verify(b"{}", headers, SECRET, NOW)


def test_generic_signature_without_v1_is_malformed() -> None:
    headers = {**lowered(GENERIC.sign(b"{}", SECRET, NOW)), "x-waypost-signature": "abcdef"}
    with pytest.raises(SignatureError, match="malformed X-Waypost-Signature header"):
        GENERIC.verify(b"{}", headers, SECRET, NOW)


def test_generic_accepts_any_of_several_v1_during_a_secret_rotation() -> None:
    new = GENERIC.sign(b"{}", "new-secret", NOW)["X-Waypost-Signature"]
    old = GENERIC.sign(b"{}", SECRET, NOW)["X-Waypost-Signature"]
    headers = {**lowered(GENERIC.sign(b"{}", SECRET, NOW)), "x-waypost-signature": f"{new},{old}"}
    GENERIC.verify(b"{}", headers, SECRET, NOW)


def test_shippo_signature_is_t_and_v1_over_timestamp_dot_body() -> None:
    body = encode(payload("shippo_track_updated.json"))
    t = str(int(NOW.timestamp()))
    digest = hmac.new(SECRET.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    assert SHIPPO.sign(body, SECRET, NOW) == {"Shippo-Auth-Signature": f"t={t},v1={digest}"}


@pytest.mark.parametrize("value", ["v1=abc", "t=1795176000", "t=1,t=2,v1=abc", "nonsense"])
def test_shippo_header_needs_one_t_and_a_v1(value: str) -> None:
    with pytest.raises(SignatureError, match="malformed Shippo-Auth-Signature header"):
        SHIPPO.verify(b"{}", {"shippo-auth-signature": value}, SECRET, NOW)


# Signatures: EasyPost


def test_easypost_signature_is_prefixed_hex_hmac_of_the_raw_body() -> None:
    body = encode(payload("easypost_tracker_updated.json"))
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert EASYPOST.sign(body, SECRET, NOW) == {"X-Hmac-Signature": f"hmac-sha256-hex={digest}"}


def test_easypost_keys_the_hmac_with_the_nfkd_normalised_secret() -> None:
    """EasyPost's client libraries NFKD-normalise the secret: "ﬁ" (one ligature) is "fi"."""
    body = b'{"description": "tracker.updated"}'
    digest = hmac.new(b"s3cret-fi", body, hashlib.sha256).hexdigest()
    headers = {"x-hmac-signature": f"hmac-sha256-hex={digest}"}
    EASYPOST.verify(body, headers, "s3cret-\ufb01", NOW)


def test_easypost_has_no_replay_window() -> None:
    """EasyPost signs the body only; a retry hours later must still verify."""
    headers = lowered(EASYPOST.sign(b"{}", SECRET, NOW - timedelta(days=2)))
    EASYPOST.verify(b"{}", headers, SECRET, NOW)


def test_easypost_signature_without_its_prefix_is_malformed() -> None:
    digest = hmac.new(SECRET.encode(), b"{}", hashlib.sha256).hexdigest()
    with pytest.raises(SignatureError, match="malformed X-Hmac-Signature header"):
        EASYPOST.verify(b"{}", {"x-hmac-signature": digest}, SECRET, NOW)


# Bodies that are not payloads at all

UNREADABLE = [
    b"",
    b"not json",
    b"\xff\xfe\x00garbage",
    b'{"events": [',
    b"[" * 100_000 + b"]" * 100_000,
    b"NaN",
    b'{"events": [{"occurred_at": Infinity}]}',
    b"1" * 5_000,
]


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@pytest.mark.parametrize("body", UNREADABLE, ids=lambda b: repr(b[:16]))
def test_a_body_that_is_not_json_is_a_payload_error(adapter: CarrierAdapter, body: bytes) -> None:
    with pytest.raises(PayloadError, match="body is not JSON"):
        adapter.parse(body)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@pytest.mark.parametrize("document", [[], "events", 42, None, {"result": {}}])
def test_json_of_another_shape_is_a_payload_error(
    adapter: CarrierAdapter, document: object
) -> None:
    with pytest.raises(PayloadError, match=r"^not an? "):
        adapter.parse(encode(document))


# EasyPost: payload


def test_easypost_reads_every_tracking_detail_in_order() -> None:
    items = EASYPOST.parse(encode(payload("easypost_tracker_updated.json")))
    assert [item.index for item in items] == [0, 1, 2, 3, 4, 5]
    assert [item.source_status for item in parsed(items)] == [
        "pre_transit/label_created",
        "in_transit/received_at_origin_facility",
        "in_transit/departed_facility",
        "in_transit/arrived_at_facility",
        "out_for_delivery/out_for_delivery",
        "delivered/arrived_at_destination",
    ]


def test_easypost_events_carry_the_tracking_code_and_carrier() -> None:
    items = parsed(EASYPOST.parse(encode(payload("easypost_tracker_updated.json"))))
    assert {(i.tracking_number, i.carrier) for i in items} == {("9400110898825022579493", "USPS")}


def test_easypost_delivered_scan_becomes_a_complete_canonical_event() -> None:
    items = parsed(EASYPOST.parse(encode(payload("easypost_tracker_updated.json"))))
    legacy = "easypost:trk_5d3a1b0f7c9e4a2b8d6f0e1c2a3b4c5d:2026-11-19T15:58:00Z:delivered"
    event = items[-1].event
    assert event is not None and event.event_id.startswith(legacy + ":")
    assert event.model_copy(update={"event_id": "x"}) == CarrierEvent(
        event_id="x",
        legacy_event_id=legacy,
        status=S.DELIVERED,
        occurred_at=datetime(2026, 11, 19, 15, 58, tzinfo=UTC),
        location={"city": "BROOKLYN", "country": "US"},
        description="Delivered, In/At Mailbox",
        detail="delivered/arrived_at_destination",
        estimated_delivery=datetime(2026, 11, 19, 23, 59, tzinfo=UTC),
    )


def test_easypost_tracker_created_is_read_like_tracker_updated() -> None:
    document = easypost_event(easypost_detail("in_transit"))
    document["description"] = "tracker.created"
    assert only(EASYPOST.parse(encode(document))).status is S.IN_TRANSIT


@pytest.mark.parametrize("description", ["batch.updated", "refund.successful", "shipment.invalid"])
def test_easypost_other_events_are_acknowledged_with_no_events(description: str) -> None:
    document = {"object": "Event", "description": description, "result": {"id": "batch_1"}}
    assert EASYPOST.parse(encode(document)) == []


def test_easypost_tracker_without_details_yet_has_no_events() -> None:
    assert EASYPOST.parse(encode(easypost_event(tracking_details=None))) == []


def test_easypost_event_without_description_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="description"):
        EASYPOST.parse(encode({"object": "Event", "result": {}}))


def test_easypost_tracker_without_tracking_code_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match=r"result\.tracking_code"):
        EASYPOST.parse(encode(easypost_event(tracking_code=None)))


def test_easypost_tracking_details_that_are_not_a_list_are_a_payload_error() -> None:
    with pytest.raises(PayloadError, match=r"result\.tracking_details: expected a list"):
        EASYPOST.parse(encode(easypost_event(tracking_details={"status": "delivered"})))


# EasyPost: mapping tables (the documented status list, then the details that change it)

EASYPOST_STATUS_SPEC: list[tuple[str, ShipmentStatus | None]] = [
    ("unknown", None),
    ("pre_transit", None),
    ("in_transit", S.IN_TRANSIT),
    ("out_for_delivery", S.OUT_FOR_DELIVERY),
    ("delivered", S.DELIVERED),
    ("available_for_pickup", S.AVAILABLE_FOR_PICKUP),
    ("return_to_sender", S.RETURNED),
    ("failure", S.EXCEPTION),
    ("cancelled", S.CANCELLED),
    ("error", None),
]
EASYPOST_DETAIL_SPEC: list[tuple[str, str, ShipmentStatus]] = [
    ("in_transit", "arrived_at_pickup_location", S.AVAILABLE_FOR_PICKUP),
    ("in_transit", "out_for_delivery", S.OUT_FOR_DELIVERY),
    ("in_transit", "delivery_exception", S.DELIVERY_FAILED),
    ("in_transit", "lost", S.EXCEPTION),
    ("in_transit", "damaged", S.EXCEPTION),
    ("failure", "delivery_exception", S.DELIVERY_FAILED),
    ("in_transit", "arrived_at_facility", S.IN_TRANSIT),
    ("in_transit", "weather_delay", S.IN_TRANSIT),
    ("failure", "refused", S.EXCEPTION),
    ("failure", "lost", S.EXCEPTION),
]


def test_easypost_tables_cover_exactly_the_documented_statuses() -> None:
    assert {*easypost.STATUSES, *easypost.IGNORED} == {s for s, _ in EASYPOST_STATUS_SPEC}


@pytest.mark.parametrize(("status", "expected"), EASYPOST_STATUS_SPEC)
def test_easypost_status_maps_to_canonical(status: str, expected: ShipmentStatus | None) -> None:
    (item,) = parsed(EASYPOST.parse(encode(easypost_event(easypost_detail(status)))))
    assert (item.event.status if item.event else None) is expected


@pytest.mark.parametrize("status", sorted(easypost.IGNORED))
def test_easypost_status_without_canonical_meaning_says_why(status: str) -> None:
    (item,) = parsed(EASYPOST.parse(encode(easypost_event(easypost_detail(status)))))
    assert item.ignored_reason is not None and item.ignored_reason.startswith(f"{status}: ")


@pytest.mark.parametrize(("status", "detail", "expected"), EASYPOST_DETAIL_SPEC)
def test_easypost_status_detail_refines_the_status(
    status: str, detail: str, expected: ShipmentStatus
) -> None:
    document = easypost_event(easypost_detail(status, detail))
    assert only(EASYPOST.parse(encode(document))).status is expected


def test_easypost_status_detail_of_another_status_changes_nothing() -> None:
    document = easypost_event(easypost_detail("delivered", "arrived_at_pickup_location"))
    assert only(EASYPOST.parse(encode(document))).status is S.DELIVERED


def test_easypost_source_status_keeps_the_carriers_words() -> None:
    document = easypost_event(easypost_detail("in_transit", "arrived_at_pickup_location"))
    (item,) = parsed(EASYPOST.parse(encode(document)))
    assert item.source_status == "in_transit/arrived_at_pickup_location"


# EasyPost: ids, times, texts


def test_easypost_resent_tracker_gives_the_same_event_ids() -> None:
    """Details have no id: a re-sent Tracker must de-duplicate in the workflow. (Its message is
    part of what tells two scans apart: issue 15, tests/api/test_carrier_news.py.)"""
    first = payload("easypost_tracker_updated.json")
    again = copy.deepcopy(first)
    again["result"]["status"] = "delivered"
    ids = [[e.event_id for e in delivered(EASYPOST.parse(encode(d))[1:])] for d in (first, again)]
    assert ids[0] == ids[1]
    assert len(set(ids[0])) == len(ids[0])


def test_easypost_event_id_spells_one_instant_one_way() -> None:
    utc = easypost_detail("in_transit", datetime="2026-11-19T13:35:00Z")
    local = easypost_detail("in_transit", datetime="2026-11-19T08:35:00-05:00")
    ids = {only(EASYPOST.parse(encode(easypost_event(d)))).event_id for d in (utc, local)}
    assert len(ids) == 1


def test_easypost_local_time_keeps_its_offset() -> None:
    detail = easypost_detail("in_transit", datetime="2026-11-19T08:35:00-05:00")
    occurred_at = only(EASYPOST.parse(encode(easypost_event(detail)))).occurred_at
    assert occurred_at == datetime(2026, 11, 19, 13, 35, tzinfo=UTC)
    assert occurred_at.utcoffset() == timedelta(hours=-5)


def test_easypost_naive_time_is_taken_as_utc() -> None:
    detail = easypost_detail("in_transit", datetime="2026-11-19T08:35:00")
    occurred_at = only(EASYPOST.parse(encode(easypost_event(detail)))).occurred_at
    assert occurred_at == datetime(2026, 11, 19, 8, 35, tzinfo=UTC)


def test_easypost_estimate_goes_only_to_the_newest_detail() -> None:
    events = delivered(EASYPOST.parse(encode(payload("easypost_tracker_updated.json")))[1:])
    assert [e.estimated_delivery is not None for e in events] == [False, False, False, False, True]


def test_easypost_unreadable_estimate_is_dropped_not_refused() -> None:
    document = easypost_event(easypost_detail("in_transit"), est_delivery_date="soon")
    assert only(EASYPOST.parse(encode(document))).estimated_delivery is None


@pytest.mark.parametrize("country", ["USA", "United States", "U", "1A", 840, ""])
def test_easypost_country_that_is_not_two_letters_is_dropped(country: object) -> None:
    place = {"city": "BROOKLYN", "state": "NY", "country": country, "zip": "11211"}
    detail = easypost_detail("in_transit", tracking_location=place)
    event = only(EASYPOST.parse(encode(easypost_event(detail))))
    assert event.location is not None
    assert (event.location.city, event.location.country) == ("BROOKLYN", None)


def test_easypost_lower_case_country_is_upper_cased() -> None:
    detail = easypost_detail("in_transit", tracking_location={"city": "Berlin", "country": "de"})
    event = only(EASYPOST.parse(encode(easypost_event(detail))))
    assert event.location is not None and event.location.country == "DE"


def test_easypost_empty_location_is_no_location() -> None:
    place = {
        "object": "TrackingLocation",
        "city": None,
        "state": None,
        "country": None,
        "zip": None,
    }
    detail = easypost_detail("in_transit", tracking_location=place)
    assert only(EASYPOST.parse(encode(easypost_event(detail)))).location is None


def test_easypost_long_message_is_cut_to_fit() -> None:
    detail = easypost_detail("in_transit", message="Held at customs. " * 60)
    description = only(EASYPOST.parse(encode(easypost_event(detail)))).description
    assert description is not None
    assert len(description) == 500 and description.endswith("…")


@pytest.mark.parametrize("message", [None, "", "   ", 42, ["a"]])
def test_easypost_missing_or_odd_message_is_no_description(message: object) -> None:
    detail = easypost_detail("in_transit", message=message)
    assert only(EASYPOST.parse(encode(easypost_event(detail)))).description is None


def test_easypost_lone_surrogate_in_a_message_is_replaced() -> None:
    body = encode(easypost_event(easypost_detail("in_transit", message="ok"))).replace(
        b'"ok"', b'"caf\\ud800"'
    )
    assert only(EASYPOST.parse(body)).description == "caf\ufffd"


# EasyPost: one bad detail in a tracker


def test_a_status_easypost_added_since_is_ignored_and_the_others_still_parse() -> None:
    """Nothing the sender can fix: ignored (answered 200), never a 4xx that gets the webhook
    disabled."""
    document = easypost_event(
        easypost_detail("in_transit", datetime="2026-11-19T06:02:00Z"),
        easypost_detail("teleported"),
        easypost_detail("delivered", datetime="2026-11-19T15:58:00Z"),
    )
    items = EASYPOST.parse(encode(document))

    assert not any(isinstance(item, BadEvent) for item in items)
    new_word = items[1]
    assert isinstance(new_word, ParsedEvent) and new_word.event is None
    assert (new_word.ignored_reason or "").startswith(
        "'teleported' is not a status Waypost knows yet (one of 'available_for_pickup'"
    )
    assert [e.status for e in delivered([items[0], items[2]])] == [S.IN_TRANSIT, S.DELIVERED]


def test_a_status_shippo_added_since_is_ignored() -> None:
    document = json.loads(sample_body(SHIPPO))
    document["data"]["tracking_history"] = []
    document["data"]["tracking_status"]["status"] = "TELEPORTED"

    (item,) = SHIPPO.parse(encode(document))

    assert isinstance(item, ParsedEvent) and item.event is None
    assert "'TELEPORTED' is not a status Waypost knows yet" in (item.ignored_reason or "")


@pytest.mark.parametrize("when", [None, "", "19/11/2026 08:35", 1763541300, "2026-13-01T00:00:00Z"])
def test_easypost_unreadable_datetime_is_a_bad_event_naming_it(when: object) -> None:
    items = EASYPOST.parse(encode(easypost_event(easypost_detail("delivered", datetime=when))))
    assert bad(items).error.startswith("result.tracking_details[0].datetime: ")
    assert bad(items).tracking_number == "9400110898825022579493"


def test_easypost_detail_that_is_not_an_object_is_a_bad_event() -> None:
    items = EASYPOST.parse(encode(easypost_event("delivered")))
    assert bad(items).error == "result.tracking_details[0]: expected an object, got a string"


def test_easypost_ignored_detail_needs_no_datetime() -> None:
    (item,) = parsed(
        EASYPOST.parse(encode(easypost_event(easypost_detail("pre_transit", datetime=None))))
    )
    assert item.event is None


# Shippo: payload


def test_shippo_reads_the_tracking_history_in_order() -> None:
    items = parsed(SHIPPO.parse(encode(payload("shippo_track_updated.json"))))
    assert [(i.index, i.source_status) for i in items] == [
        (0, "PRE_TRANSIT/information_received"),
        (1, "TRANSIT/package_accepted"),
        (2, "TRANSIT/package_arrived"),
        (3, "TRANSIT/out_for_delivery"),
        (4, "TRANSIT/notice_left"),
        (5, "TRANSIT/pickup_available"),
    ]
    assert [i.event.status if i.event else None for i in items] == [
        None,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.AVAILABLE_FOR_PICKUP,
    ]


def test_shippo_pickup_scan_becomes_a_complete_canonical_event() -> None:
    items = parsed(SHIPPO.parse(encode(payload("shippo_track_updated.json"))))
    assert (items[-1].tracking_number, items[-1].carrier) == ("9205590164917312751089", "usps")
    assert items[-1].event == CarrierEvent(
        event_id="shippo:aab1d7c0559d43ccbba4ff8603089e56",
        status=S.AVAILABLE_FOR_PICKUP,
        occurred_at=datetime(2026, 11, 20, 9, 5, tzinfo=UTC),
        location={"city": "Spotsylvania", "country": "US"},
        description="Your package is available for pickup at the Spotsylvania post office.",
        detail="TRANSIT/pickup_available",
        # Shippo's eta at midnight is a day, read in the recipient's zone (issue 15).
        estimated_day=date(2026, 11, 21),
    )


def test_shippo_event_ids_are_the_history_object_ids() -> None:
    document = payload("shippo_track_updated.json")
    events = delivered(SHIPPO.parse(encode(document))[1:])
    object_ids = [entry["object_id"] for entry in document["data"]["tracking_history"][1:]]
    assert [e.event_id for e in events] == [f"shippo:{oid}" for oid in object_ids]


def test_shippo_without_history_falls_back_to_the_tracking_status() -> None:
    document = payload("shippo_track_updated.json")
    document["data"]["tracking_history"] = []
    (item,) = parsed(SHIPPO.parse(encode(document)))
    assert item.event is not None
    assert item.event.event_id == "shippo:f0c4a1d6e2b84c19a3d5e7f9b1c3d5e7"


def test_shippo_without_history_or_status_has_no_events() -> None:
    document = shippo_webhook(tracking_history=None, tracking_status=None)
    assert SHIPPO.parse(encode(document)) == []


def test_shippo_fallback_status_error_names_tracking_status() -> None:
    document = shippo_webhook(tracking_status=shippo_entry("TRANSIT") | {"status": 42})
    assert bad(SHIPPO.parse(encode(document))).error.startswith("data.tracking_status.status: ")


def test_shippo_entry_without_object_id_gets_a_derived_stable_id() -> None:
    entry = shippo_entry("TRANSIT", "package_departed", object_id=None)
    events = [only(SHIPPO.parse(encode(shippo_webhook(entry)))) for _ in range(2)]
    legacy = "shippo:9205590164917312751089:2026-11-19T12:14:00Z:TRANSIT/package_departed"
    assert {e.legacy_event_id for e in events} == {legacy}
    [event_id] = {e.event_id for e in events}
    assert event_id.startswith(legacy + ":")


@pytest.mark.parametrize("kind", ["transaction_created", "batch_purchased", None])
def test_shippo_webhook_of_another_event_type_is_a_payload_error(kind: object) -> None:
    document = payload("shippo_track_updated.json")
    document["event"] = kind
    with pytest.raises(PayloadError, match="expected 'track_updated'"):
        SHIPPO.parse(encode(document))


def test_shippo_webhook_without_tracking_number_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match=r"data\.tracking_number"):
        SHIPPO.parse(encode(shippo_webhook(shippo_entry("TRANSIT"), tracking_number="")))


def test_shippo_naive_status_date_is_taken_as_utc() -> None:
    """Shippo's test mode sends status_date without an offset."""
    entry = shippo_entry("TRANSIT", status_date="2026-11-19T16:44:42.586")
    occurred_at = only(SHIPPO.parse(encode(shippo_webhook(entry)))).occurred_at
    assert occurred_at == datetime(2026, 11, 19, 16, 44, 42, 586000, tzinfo=UTC)


def test_shippo_lower_case_status_is_understood() -> None:
    assert (
        only(SHIPPO.parse(encode(shippo_webhook(shippo_entry("delivered"))))).status is S.DELIVERED
    )


def test_shippo_substatus_text_describes_an_entry_without_details() -> None:
    entry = shippo_entry("TRANSIT", "delayed", status_details=None)
    assert only(SHIPPO.parse(encode(shippo_webhook(entry)))).description == "delayed"


def test_shippo_country_name_is_dropped_from_the_location() -> None:
    place = {"city": "Toronto", "state": "ON", "zip": "M5V", "country": "Canada"}
    event = only(SHIPPO.parse(encode(shippo_webhook(shippo_entry("TRANSIT", location=place)))))
    assert event.location is not None
    assert (event.location.city, event.location.country) == ("Toronto", None)


def test_shippo_one_bad_entry_leaves_the_others() -> None:
    document = shippo_webhook(
        shippo_entry("TRANSIT", object_id="a1"),
        shippo_entry("TRANSIT", status_date="tomorrow", object_id="a2"),
        shippo_entry("DELIVERED", object_id="a3"),
    )
    items = SHIPPO.parse(encode(document))
    assert bad(items).error == (
        "data.tracking_history[1].status_date: 'tomorrow' is not an ISO 8601 date-time"
    )
    assert [e.event_id for e in delivered([items[0], items[2]])] == ["shippo:a1", "shippo:a3"]


# Shippo: mapping tables (every row of Shippo's documented event definitions)

SHIPPO_SPEC: list[tuple[str, str | None, ShipmentStatus | None]] = [
    ("PRE_TRANSIT", "information_received", None),
    ("TRANSIT", None, S.IN_TRANSIT),
    ("TRANSIT", "address_issue", S.EXCEPTION),
    ("TRANSIT", "contact_carrier", S.EXCEPTION),
    ("TRANSIT", "delayed", S.IN_TRANSIT),
    ("TRANSIT", "delivery_attempted", S.DELIVERY_FAILED),
    ("TRANSIT", "delivery_rescheduled", S.IN_TRANSIT),
    ("TRANSIT", "delivery_scheduled", S.IN_TRANSIT),
    ("TRANSIT", "location_inaccessible", S.DELIVERY_FAILED),
    ("TRANSIT", "notice_left", S.DELIVERY_FAILED),
    ("TRANSIT", "out_for_delivery", S.OUT_FOR_DELIVERY),
    ("TRANSIT", "package_accepted", S.IN_TRANSIT),
    ("TRANSIT", "package_arrived", S.IN_TRANSIT),
    ("TRANSIT", "package_damaged", S.EXCEPTION),
    ("TRANSIT", "package_departed", S.IN_TRANSIT),
    ("TRANSIT", "package_forwarded", S.IN_TRANSIT),
    ("TRANSIT", "package_held", S.EXCEPTION),
    ("TRANSIT", "package_processed", S.IN_TRANSIT),
    ("TRANSIT", "package_processing", S.IN_TRANSIT),
    ("TRANSIT", "pickup_available", S.AVAILABLE_FOR_PICKUP),
    ("TRANSIT", "reschedule_delivery", S.DELIVERY_FAILED),
    ("DELIVERED", "delivered", S.DELIVERED),
    ("RETURNED", "return_to_sender", S.RETURNED),
    ("RETURNED", "package_unclaimed", S.RETURNED),
    ("FAILURE", "package_undeliverable", S.EXCEPTION),
    ("FAILURE", "package_disposed", S.EXCEPTION),
    ("FAILURE", "package_lost", S.EXCEPTION),
    ("UNKNOWN", "other", None),
]


def test_shippo_tables_cover_exactly_the_documented_statuses() -> None:
    assert {*shippo.STATUSES, *shippo.IGNORED} == {status for status, _, _ in SHIPPO_SPEC}


def test_shippo_substatus_table_only_names_documented_codes() -> None:
    assert set(shippo.SUBSTATUSES) <= {(status, code) for status, code, _ in SHIPPO_SPEC}


@pytest.mark.parametrize(("status", "code", "expected"), SHIPPO_SPEC)
def test_shippo_status_and_substatus_map_to_canonical(
    status: str, code: str | None, expected: ShipmentStatus | None
) -> None:
    (item,) = parsed(SHIPPO.parse(encode(shippo_webhook(shippo_entry(status, code)))))
    assert (item.event.status if item.event else None) is expected


@pytest.mark.parametrize("status", sorted(shippo.IGNORED))
def test_shippo_status_without_canonical_meaning_says_why(status: str) -> None:
    (item,) = parsed(SHIPPO.parse(encode(shippo_webhook(shippo_entry(status)))))
    assert item.ignored_reason is not None and item.ignored_reason.startswith(f"{status}: ")


def test_shippo_substatus_never_overrides_a_final_status() -> None:
    document = shippo_webhook(shippo_entry("DELIVERED", "out_for_delivery"))
    assert only(SHIPPO.parse(encode(document))).status is S.DELIVERED


# Generic


def test_generic_fixture_parses_every_event() -> None:
    items = parsed(GENERIC.parse(encode(payload("generic_events.json"))))
    assert [(i.index, i.source_status, i.shipment_ref) for i in items] == [
        (0, "in_transit", "shipment:acme:S-1042"),
        (1, "out_for_delivery", "shipment:acme:S-1042"),
        (2, "available_for_pickup", None),
    ]


def test_generic_event_keeps_every_carrier_event_field() -> None:
    document = payload("generic_events.json")
    (item,) = parsed(GENERIC.parse(generic_batch(document["events"][1])))
    expected = {
        k: v
        for k, v in document["events"][1].items()
        if k not in {"tracking_number", "carrier", "shop_id", "shipment_id"}
    }
    assert item.event == CarrierEvent.model_validate(expected)
    assert (item.tracking_number, item.carrier) == ("JD014600006011234567", "dpd")


def test_generic_event_without_shipment_has_no_ref() -> None:
    (item,) = parsed(GENERIC.parse(generic_batch(generic_event())))
    assert item.shipment_ref is None


def test_generic_batch_with_one_bad_status_still_delivers_the_others() -> None:
    body = generic_batch(
        generic_event(event_id="e-1"),
        generic_event(event_id="e-2"),
        generic_event(event_id="e-3", status="lost"),
        generic_event(event_id="e-4", status="delivered"),
    )
    items = GENERIC.parse(body)
    assert bad(items) == BadEvent(
        index=2,
        error="events[2].status: 'lost' is not one of 'shipped', 'in_transit', "
        "'out_for_delivery', 'delivery_failed', 'available_for_pickup', 'delivered', "
        "'returned', 'exception' or 'cancelled'",
        event_id="e-3",
        tracking_number="JD0146",
    )
    assert [e.event_id for e in delivered([items[0], items[1], items[3]])] == ["e-1", "e-2", "e-4"]


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        (
            {"occurred_at": "2026-11-20T08:15:00"},
            "events[0].occurred_at: Input should have timezone",
        ),
        ({"colour": "red"}, "events[0].colour: unknown field"),
        ({"tracking_number": None}, "events[0].tracking_number: Input should be a valid string"),
        ({"tracking_number": "JD 0146"}, "events[0].tracking_number: String should match pattern"),
        ({"shop_id": "acme"}, "events[0]: shop_id and shipment_id name the shipment together"),
        (
            {"location": {"country": "POL"}},
            "events[0].location.country: String should have at most",
        ),
        ({"description": "x" * 501}, "events[0].description: String should have at most 500"),
        (
            {"slots": [{"start": "2026-11-21T10:00:00Z", "end": "2026-11-21T09:00:00Z"}]},
            "events[0].slots[0]: window end must be after its start",
        ),
    ],
)
def test_generic_bad_field_is_named(fields: dict[str, Any], error: str) -> None:
    assert bad(GENERIC.parse(generic_batch(generic_event(**fields)))).error.startswith(error)


def test_generic_event_missing_fields_names_each() -> None:
    error = bad(GENERIC.parse(generic_batch({"status": "delivered"}))).error
    assert error == (
        "events[0].tracking_number: required field is missing; "
        "events[0].event_id: required field is missing; "
        "events[0].occurred_at: required field is missing"
    )


@pytest.mark.parametrize("event", [None, "e-1", 7, ["in_transit"]])
def test_generic_event_that_is_not_an_object_is_a_bad_event(event: object) -> None:
    assert bad(GENERIC.parse(generic_batch(event))).error.startswith(
        "events[0]: expected an object"
    )


@pytest.mark.parametrize("count", [0, 501])
def test_generic_batch_holds_one_to_five_hundred_events(count: int) -> None:
    with pytest.raises(PayloadError, match=f"1 to 500 events, got {count}"):
        GENERIC.parse(generic_batch(*[generic_event(event_id=f"e-{i}") for i in range(count)]))


def test_generic_batch_of_five_hundred_is_read() -> None:
    body = generic_batch(*[generic_event(event_id=f"e-{i}") for i in range(500)])
    assert len(delivered(GENERIC.parse(body))) == 500


@pytest.mark.parametrize(
    ("document", "error"),
    [
        ({}, "events: required field is missing"),
        ({"events": {"0": {}}}, "events: expected a list, got an object"),
        ({"events": [], "shop": "acme"}, "body: unknown field(s) 'shop'"),
    ],
)
def test_generic_batch_of_another_shape_is_a_payload_error(document: object, error: str) -> None:
    with pytest.raises(PayloadError, match=error.replace("(", r"\(").replace(")", r"\)")):
        GENERIC.parse(encode(document))


# Fuzz: nothing but PayloadError, and only ParsedEvent/BadEvent

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
IDS = st.from_regex(r"[A-Za-z0-9_-]{1,30}", fullmatch=True)
TIMES = st.datetimes(timezones=st.none() | st.timezones()).map(datetime.isoformat)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the plausible value (so the fuzz reaches the events), sometimes anything."""
    return st.integers(0, 9).flatmap(lambda n: JSON if n == 0 else strategy)


EASYPOST_SHAPED = st.fixed_dictionaries(
    {
        "description": maybe(st.sampled_from(sorted(easypost.TRACKER_EVENTS))),
        "result": maybe(
            st.fixed_dictionaries(
                {
                    "id": maybe(IDS),
                    "tracking_code": maybe(IDS),
                    "carrier": JSON,
                    "est_delivery_date": maybe(TIMES),
                    "tracking_details": maybe(
                        st.lists(
                            maybe(
                                st.fixed_dictionaries(
                                    {
                                        "status": maybe(
                                            st.sampled_from(
                                                sorted({*easypost.STATUSES, *easypost.IGNORED})
                                            )
                                        ),
                                        "status_detail": JSON,
                                        "message": JSON,
                                        "datetime": maybe(TIMES),
                                        "tracking_location": maybe(
                                            st.fixed_dictionaries({"city": JSON, "country": JSON})
                                        ),
                                    }
                                )
                            ),
                            max_size=4,
                        )
                    ),
                }
            )
        ),
    }
)
SHIPPO_ENTRY = st.fixed_dictionaries(
    {
        "object_id": maybe(IDS),
        "status": maybe(st.sampled_from(sorted({*shippo.STATUSES, *shippo.IGNORED}))),
        "status_details": JSON,
        "status_date": maybe(TIMES),
        "substatus": maybe(st.fixed_dictionaries({"code": JSON, "text": JSON})),
        "location": maybe(st.fixed_dictionaries({"city": JSON, "country": JSON})),
    }
)
SHIPPO_SHAPED = st.fixed_dictionaries(
    {
        "event": maybe(st.just("track_updated")),
        "data": maybe(
            st.fixed_dictionaries(
                {
                    "tracking_number": maybe(IDS),
                    "carrier": JSON,
                    "eta": maybe(TIMES),
                    "tracking_status": maybe(SHIPPO_ENTRY),
                    "tracking_history": maybe(st.lists(maybe(SHIPPO_ENTRY), max_size=4)),
                }
            )
        ),
    }
)
GENERIC_EVENT = st.fixed_dictionaries(
    {
        "tracking_number": maybe(IDS),
        "event_id": maybe(IDS),
        "status": maybe(st.sampled_from([s.value for s in ShipmentStatus])),
        "occurred_at": maybe(TIMES),
    },
    optional={
        "shop_id": JSON,
        "shipment_id": JSON,
        "location": maybe(st.fixed_dictionaries({"city": JSON, "country": JSON})),
        "window": JSON,
        "slots": JSON,
    },
)
GENERIC_SHAPED = st.fixed_dictionaries(
    {"events": maybe(st.lists(maybe(GENERIC_EVENT), max_size=4))}
)
SHAPED = {"easypost": EASYPOST_SHAPED, "shippo": SHIPPO_SHAPED, "generic": GENERIC_SHAPED}
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parses_or_refuses(adapter: CarrierAdapter, body: bytes) -> None:
    try:
        items = adapter.parse(body)
    except PayloadError:
        return
    assert all(isinstance(item, ParsedEvent | BadEvent) for item in items)
    assert [item.index for item in items] == list(range(len(items)))


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@FUZZ
@given(body=st.binary(max_size=200))
def test_fuzz_bytes_only_ever_give_a_payload_error(adapter: CarrierAdapter, body: bytes) -> None:
    parses_or_refuses(adapter, body)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@FUZZ
@given(document=JSON)
def test_fuzz_any_json_parses_or_is_a_payload_error(
    adapter: CarrierAdapter, document: object
) -> None:
    parses_or_refuses(adapter, encode(document))


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@FUZZ
@given(data=st.data())
def test_fuzz_carrier_shaped_json_with_odd_values_never_crashes(
    adapter: CarrierAdapter, data: st.DataObject
) -> None:
    parses_or_refuses(adapter, encode(data.draw(SHAPED[adapter.name])))


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@FUZZ
@given(data=st.data())
def test_fuzz_escaped_surrogates_never_crash(adapter: CarrierAdapter, data: st.DataObject) -> None:
    """json.loads turns "\\ud800" into a lone surrogate, which pydantic cannot read."""
    body = encode(data.draw(SHAPED[adapter.name])).replace(b"a", b"\\ud800")
    parses_or_refuses(adapter, body)


@pytest.mark.parametrize("adapter", ALL, ids=lambda a: a.name)
@FUZZ
@given(secret=st.text(), header=st.text(), stamp=st.text())
def test_fuzz_verify_only_ever_raises_signature_error(
    adapter: CarrierAdapter, secret: str, header: str, stamp: str
) -> None:
    headers = {adapter.signature_header.lower(): header, "x-waypost-timestamp": stamp}
    with pytest.raises(SignatureError):
        adapter.verify(b"{}", headers, secret, NOW)
