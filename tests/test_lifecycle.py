"""The lifecycle as a specification: which status changes are legal, and what an event does."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from models.shipment import FINAL_STATUSES
from models.state import EventOutcome, ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.lifecycle import TRANSITIONS, apply_event, can_transition, judge_event, refusal

S = ShipmentStatus
statuses = st.sampled_from(list(ShipmentStatus))


def fresh_state() -> ShipmentState:
    return ShipmentState(shipment=shipment(), status_since=T0)


def test_every_status_has_a_transition_table_entry() -> None:
    assert set(TRANSITIONS) == set(ShipmentStatus)


@given(final=st.sampled_from(sorted(FINAL_STATUSES)), new=statuses)
def test_nothing_leaves_a_final_status(final: ShipmentStatus, new: ShipmentStatus) -> None:
    assert not can_transition(final, new)
    assert "final status" in (refusal(final, new) or "")


@given(current=statuses, new=statuses)
def test_refusal_is_given_exactly_for_illegal_moves(
    current: ShipmentStatus, new: ShipmentStatus
) -> None:
    assert (refusal(current, new) is None) == can_transition(current, new)


@given(current=statuses)
def test_nothing_goes_back_to_shipped(current: ShipmentStatus) -> None:
    assert not can_transition(current, S.SHIPPED)


def test_the_plain_path_is_legal() -> None:
    path = [
        S.SHIPPED,
        S.IN_TRANSIT,
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.OUT_FOR_DELIVERY,
        S.DELIVERED,
    ]
    assert all(can_transition(a, b) for a, b in pairwise(path))


def test_a_parcel_at_a_pickup_point_is_picked_up_or_returned_only() -> None:
    assert TRANSITIONS[S.AVAILABLE_FOR_PICKUP] == {S.AVAILABLE_FOR_PICKUP, S.DELIVERED, S.RETURNED}


def test_cancelling_is_possible_only_before_the_first_scan() -> None:
    assert can_transition(S.SHIPPED, S.CANCELLED)
    assert not any(can_transition(s, S.CANCELLED) for s in ShipmentStatus if s is not S.SHIPPED)


def test_a_known_event_id_is_a_duplicate() -> None:
    verdict = judge_event(
        event(S.IN_TRANSIT, 5, event_id="a"),
        status=S.SHIPPED,
        last_event_at=None,
        seen_event_ids={"a"},
    )
    assert verdict.outcome is EventOutcome.DUPLICATE


def test_an_event_older_than_the_latest_applied_is_out_of_order_even_if_illegal() -> None:
    verdict = judge_event(
        event(S.IN_TRANSIT, 5),
        status=S.DELIVERED,
        last_event_at=T0 + timedelta(minutes=10),
        seen_event_ids=set(),
    )
    assert verdict.outcome is EventOutcome.OUT_OF_ORDER


def test_apply_moves_status_and_keeps_window_and_courier() -> None:
    from testing.factories import out_for_delivery, window

    state = fresh_state()
    verdict = apply_event(state, out_for_delivery(30), T0)
    assert verdict.outcome is EventOutcome.APPLIED
    assert state.status is S.OUT_FOR_DELIVERY
    assert state.window == window()
    assert state.estimated_delivery == window().end
    assert state.last_event_at == T0 + timedelta(minutes=30)


def test_apply_keeps_a_refused_event_in_the_timeline_without_moving() -> None:
    state = fresh_state()
    apply_event(state, event(S.DELIVERED, 10), T0)
    verdict = apply_event(state, event(S.IN_TRANSIT, 20), T0)
    assert verdict.outcome is EventOutcome.REFUSED
    assert state.status is S.DELIVERED
    assert [e.outcome for e in state.timeline] == [EventOutcome.APPLIED, EventOutcome.REFUSED]


@given(st.lists(st.tuples(statuses, st.integers(0, 50), st.integers(0, 5)), max_size=25))
def test_whatever_arrives_the_status_only_moves_along_legal_edges(
    arrivals: list[tuple[ShipmentStatus, int, int]],
) -> None:
    state = fresh_state()
    for status, minutes, ident in arrivals:
        before = state.status
        verdict = apply_event(state, event(status, minutes, event_id=f"{ident}-{minutes}"), T0)
        if verdict.outcome is EventOutcome.APPLIED:
            assert can_transition(before, state.status)
        else:
            assert state.status is before
    ids = [e.event.event_id for e in state.timeline]
    assert len(ids) == len(set(ids))
