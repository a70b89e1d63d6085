"""Timers as a pure function of the shipment's state."""

from __future__ import annotations

from datetime import time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from models.notification import NotificationKind
from models.policy import NotificationPolicy, Party, QuietHours
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, out_for_delivery, shipment, window
from workflows.lifecycle import apply_event
from workflows.schedule import timers

K, S = NotificationKind, ShipmentStatus


def state_with(*events: object, policy: NotificationPolicy | None = None) -> ShipmentState:
    state = ShipmentState(
        shipment=shipment(policy=policy or NotificationPolicy(quiet_hours=None)), status_since=T0
    )
    for e in events:
        apply_event(state, e, T0)  # type: ignore[arg-type]
    return state


def kinds(state: ShipmentState) -> list[NotificationKind | None]:
    return [t.kind for t in timers(state)]


def test_out_for_delivery_arms_the_confirmation_before_the_window() -> None:
    [confirm] = [
        t for t in timers(state_with(out_for_delivery(60))) if t.kind is K.COURIER_ONE_HOUR
    ]
    assert confirm.due_at == window().start - timedelta(hours=1)


def test_the_confirmation_is_not_armed_again_for_the_same_window() -> None:
    state = state_with(out_for_delivery(60))
    state.one_hour_window = state.window
    assert K.COURIER_ONE_HOUR not in kinds(state)


def test_a_final_status_leaves_nothing_scheduled_without_a_thank_you() -> None:
    assert timers(state_with(out_for_delivery(60), event(S.DELIVERED, 90))) == []


def test_an_estimate_already_passed_at_the_last_progress_is_no_new_delay() -> None:
    state = state_with(event(S.IN_TRANSIT, 10, estimated_delivery=T0), event(S.IN_TRANSIT, 20))
    [watch] = timers(state)
    assert watch.reason == "delay watch: no carrier progress"


def test_a_pickup_arms_reminder_last_call_and_deadline_in_order() -> None:
    state = state_with(event(S.AVAILABLE_FOR_PICKUP, 0))
    assert kinds(state) == [K.PICKUP_REMINDER, K.PICKUP_FINAL_WARNING, None]


@given(st.integers(0, 23), st.integers(0, 23), st.integers(0, 60 * 24 * 3))
def test_no_non_urgent_timer_falls_inside_quiet_hours(start: int, end: int, minutes: int) -> None:
    if start == end:
        return
    quiet = QuietHours(start=time(start), end=time(end))
    state = state_with(
        event(S.AVAILABLE_FOR_PICKUP, minutes), policy=NotificationPolicy(quiet_hours=quiet)
    )
    tz = state.shipment.recipient.time_zone
    for timer in timers(state):
        if timer.kind is not None:
            assert not quiet.contains(timer.due_at, tz)


def test_a_kind_the_policy_silences_arms_no_timer() -> None:
    policy = NotificationPolicy(
        quiet_hours=None, channels={K.PICKUP_REMINDER: (), K.PICKUP_FINAL_WARNING: ()}
    )
    state = state_with(event(S.AVAILABLE_FOR_PICKUP, 0), policy=policy)
    assert kinds(state) == [None]  # only the storage deadline


def test_a_kind_another_party_owns_still_arms_its_timer() -> None:
    policy = NotificationPolicy(quiet_hours=None, owners={K.PICKUP_REMINDER: Party.CARRIER})
    state = state_with(event(S.AVAILABLE_FOR_PICKUP, 0), policy=policy)
    assert K.PICKUP_REMINDER in kinds(state)
