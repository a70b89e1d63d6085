"""Which status changes are legal, and what to do with an incoming carrier event. Pure functions.

A carrier may scan a parcel in transit many times, an out-for-delivery van may come back to the
depot, a failed attempt is followed by another or by a pickup point; nothing leaves a final status.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime

from models.days import day_end
from models.shipment import FINAL_STATUSES, CarrierEvent
from models.state import EventOutcome, ShipmentState, TimelineEntry
from models.status import ShipmentStatus

S = ShipmentStatus

_ON_THE_WAY = frozenset(
    {
        S.IN_TRANSIT,
        S.OUT_FOR_DELIVERY,
        S.DELIVERY_FAILED,
        S.AVAILABLE_FOR_PICKUP,
        S.DELIVERED,
        S.RETURNED,
        S.EXCEPTION,
    }
)

TRANSITIONS: Mapping[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.SHIPPED: _ON_THE_WAY | {S.CANCELLED},
    S.IN_TRANSIT: _ON_THE_WAY,
    S.OUT_FOR_DELIVERY: _ON_THE_WAY,
    S.DELIVERY_FAILED: _ON_THE_WAY,
    S.EXCEPTION: _ON_THE_WAY,
    S.AVAILABLE_FOR_PICKUP: frozenset({S.AVAILABLE_FOR_PICKUP, S.DELIVERED, S.RETURNED}),
    S.DELIVERED: frozenset(),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
}


def can_transition(current: ShipmentStatus, new: ShipmentStatus) -> bool:
    return new in TRANSITIONS[current]


def refusal(current: ShipmentStatus, new: ShipmentStatus) -> str | None:
    """Why `current -> new` is impossible, or None when it is legal."""
    if current in FINAL_STATUSES:
        return f"the shipment is already {current.value}; a final status never changes"
    if not can_transition(current, new):
        allowed = ", ".join(sorted(s.value for s in TRANSITIONS[current]))
        return f"cannot go from {current.value} to {new.value} (allowed next: {allowed})"
    return None


@dataclass(frozen=True)
class Verdict:
    outcome: EventOutcome
    reason: str | None = None


def judge_event(
    event: CarrierEvent,
    *,
    status: ShipmentStatus,
    last_event_at: datetime | None,
    seen_event_ids: Set[str],
) -> Verdict:
    """Decide what an event does, before anything changes.

    A known event id (or the id an earlier derivation gave the same scan) is a duplicate; an
    event older than the newest applied one is out of order (kept in the timeline, never moves
    the status back); otherwise it applies if legal.
    """
    if event.event_id in seen_event_ids:
        return Verdict(EventOutcome.DUPLICATE, "this event id was received before")
    if event.legacy_event_id is not None and event.legacy_event_id in seen_event_ids:
        # The same scan, received before its id's derivation changed (after a deploy).
        return Verdict(EventOutcome.DUPLICATE, "received before under its earlier id")
    if last_event_at is not None and event.occurred_at < last_event_at:
        return Verdict(
            EventOutcome.OUT_OF_ORDER,
            f"older than the latest applied event ({last_event_at.isoformat()}); kept in the "
            "timeline, status unchanged",
        )
    reason = refusal(status, event.status)
    if reason is not None:
        return Verdict(EventOutcome.REFUSED, reason)
    return Verdict(EventOutcome.APPLIED)


def apply_event(state: ShipmentState, event: CarrierEvent, received_at: datetime) -> Verdict:
    """Record `event` in `state` as judged: the timeline always, the status only when it applies.

    Mutates the state in place (the workflow owns exactly one); returns the verdict so the
    caller knows whether messages are due.
    """
    verdict = judge_event(
        event,
        status=state.status,
        last_event_at=state.last_event_at,
        seen_event_ids=state.seen_event_ids(),
    )
    if verdict.outcome is EventOutcome.DUPLICATE:
        return verdict
    state.timeline.append(
        TimelineEntry(
            event=event, received_at=received_at, outcome=verdict.outcome, reason=verdict.reason
        )
    )
    if verdict.outcome is not EventOutcome.APPLIED:
        return verdict
    if event.status is not state.status:
        state.status_since = event.occurred_at
        state.delay_noticed = False  # progress ends a delay episode
    state.status = event.status
    state.last_event_at = event.occurred_at
    state.exception = event.exception if event.status is S.EXCEPTION else None
    if event.estimated_day is not None:
        # A day, not an instant: it lasts until midnight where the parcel goes.
        state.estimated_day = event.estimated_day
        state.estimated_delivery = day_end(event.estimated_day, state.shipment.recipient.time_zone)
    if event.window is not None:
        state.window = event.window
        state.estimated_delivery, state.estimated_day = event.window.end, None
    if event.estimated_delivery is not None:
        state.estimated_delivery, state.estimated_day = event.estimated_delivery, None
    if event.courier is not None:
        state.courier = event.courier
    if event.pickup_point is not None:
        state.pickup_point = event.pickup_point
    return verdict
