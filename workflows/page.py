"""The tracking page's part of a shipment's live state (`models.page`), derived by the same
predicates the workflow's validators ask, so the page offers exactly what the workflow accepts
whether it reads the ledger's copy or, as a fallback, the workflow's query. Pure: the workflow
computes it in its sandbox each time it publishes."""

from __future__ import annotations

from typing import Literal

from infra.metrics import WORKFLOW_DECIDED
from models.notification import NotificationKind, NotificationStatus
from models.page import LivePage, LiveView, PageCall, PageContact, PageMessage, PageWait
from models.shipment import PickupPoint
from models.state import DeferredWait, ShipmentState, TimerWait
from models.status import ShipmentStatus
from workflows.plan import resolve_channels
from workflows.reactions import can_answer_courier, can_choose_slot, current_reply
from workflows.schedule import marketing_ahead, storage_deadline
from workflows.waiting import scheduled

__all__ = ["live_page", "live_view"]

_NOT_IN_LEDGER = WORKFLOW_DECIDED | {NotificationStatus.PLANNED}
"""Messages the sender never had (yet): the ledger has no row for them."""


def live_page(state: ShipmentState) -> LivePage:
    """What the page shows of `state`. The query's `waiting_for` is used when it carries the
    timers (it is the same derivation); the workflow's own state has it empty."""
    waits = [w for w in state.waiting_for if isinstance(w, TimerWait | DeferredWait)]
    question = state.one_hour_window if can_answer_courier(state) is None else None
    last = current_reply(state) if question is not None else None
    answer: Literal["confirm", "reschedule"] | None = None
    if last is not None and last.what in ("confirm", "reschedule"):
        answer = "confirm" if last.what == "confirm" else "reschedule"
    policy = state.shipment.policy
    return LivePage(
        status=state.status,
        status_since=state.status_since,
        window=state.window,
        estimated_delivery=state.estimated_delivery,
        estimated_day=state.estimated_day,
        exception=state.exception if state.status is ShipmentStatus.EXCEPTION else None,
        courier=state.courier,
        pickup_point=_pickup_point(state),
        scheduled=[_wait(w) for w in waits or scheduled(state)],
        offered_slots=state.offered_slots if can_choose_slot(state) is None else [],
        choose_by=state.choose_by if can_choose_slot(state) is None else None,
        courier_question=question,
        answer=answer,
        answered_at=last.received_at if answer is not None and last is not None else None,
        consented=state.consents_to_marketing(),
        consent=state.marketing_consent,
        marketing_ahead=marketing_ahead(state),
        marketing_channels=resolve_channels(
            policy.channels_for(NotificationKind.THANK_YOU), state.shipment.recipient
        ),
        messages=[
            PageMessage(
                key=n.key,
                kind=n.kind,
                channel=n.channel,
                status=n.status,
                at=n.settled_at or n.planned_at,
                due_at=n.due_at if n.status is NotificationStatus.PLANNED else None,
                provider=n.provider,
            )
            for n in state.notifications
            if n.status in _NOT_IN_LEDGER
        ],
        calls=[
            PageCall(
                call_id=c.call_id,
                occurred_at=c.occurred_at,
                centre=c.centre,
                direction=c.direction,
                outcome=c.outcome,
            )
            for c in state.calls
        ],
    )


def _pickup_point(state: ShipmentState) -> PickupPoint | None:
    """The point the parcel waits at; while it waits there, with its storage deadline (the
    carrier's, else the policy's storage period from its arrival)."""
    point = state.pickup_point or state.shipment.delivery.pickup_point
    if point is None or point.storage_deadline is not None:
        return point
    if state.status is not ShipmentStatus.AVAILABLE_FOR_PICKUP:
        return point
    return point.model_copy(update={"storage_deadline": storage_deadline(state)})


def _wait(wait: TimerWait | DeferredWait) -> PageWait:
    if isinstance(wait, TimerWait):
        return PageWait(until=wait.until, message=wait.message)
    return PageWait(until=wait.until, message=wait.message, channel=wait.channel)


def live_view(state: ShipmentState) -> LiveView:
    """The page's live part of a workflow's state (the query's answer, the fallback)."""
    return LiveView(contact=PageContact.of(state.shipment.recipient), page=live_page(state))
