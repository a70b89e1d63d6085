"""Whatever the models accept, the workflow's pure decisions take without raising, and every
timer they compute stays near the era (models.bounds): no accepted value can give a shipment a
first task that fails forever."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.bounds import EARLIEST, LATEST, MAX_POLICY_DURATION
from models.notification import NotificationKind
from models.shipment import CarrierEvent, ShipmentStart
from models.state import EventOutcome, ShipmentState
from tests.strategies import carrier_events, moments, shipment_starts
from workflows.lifecycle import apply_event
from workflows.plan import message_context, plan_kind, plan_status_change
from workflows.schedule import pending_timer_kinds, timers

K = NotificationKind
MARGIN = MAX_POLICY_DURATION + timedelta(days=2)
"""A timer is a date plus at most one policy duration, moved past quiet hours at most a day."""
EXAMPLES = 300


def in_range(moment: datetime) -> bool:
    return EARLIEST - MARGIN <= moment <= LATEST + MARGIN


def settle_timers(state: ShipmentState) -> None:
    """Fire the timers due one after another, as the workflow would, until none says more."""
    for _ in range(12):
        due = timers(state)
        assert all(in_range(t.due_at) for t in due)
        if not due or due[0].kind is None:
            return
        timer = due[0]
        assert timer.kind is not None
        _, records = plan_kind(state, timer.kind, "timer", timer.due_at)
        state.notifications.extend(records)
        if timer.kind is K.DELAY_NOTICE:
            state.delay_noticed = True
        elif timer.kind is K.COURIER_ONE_HOUR:
            state.one_hour_window = state.window
        elif timer.kind is K.SLOT_CONFIRMED:
            state.offered_slots, state.choose_by = [], None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=shipment_starts(), events=st.lists(carrier_events(), max_size=8), now=moments())
def test_the_pure_decisions_take_whatever_the_models_accept(
    start: ShipmentStart, events: list[CarrierEvent], now: datetime
) -> None:
    state = ShipmentState(shipment=start, status_since=start.shipped_at or now)
    _, records = plan_status_change(state, None, "start", now)
    state.notifications.extend(records)
    settle_timers(state)
    for event in events:
        previous = state.status
        if apply_event(state, event, now).outcome is not EventOutcome.APPLIED:
            continue
        _, records = plan_status_change(state, previous, event.event_id, event.occurred_at)
        state.notifications.extend(records)
        if event.slots:
            state.offered_slots = event.slots
            state.choose_by = event.occurred_at + start.policy.slot_choice_time
        settle_timers(state)
    pending_timer_kinds(state)
    message_context(state)
    assert ShipmentState.model_validate_json(state.model_dump_json()) == state
