"""What the carriers' payloads say beyond the status (issue 15): what went wrong in an exception,
whether an estimate is a day or an instant, which environment sent the event, and what tells two
scans apart. Pure adapters, on the carriers' documented payloads (tests/api/payloads) varied
field by field."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from carriers import exceptions
from carriers.base import ParsedEvent, ParsedItem
from carriers.easypost import EASYPOST
from carriers.shippo import SHIPPO
from models.shipment import CarrierEvent
from models.status import ExceptionReason, ShipmentStatus

PAYLOADS = Path(__file__).parent / "payloads"
R, S = ExceptionReason, ShipmentStatus


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def events(items: list[ParsedItem]) -> list[CarrierEvent]:
    found = [i.event for i in items if isinstance(i, ParsedEvent) and i.event is not None]
    assert len(found) == len([i for i in items if isinstance(i, ParsedEvent) and i.event]), items
    return found


def easypost(*details: dict[str, Any], **result: Any) -> Any:
    document = payload("easypost_tracker_updated.json")
    document["result"]["tracking_details"] = list(details)
    document["result"].update(result)
    return document


def easypost_detail(status: str, status_detail: str | None = None, **fields: Any) -> Any:
    detail = copy.deepcopy(
        payload("easypost_tracker_updated.json")["result"]["tracking_details"][2]
    )
    detail.update({"status": status, "status_detail": status_detail, **fields})
    return detail


def shippo(*entries: dict[str, Any], **data: Any) -> Any:
    document = payload("shippo_track_updated.json")
    document["data"]["tracking_history"] = list(entries)
    document["data"].update(data)
    return document


def shippo_entry(status: str, code: str | None, **fields: Any) -> Any:
    entry = copy.deepcopy(payload("shippo_track_updated.json")["data"]["tracking_history"][2])
    entry["status"] = status
    entry["substatus"] = (
        None if code is None else {"code": code, "text": code, "action_required": True}
    )
    entry.update(fields)
    return entry


def only(document: Any, adapter: Any = EASYPOST) -> CarrierEvent:
    [event] = events(adapter.parse(encode(document)))
    return event


# Exceptions: each carrier's words for what went wrong


@pytest.mark.parametrize(
    ("detail", "reason"),
    [
        ("lost", R.LOST),
        ("damaged", R.DAMAGED),
        ("held", R.HELD),
        ("awaiting_information", R.HELD),
        ("address_correction", R.ADDRESS),
        ("refused", R.REFUSED),
        ("unknown", R.OTHER),
        (None, R.OTHER),
    ],
)
def test_an_easypost_failure_carries_its_reason_and_the_carriers_words(
    detail: str | None, reason: ExceptionReason
) -> None:
    event = only(easypost(easypost_detail("failure", detail, message="As the carrier put it")))
    assert (event.status, event.exception) == (S.EXCEPTION, reason)
    assert event.description == "As the carrier put it"
    assert event.detail == ("failure/" + detail if detail else "failure")


@pytest.mark.parametrize(("detail", "reason"), [("lost", R.LOST), ("damaged", R.DAMAGED)])
def test_an_easypost_in_transit_scan_that_lost_or_damaged_the_parcel_is_an_exception(
    detail: str, reason: ExceptionReason
) -> None:
    event = only(easypost(easypost_detail("in_transit", detail)))
    assert (event.status, event.exception) == (S.EXCEPTION, reason)


def test_an_easypost_refusal_said_only_in_words_is_a_refusal() -> None:
    detail = easypost_detail("failure", None, message="Refused by recipient")
    assert only(easypost(detail)).exception is R.REFUSED


def test_an_ordinary_scan_has_no_exception_reason() -> None:
    assert only(easypost(easypost_detail("in_transit", "arrived_at_facility"))).exception is None


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        ("FAILURE", "package_lost", R.LOST),
        ("FAILURE", "package_disposed", R.LOST),
        ("FAILURE", "package_undeliverable", R.OTHER),
        ("FAILURE", None, R.OTHER),
        ("TRANSIT", "package_damaged", R.DAMAGED),
        ("TRANSIT", "package_held", R.HELD),
        ("TRANSIT", "address_issue", R.ADDRESS),
        ("TRANSIT", "contact_carrier", R.OTHER),
    ],
)
def test_a_shippo_problem_carries_its_reason_and_the_carriers_words(
    status: str, code: str | None, reason: ExceptionReason
) -> None:
    event = only(shippo(shippo_entry(status, code, status_details="Carrier says")), SHIPPO)
    assert (event.status, event.exception) == (S.EXCEPTION, reason)
    assert event.description == "Carrier says"
    assert event.detail == (f"{status}/{code}" if code else status)


def test_a_shippo_refusal_in_the_status_details_is_a_refusal() -> None:
    entry = shippo_entry("FAILURE", None, status_details="Delivery refused by addressee")
    assert only(shippo(entry), SHIPPO).exception is R.REFUSED


@pytest.mark.parametrize(
    ("subtag", "reason"),
    [
        ("Exception_002", R.ADDRESS),
        ("Exception_003", R.REFUSED),
        ("Exception_004", R.HELD),
        ("Exception_006", R.HELD),
        ("Exception_007", R.ADDRESS),
        ("Exception_012", R.DAMAGED),
        ("Exception_013", R.LOST),
        ("Exception_018", R.HELD),
        ("Exception_001", R.OTHER),
        ("Exception_005", R.OTHER),
    ],
)
def test_aftership_exception_subtags_map_onto_reasons(subtag: str, reason: ExceptionReason) -> None:
    assert exceptions.reason(exceptions.AFTERSHIP, subtag) is reason


# Estimates: a day is a day


def test_easypost_midnight_utc_estimate_is_a_day_not_an_instant() -> None:
    event = only(easypost(easypost_detail("in_transit"), est_delivery_date="2026-11-21T00:00:00Z"))
    assert (event.estimated_day, event.estimated_delivery) == (date(2026, 11, 21), None)


def test_easypost_local_estimate_date_wins_over_the_utc_one() -> None:
    document = easypost(easypost_detail("in_transit"), est_delivery_date="2026-11-21T00:00:00Z")
    document["result"]["carrier_detail"]["est_delivery_date_local"] = "2026-11-20"
    assert only(document).estimated_day == date(2026, 11, 20)


def test_easypost_estimate_with_a_local_time_stays_an_instant() -> None:
    document = easypost(easypost_detail("in_transit"), est_delivery_date="2026-11-20T22:00:00Z")
    document["result"]["carrier_detail"]["est_delivery_date_local"] = "2026-11-20"
    document["result"]["carrier_detail"]["est_delivery_time_local"] = "14:00:00"
    event = only(document)
    assert event.estimated_delivery == datetime(2026, 11, 20, 22, tzinfo=UTC)
    assert event.estimated_day is None


def test_shippo_eta_at_midnight_or_as_a_date_is_a_day() -> None:
    for eta in ("2026-11-21T00:00:00Z", "2026-11-21"):
        event = only(shippo(shippo_entry("TRANSIT", "package_arrived"), eta=eta), SHIPPO)
        assert (event.estimated_day, event.estimated_delivery) == (date(2026, 11, 21), None)


def test_shippo_eta_with_a_time_stays_an_instant() -> None:
    event = only(shippo(shippo_entry("TRANSIT", None), eta="2026-11-21T17:00:00Z"), SHIPPO)
    assert event.estimated_delivery == datetime(2026, 11, 21, 17, tzinfo=UTC)


# Test mode


@pytest.mark.parametrize("mode", ["test", "production"])
def test_easypost_events_say_which_mode_sent_them(mode: str) -> None:
    document = easypost(easypost_detail("in_transit"))
    document["mode"] = document["result"]["mode"] = mode
    assert {i.mode for i in EASYPOST.parse(encode(document)) if isinstance(i, ParsedEvent)} == {
        mode
    }


@pytest.mark.parametrize(("test", "mode"), [(True, "test"), (False, "production")])
def test_shippo_events_say_which_mode_sent_them(test: bool, mode: str) -> None:
    document = shippo(shippo_entry("TRANSIT", None))
    document["test"] = test
    assert {i.mode for i in SHIPPO.parse(encode(document)) if isinstance(i, ParsedEvent)} == {mode}


# Event identity where the carrier gives no id per scan


@pytest.mark.parametrize(
    "change",
    [
        {"status_detail": "arrived_at_facility"},
        {"message": "Processed through USPS Facility"},
        {
            "tracking_location": {
                "city": "JERSEY CITY",
                "state": "NJ",
                "country": "US",
                "zip": "07097",
            }
        },
    ],
)
def test_two_easypost_scans_at_the_same_time_and_status_are_told_apart(change: Any) -> None:
    first = easypost_detail("in_transit", "departed_facility")
    second = {**first, **change}
    ids = [e.event_id for e in events(EASYPOST.parse(encode(easypost(first, second))))]
    assert len(set(ids)) == 2


def test_easypost_scans_keep_the_id_they_had_before_as_their_legacy_id() -> None:
    detail = easypost_detail("in_transit", "departed_facility", datetime="2026-11-19T08:35:00Z")
    event = only(easypost(detail))
    assert event.legacy_event_id == (
        "easypost:trk_5d3a1b0f7c9e4a2b8d6f0e1c2a3b4c5d:2026-11-19T08:35:00Z:in_transit"
    )


def test_two_shippo_entries_without_ids_at_the_same_time_and_status_are_told_apart() -> None:
    first = shippo_entry("TRANSIT", "package_departed", object_id=None)
    moved = {
        **first,
        "location": {"city": "Richmond", "state": "VA", "zip": "23219", "country": "US"},
    }
    ids = [e.event_id for e in events(SHIPPO.parse(encode(shippo(first, moved))))]
    assert len(set(ids)) == 2


def test_shippo_entries_with_object_ids_keep_them_and_need_no_legacy_id() -> None:
    event = only(shippo(shippo_entry("TRANSIT", "package_departed")), SHIPPO)
    assert event.event_id.startswith("shippo:") and event.legacy_event_id is None
