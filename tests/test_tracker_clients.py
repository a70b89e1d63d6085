"""The tracker clients against local servers speaking EasyPost's and Shippo's documented
formats: the requests they send, their auth, what a repeat creates, how errors are classed,
and the polled tracker read by the same adapters (same event ids) as its webhook."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from activities.carriers.base import TrackerRefused, TrackerUnavailable
from activities.carriers.easypost import EasyPostTrackers
from activities.carriers.shippo import ShippoTrackers
from activities.carriers.trackers import carrier_code, clients_from, read_tracker
from carriers.base import ParsedEvent
from carriers.easypost import EASYPOST
from carriers.shippo import SHIPPO
from infra.settings import Settings
from infra.trackers import tracker_key, tracker_plan
from models.status import ShipmentStatus
from models.tracking import TrackerMode, TrackerPlan, TrackerService
from testing.tracker_servers import EASYPOST_KEY, SHIPPO_TOKEN, FakeEasyPost, FakeShippo, Scan

AT = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def test_easypost_create_posts_the_documented_body_with_the_key(easypost: FakeEasyPost) -> None:
    tracker = EasyPostTrackers(EASYPOST_KEY, easypost.url).create("USPS", "EZ1000000001", "ref")

    (request,) = easypost.calls("POST")
    assert request.path == "/v2/trackers"
    assert json.loads(request.body) == {
        "tracker": {"tracking_code": "EZ1000000001", "carrier": "USPS"}
    }
    assert request.headers["authorization"] == f"Bearer {EASYPOST_KEY}"
    assert tracker["object"] == "Tracker" and str(tracker["id"]).startswith("trk_")


def test_easypost_create_twice_returns_the_original_tracker(easypost: FakeEasyPost) -> None:
    client = EasyPostTrackers(EASYPOST_KEY, easypost.url)

    first = client.tracker_id(client.create("USPS", "EZ1000000001", "ref"))
    second = client.tracker_id(client.create("USPS", "EZ1000000001", "ref"))

    assert first == second
    assert easypost.created == 1


def test_easypost_fetch_gets_the_tracker_by_id(easypost: FakeEasyPost) -> None:
    client = EasyPostTrackers(EASYPOST_KEY, easypost.url)
    tracker_id = client.tracker_id(client.create("USPS", "EZ1000000001", "ref"))

    client.fetch("USPS", "EZ1000000001", tracker_id)

    (request,) = easypost.calls("GET")
    assert request.path == f"/v2/trackers/{tracker_id}"


def test_easypost_wrong_key_is_refused_for_good(easypost: FakeEasyPost) -> None:
    with pytest.raises(TrackerRefused) as refused:
        EasyPostTrackers("EZTKwrong", easypost.url).create("USPS", "EZ1000000001", "ref")
    assert refused.value.status == 401
    assert "EZTKwrong" not in str(refused.value)


def test_easypost_invalid_tracking_code_is_refused_for_good(easypost: FakeEasyPost) -> None:
    easypost.invalid.add("EZ4000000004")
    with pytest.raises(TrackerRefused, match="422"):
        EasyPostTrackers(EASYPOST_KEY, easypost.url).create("USPS", "EZ4000000004", "ref")


@pytest.mark.parametrize("status", [500, 503, 429])
def test_easypost_outage_is_worth_retrying(easypost: FakeEasyPost, status: int) -> None:
    easypost.fail_next(status)
    with pytest.raises(TrackerUnavailable):
        EasyPostTrackers(EASYPOST_KEY, easypost.url).create("USPS", "EZ1000000001", "ref")


def test_easypost_timeout_is_worth_retrying_and_the_late_create_counts_once(
    easypost: FakeEasyPost,
) -> None:
    client = EasyPostTrackers(EASYPOST_KEY, easypost.url, timeout_seconds=1)
    easypost.hang_next(2)
    with pytest.raises(TrackerUnavailable):
        client.create("USPS", "EZ1000000001", "ref")

    client.create("USPS", "EZ1000000001", "ref")

    assert easypost.created == 1


def test_shippo_create_posts_the_documented_body_with_the_token(shippo: FakeShippo) -> None:
    track = ShippoTrackers(SHIPPO_TOKEN, shippo.url).create("usps", "9205590164917312751089", "m")

    (request,) = shippo.calls("POST")
    assert request.path == "/tracks/"
    assert json.loads(request.body) == {
        "carrier": "usps",
        "tracking_number": "9205590164917312751089",
        "metadata": "m",
    }
    assert request.headers["authorization"] == f"ShippoToken {SHIPPO_TOKEN}"
    assert track["tracking_number"] == "9205590164917312751089"


def test_shippo_registering_again_returns_the_same_track(shippo: FakeShippo) -> None:
    client = ShippoTrackers(SHIPPO_TOKEN, shippo.url)

    first = client.tracker_id(client.create("usps", "9205590164917312751089", "m"))
    second = client.tracker_id(client.create("usps", "9205590164917312751089", "m"))

    assert first == second == "usps/9205590164917312751089"
    assert shippo.created == 1


def test_shippo_fetch_gets_the_track_by_carrier_and_number(shippo: FakeShippo) -> None:
    client = ShippoTrackers(SHIPPO_TOKEN, shippo.url)
    client.create("usps", "9205590164917312751089", "m")

    client.fetch("usps", "9205590164917312751089", "usps/9205590164917312751089")

    (request,) = shippo.calls("GET")
    assert request.path == "/tracks/usps/9205590164917312751089"


def test_shippo_unknown_carrier_is_refused_for_good(shippo: FakeShippo) -> None:
    with pytest.raises(TrackerRefused, match="400"):
        ShippoTrackers(SHIPPO_TOKEN, shippo.url).create("pony_express", "SHIPPO_TRANSIT", "m")


def test_shippo_retry_after_is_kept(shippo: FakeShippo) -> None:
    shippo.fail_next(429, retry_after=7)
    with pytest.raises(TrackerUnavailable) as unavailable:
        ShippoTrackers(SHIPPO_TOKEN, shippo.url).create("usps", "SHIPPO_TRANSIT", "m")
    assert unavailable.value.retry_after == 7


def test_a_polled_easypost_tracker_reads_like_its_webhook(easypost: FakeEasyPost) -> None:
    easypost.plan(
        "EZ1000000001",
        [Scan("in_transit", at=AT), Scan("in_transit", "out_for_delivery", at=AT + timedelta(1))],
    )
    client = EasyPostTrackers(EASYPOST_KEY, easypost.url)
    tracker = client.fetch(
        "USPS", "EZ1000000001", client.tracker_id(client.create("USPS", "EZ1000000001", "r"))
    )
    webhook = json.dumps({"description": "tracker.updated", "result": tracker}).encode()

    polled = read_tracker(TrackerService.EASYPOST, tracker)

    assert [e.status for e in polled.events] == [
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
    ]
    assert polled.events == [i.event for i in EASYPOST.parse(webhook) if isinstance(i, ParsedEvent)]


def test_a_polled_shippo_track_reads_like_its_webhook(shippo: FakeShippo) -> None:
    shippo.plan(
        "SHIPPO_TRANSIT", [Scan("PRE_TRANSIT", at=AT), Scan("TRANSIT", at=AT + timedelta(1))]
    )
    client = ShippoTrackers(SHIPPO_TOKEN, shippo.url)
    client.create("shippo", "SHIPPO_TRANSIT", "m")
    track = client.fetch("shippo", "SHIPPO_TRANSIT", "shippo/SHIPPO_TRANSIT")
    webhook = json.dumps({"event": "track_updated", "data": track}).encode()

    polled = read_tracker(TrackerService.SHIPPO, track)

    assert polled.ignored == 1
    assert [e.status for e in polled.events] == [ShipmentStatus.IN_TRANSIT]
    assert polled.events == [
        i.event for i in SHIPPO.parse(webhook) if isinstance(i, ParsedEvent) and i.event
    ]


def test_shippo_carrier_tokens_are_lower_case_easypost_names_as_given() -> None:
    assert carrier_code(TrackerService.SHIPPO, "USPS") == "usps"
    assert carrier_code(TrackerService.EASYPOST, "FedEx") == "FedEx"


def test_no_key_no_plan() -> None:
    assert tracker_plan(Settings(), "shop-1") is None


def test_easypost_is_preferred_when_both_keys_are_set() -> None:
    settings = Settings(
        easypost_api_key=SecretStr("k"),
        shippo_api_token=SecretStr("t"),
        shippo_tracker_mode=TrackerMode.POLLING,
    )
    assert tracker_plan(settings, "shop-1") == TrackerPlan(service=TrackerService.EASYPOST)


def test_a_shop_with_its_own_account_uses_its_own_key_only() -> None:
    settings = Settings(
        easypost_api_key=SecretStr("deployment"),
        shippo_tracker_mode=TrackerMode.POLLING,
        shop_tracker_keys={"shop-2": {TrackerService.SHIPPO: SecretStr("own")}},
    )
    own = tracker_plan(settings, "shop-2")
    other = tracker_plan(settings, "shop-1")

    assert own == TrackerPlan(
        service=TrackerService.SHIPPO, mode=TrackerMode.POLLING, shop_account=True
    )
    assert other is not None and other.service is TrackerService.EASYPOST
    key = tracker_key(settings, "shop-2", own)
    assert key is not None and key.get_secret_value() == "own"


def test_a_removed_key_leaves_no_client() -> None:
    plan = TrackerPlan(service=TrackerService.EASYPOST)
    assert clients_from(Settings())("shop-1", plan) is None
