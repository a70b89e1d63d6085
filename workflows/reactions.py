"""What each input does to a shipment: the start, a carrier event, a fired timer, a deferred
message falling due, a provider's delivery report, the customer's replies, the sender's results.

Pure functions, so each reaction is specified by a unit test without a workflow. Each mutates
the state it is given, in the order the workflow always did (a later plan sees the records of
an earlier one: the caps count them), and returns one `Reaction`: the ledger changes to queue
and the caller's answer. The workflow applies every reaction in one place (`_apply`). The
`can_*` predicates say why a customer's reply would be refused: the update validators and the
tracking page's forms both ask them, so the page offers exactly what the workflow accepts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from models.consent import falls_back
from models.notification import (
    DeliveryReport,
    NotificationKind,
    NotificationRecord,
    NotificationRequest,
    NotificationStatus,
    SendResult,
    provider_may_move,
)
from models.shipment import CarrierEvent, CourierReply, SlotChoice, Window
from models.state import (
    CustomerReplyRecord,
    EventOutcome,
    EventReceipt,
    ShipmentState,
    TimelineEntry,
    Timer,
)
from models.status import ShipmentStatus
from models.webhooks import STORAGE_DEADLINE_EVENT
from workflows.lifecycle import apply_event, judge_event
from workflows.plan import (
    channel_fallback,
    message_context,
    plan_kind,
    plan_shop_notice,
    plan_status_change,
    request_for,
)
from workflows.schedule import timers

A = TypeVar("A")


class Change(BaseModel):
    """One update for the ledger activity: a timeline entry (a carrier event) and the messages
    to send with it. The workflow stamps it with the shipment's status when it queues it."""

    requests: list[NotificationRequest] = []
    entry: TimelineEntry | None = None


class Reaction(BaseModel, Generic[A]):
    """What one input did: the changes to queue, in order, and the answer for its sender."""

    answer: A
    changes: list[Change] = []
    changed: bool = True
    """False when the input changed nothing (a duplicate event, a report that moves nothing)."""


def _sending(requests: list[NotificationRequest]) -> list[Change]:
    """A change only when there is something to send."""
    return [Change(requests=requests)] if requests else []


# --- Predicates: why a customer's reply would be refused (None: it is accepted) ---------------


def event_refusal(state: ShipmentState, event: CarrierEvent) -> str | None:
    """Why `report_event` refuses the event (an impossible transition), or None."""
    verdict = judge_event(
        event,
        status=state.status,
        last_event_at=state.last_event_at,
        seen_event_ids=state.seen_event_ids(),
    )
    if verdict.outcome is EventOutcome.REFUSED:
        return f"event {event.event_id} refused: {verdict.reason}"
    return None


def can_choose_slot(state: ShipmentState, slot: int | None = None) -> str | None:
    """Why the customer cannot choose `slot` (or, without one, any slot) now, or None."""
    offered = state.offered_slots
    if not offered:
        return "no delivery slots are on offer for this shipment now"
    if slot is not None and slot > len(offered):
        return f"slot {slot} was not offered (choose 1 to {len(offered)})"
    return None


def can_answer_courier(state: ShipmentState) -> str | None:
    """Why the customer cannot answer the courier's confirmation now, or None: it is answerable
    while out for delivery, once the confirmation went out."""
    if state.status is not ShipmentStatus.OUT_FOR_DELIVERY:
        return f"the shipment is {state.status.value}, not out for delivery"
    if state.one_hour_window is None:
        return "the courier's confirmation has not been sent yet"
    return None


# --- Reactions --------------------------------------------------------------------------------


def on_start(state: ShipmentState, now: datetime) -> Reaction[None]:
    """The news of the starting status (the dispatch notice), always one change: the ledger
    learns of the shipment even when nothing is sent."""
    requests, records = plan_status_change(state, None, "start", now)
    state.notifications.extend(records)
    return Reaction(answer=None, changes=[Change(requests=requests)])


def on_carrier_event(
    state: ShipmentState, event: CarrierEvent, now: datetime
) -> Reaction[EventReceipt]:
    """An event as judged: a duplicate changes nothing; any other is kept in the timeline, and
    one that applies sends its status's news and offers the slots it carries."""
    previous = state.status
    verdict = apply_event(state, event, now)
    receipt = EventReceipt(
        event_id=event.event_id,
        outcome=verdict.outcome,
        status=state.status,
        reason=verdict.reason,
    )
    if verdict.outcome is EventOutcome.DUPLICATE:
        return Reaction(answer=receipt, changed=False)
    entry = state.timeline[-1]
    applied = verdict.outcome is EventOutcome.APPLIED
    requests, records = (
        plan_status_change(state, previous, event.event_id, now) if applied else ([], [])
    )
    if applied and event.slots:
        requests += _offer_slots(state, event.slots, now)
    state.notifications.extend(records)
    receipt.notifications = [r.key for r in records]
    return Reaction(answer=receipt, changes=[Change(requests=requests, entry=entry)])


def on_due(state: ShipmentState, now: datetime) -> Reaction[None]:
    """Everything fallen due by `now`: deferred messages first, then timers, earliest first.

    Their messages travel in one change; the storage deadline's own event (the parcel goes
    back) is queued before it, as a change of its own.
    """
    due = [n for n in state.deferred() if n.due_at is not None and n.due_at <= now]
    reactions = [on_deferred_due(state, record, now) for record in due]
    reactions += [on_timer(state, timer, now) for timer in timers(state) if timer.due_at <= now]
    changes = [c for r in reactions for c in r.changes if c.entry is not None]
    requests = [q for r in reactions for c in r.changes if c.entry is None for q in c.requests]
    return Reaction(answer=None, changes=changes + _sending(requests))


def on_deferred_due(
    state: ShipmentState, record: NotificationRecord, now: datetime
) -> Reaction[None]:
    """A message quiet hours held back goes now, unless the shipment has moved on: then it is
    superseded, never sent."""
    record.due_at = None
    if record.status_when_planned != state.status.value:
        record.status = NotificationStatus.SUPERSEDED
        record.error = f"stale: the shipment is {state.status.value} now"
        record.settled_at = now
        return Reaction(answer=None)
    return Reaction(answer=None, changes=_sending([request_for(state, record)]))


def on_timer(state: ShipmentState, timer: Timer, now: datetime) -> Reaction[None]:
    """A fired timer sends its message; the storage deadline returns the parcel (an event of
    Waypost's own in the timeline) and tells the shop."""
    if timer.kind is not None:
        return Reaction(answer=None, changes=_sending(_timer_message(state, timer.kind, now)))
    returned = on_carrier_event(
        state,
        CarrierEvent(
            event_id=f"{STORAGE_DEADLINE_EVENT}{state.status_since.isoformat()}",
            status=ShipmentStatus.RETURNED,
            occurred_at=max(now, timer.due_at, state.last_event_at or now),
            description="storage deadline passed without pickup: returned to the shop",
        ),
        now,
    )
    requests, records = plan_shop_notice(state, "storage-deadline", now)
    state.notifications.extend(records)
    return Reaction(answer=None, changes=returned.changes + _sending(requests))


def on_delivery_report(
    state: ShipmentState, report: DeliveryReport, now: datetime
) -> Reaction[None]:
    """A provider's later word on a sent message, when it moves the message on (never back); a
    permanent hard failure tries the other channel."""
    record = next((n for n in state.notifications if n.key == report.key), None)
    if record is None or report.status is None:
        return Reaction(answer=None, changed=False)
    if not provider_may_move(record.status, report.status):
        return Reaction(answer=None, changed=False)
    record.status = report.status
    record.error = report.detail or record.error
    record.settled_at = now
    hard = report.status in (NotificationStatus.FAILED, NotificationStatus.UNDELIVERED)
    if hard and report.permanent:
        return Reaction(answer=None, changes=_sending(_fallback(state, record, now)))
    return Reaction(answer=None)


def on_slot_choice(state: ShipmentState, choice: SlotChoice, now: datetime) -> Reaction[Window]:
    """The customer's choice (checked by `can_choose_slot`) is confirmed and they are told."""
    window = state.offered_slots[choice.slot - 1]
    requests = _confirm_slot(state, window, "customer", now)
    return Reaction(answer=window, changes=[Change(requests=requests)])


def on_courier_reply(state: ShipmentState, reply: CourierReply, now: datetime) -> Reaction[str]:
    """The customer's answer (checked by `can_answer_courier`) is recorded; a reschedule offers
    again the slots still ahead, or leaves new ones to the carrier."""
    state.replies.append(CustomerReplyRecord(what=reply.answer, received_at=now))
    if reply.answer == "confirm":
        return Reaction(answer="confirmed: the courier knows you are home")
    upcoming = [w for w in state.last_offered_slots if w.start > now]
    if upcoming:
        return Reaction(
            answer=f"reschedule: {len(upcoming)} slot(s) offered again",
            changes=[Change(requests=_offer_slots(state, upcoming, now))],
        )
    return Reaction(answer="reschedule: recorded; the carrier will offer new slots")


def on_send_results(
    state: ShipmentState, results: list[SendResult], now: datetime
) -> Reaction[None]:
    """Each message settled with the ledger's word; one refused for good tries the other
    channel."""
    fallbacks: list[NotificationRequest] = []
    for result in results:
        record = next(n for n in state.notifications if n.key == result.key)
        record.status = result.status
        record.provider = result.provider
        record.provider_message_id = result.provider_message_id
        record.error = result.error
        record.segments, record.cost = result.segments, result.cost
        record.settled_at = now
        if falls_back(record.kind, result.status, result.permanent):
            fallbacks += _fallback(state, record, now)
    return Reaction(answer=None, changes=_sending(fallbacks))


# --- Steps the reactions share ----------------------------------------------------------------


def _fallback(
    state: ShipmentState, record: NotificationRecord, now: datetime
) -> list[NotificationRequest]:
    requests, records = channel_fallback(state, record, now)
    state.notifications.extend(records)
    return requests


def _offer_slots(
    state: ShipmentState, slots: list[Window], now: datetime
) -> list[NotificationRequest]:
    state.offered_slots = state.last_offered_slots = slots
    state.choose_by = now + state.shipment.policy.slot_choice_time
    context = message_context(state).model_copy(
        update={"slots": [(w.start, w.end) for w in slots], "choose_by": state.choose_by}
    )
    requests, records = plan_kind(state, NotificationKind.SLOT_CHOICE, "slots", now, context)
    state.notifications.extend(records)
    return requests


def _confirm_slot(
    state: ShipmentState, window: Window, by: str, now: datetime
) -> list[NotificationRequest]:
    state.window, state.estimated_delivery = window, window.end
    state.offered_slots, state.choose_by = [], None
    requests, records = plan_kind(state, NotificationKind.SLOT_CONFIRMED, f"slot:{by}", now)
    state.notifications.extend(records)
    return requests


def _timer_message(
    state: ShipmentState, kind: NotificationKind, now: datetime
) -> list[NotificationRequest]:
    """The message a timer of `kind` sends, with what only that kind's text needs."""
    context = message_context(state)
    if kind is NotificationKind.SLOT_CONFIRMED:
        return _confirm_slot(state, state.offered_slots[0], "default", now)
    if kind is NotificationKind.COURIER_ONE_HOUR:
        window = state.window
        state.one_hour_window = window
        if window is None or now >= window.start:
            return []  # the window has started: a confirmation now would be stale
        lead = int(state.shipment.policy.courier_lead_time.total_seconds() // 60)
        context = context.model_copy(update={"lead_minutes": lead})
    elif kind is NotificationKind.DELAY_NOTICE:
        state.delay_noticed = True
        context = context.model_copy(
            update={
                "new_estimate": state.estimated_delivery
                if state.estimated_delivery and state.estimated_delivery > now
                else None
            }
        )
    elif kind is NotificationKind.THANK_YOU:
        thanks = state.shipment.policy.thank_you
        context = context.model_copy(
            update={"coupon_code": thanks.coupon_code, "review_url": thanks.review_url}
        )
    requests, records = plan_kind(state, kind, f"timer:{kind.value}", now, context)
    state.notifications.extend(records)
    return requests
