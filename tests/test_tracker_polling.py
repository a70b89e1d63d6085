"""When a polled tracker is fetched (a pure function of the status), and what support reads of
a tracker in `waypost shipment show` and the Temporal UI's details."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.shipment import FINAL_STATUSES
from models.state import ShipmentState
from models.status import ShipmentStatus
from models.tracking import TrackerMode, TrackerService, TrackerState
from starters.cli import render_state
from testing.factories import T0, shipment
from workflows.details import markdown
from workflows.trackers import POLL_INTERVALS, next_poll, poll_interval

S = ShipmentStatus


def polled(**fields: object) -> TrackerState:
    base: dict[str, object] = {
        "service": TrackerService.EASYPOST,
        "mode": TrackerMode.POLLING,
        "tracker_id": "trk_1",
        "created_at": T0,
    }
    return TrackerState.model_validate(base | fields)


def test_in_transit_is_polled_every_few_hours() -> None:
    assert poll_interval(S.IN_TRANSIT) == timedelta(hours=3)


def test_out_for_delivery_is_polled_every_few_minutes() -> None:
    assert poll_interval(S.OUT_FOR_DELIVERY) == timedelta(minutes=15)


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
def test_a_final_status_is_not_polled(status: ShipmentStatus) -> None:
    assert poll_interval(status) is None


def test_every_open_status_has_an_interval() -> None:
    assert set(POLL_INTERVALS) == set(S) - FINAL_STATUSES


def test_the_next_poll_follows_the_last_one_by_the_statuss_interval() -> None:
    tracker = polled(last_poll_at=T0 + timedelta(hours=1))
    assert next_poll(tracker, S.OUT_FOR_DELIVERY, T0) == T0 + timedelta(hours=1, minutes=15)


def test_the_first_poll_follows_the_creation() -> None:
    assert next_poll(polled(), S.IN_TRANSIT, T0) == T0 + timedelta(hours=3)


@pytest.mark.parametrize(
    "tracker",
    [
        polled(mode=TrackerMode.WEBHOOK),
        polled(tracker_id=None),
        polled(tracker_id=None, error="easypost answered 422: Invalid tracking number"),
        None,
    ],
    ids=["webhook mode", "not yet created", "refused", "no tracker"],
)
def test_nothing_to_poll(tracker: TrackerState | None) -> None:
    assert next_poll(tracker, S.IN_TRANSIT, T0) is None


def test_a_delivered_shipment_is_polled_no_more() -> None:
    assert next_poll(polled(), S.DELIVERED, T0) is None


def state_with(tracker: TrackerState) -> ShipmentState:
    return ShipmentState(shipment=shipment(), status_since=T0, tracker=tracker)


def test_shipment_show_names_the_tracker_its_mode_and_last_poll() -> None:
    tracker = polled(polls=3, last_poll_at=T0 + timedelta(hours=2))

    text = render_state(state_with(tracker))

    line = next(x for x in text.splitlines() if x.startswith("tracker:"))
    assert "easypost tracker (polling) trk_1" in line
    assert "polled 3x" in line and (T0 + timedelta(hours=2)).strftime("%H:%M") in line


def test_the_ui_details_say_why_there_is_no_tracker() -> None:
    tracker = polled(tracker_id=None, error="easypost answered 422: Invalid tracking number")

    text = markdown(state_with(tracker), [])

    assert "Tracker: easypost tracker (polling): not created, easypost answered 422" in text
