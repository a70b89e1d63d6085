"""What each input does to a shipment: the start, a carrier event, a fired timer, a deferred
message falling due, a provider's delivery report, the customer's replies, a call centre's call,
the sender's results.

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

from models.call import Call, CallReceipt, CallRecord, call_refusal
from models.consent import ConsentSource, MarketingConsent, falls_back
from models.notification import (
    DeliveryReport,
    MessageContext,
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
    FailingChannel,
    ReplyReceipt,
    ShipmentState,
    TimelineEntry,
    Timer,
)
from models.status import ShipmentStatus
from models.webhooks import STORAGE_DEADLINE_EVENT
from workflows.lifecycle import apply_event, judge_event
from workflows.plan import (
    channel_fallback,
    fold_into,
    message_context,
    plan_kind,
    plan_shop_notice,
    plan_status_change,
    request_for,
)
from workflows.schedule import (
    courier_confirmation_due,
    marketing_ahead,
    minutes_left,
    slot_deadline,
    timers,
)

A = TypeVar("A")


class Change(BaseModel):
    """One update for the ledger activity: a timeline entry (a carrier event) and the messages
    to send with it. The workflow stamps it with the shipment's status when it queues it."""

    requests: list[NotificationRequest] = []
    entry: TimelineEntry | None = None
    consent: MarketingConsent | None = None
    """Marketing consent just given, for the ledger to record."""
    calls: list[CallRecord] = []
    replies: list[CustomerReplyRecord] = []
    """Customer replies for the ledger activity (where the shop's webhook is to hear of them)."""


class Reaction(BaseModel, Generic[A]):
    """What one input did: the changes to queue, in order, and the answer for its sender."""

    answer: A
    changes: list[Change] = []
    changed: bool = True
    """False when the input changed nothing (a duplicate event, a report that moves nothing)."""


def _sending(requests: list[NotificationRequest]) -> list[Change]:
    """A change only when there is something to send."""
    return [Change(requests=requests)] if requests else []


def _told(replies: list[CustomerReplyRecord]) -> list[Change]:
    """A change only when there are replies for the ledger activity."""
    return [Change(replies=replies)] if replies else []


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


def can_give_consent(state: ShipmentState) -> str | None:
    """Why the customer cannot give marketing consent on the tracking page now, or None: it
    is offered while a marketing message (the thank-you) is still ahead and consent is not
    recorded yet."""
    if state.consents_to_marketing():
        return "consent to offers is already recorded for this shipment"
    if not marketing_ahead(state):
        return "no offers or review requests are ahead for this shipment"
    return None


def can_record_call(state: ShipmentState, call: Call, now: datetime) -> str | None:
    """Why `record_call` refuses the call (models.call.call_refusal: a time ahead of the clock
    skew, the same call id with other details, too many calls), or None."""
    return call_refusal(state.calls, call, now)


# --- Reactions --------------------------------------------------------------------------------


def on_start(state: ShipmentState, now: datetime) -> Reaction[None]:
    """The news of the starting status (the dispatch notice), always one change: the ledger
    learns of the shipment even when nothing is sent."""
    requests, records = plan_status_change(state, None, "start", now)
    state.notifications.extend(records)
    return Reaction(answer=None, changes=[Change(requests=requests)])


def on_carrier_event(
    state: ShipmentState,
    event: CarrierEvent,
    now: datetime,
    *,
    fold: bool = True,
    daytime_deadline: bool = True,
) -> Reaction[EventReceipt]:
    """An event as judged: a duplicate changes nothing; any other is kept in the timeline, and
    one that applies sends its status's news and offers the slots it carries. Out for delivery
    less than the courier's lead time before the window, the courier's confirmation is due at
    once: with `fold` (runs from before it replay without) the two go as one message. The time
    to choose a slot ends in the recipient's daytime with `daytime_deadline` (likewise)."""
    previous, problem = state.status, state.exception
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
        plan_status_change(state, previous, event.event_id, now, problem) if applied else ([], [])
    )
    if applied and event.slots:
        requests += _offer_slots(state, event.slots, now, daytime=daytime_deadline)
    state.notifications.extend(records)
    receipt.notifications = [r.key for r in records]
    entering = applied and previous is not state.status
    out = state.status is ShipmentStatus.OUT_FOR_DELIVERY
    if entering and fold and out and courier_confirmation_due(state, now):
        confirmation = _timer_message(state, NotificationKind.COURIER_ONE_HOUR, now)
        requests = fold_into(records, requests, confirmation, now)
        receipt.notifications += [r.key for r in confirmation]
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
    slots = record.kind is NotificationKind.SLOT_CHOICE and state.offered_slots
    context = _slot_context(state) if slots else None
    return Reaction(answer=None, changes=_sending([request_for(state, record, context)]))


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
    state: ShipmentState, report: DeliveryReport, now: datetime, *, remember_failing: bool = True
) -> Reaction[None]:
    """A provider's later word on a sent message, when it moves the message on (never back); a
    permanent hard failure (a handset that cannot be reached, a hard bounce) tries the other
    channel and, with `remember_failing` (runs from before it replay without), marks the channel
    as failing for the rest of the shipment, so later news goes by the other one."""
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
        if remember_failing:
            why = " ".join(p for p in (report.error_code, report.detail) if p) or None
            _remember_failing(state, record, why, now)
        return Reaction(answer=None, changes=_sending(_fallback(state, record, now)))
    return Reaction(answer=None)


def on_slot_choice(state: ShipmentState, choice: SlotChoice, now: datetime) -> Reaction[Window]:
    """The customer's choice (checked by `can_choose_slot`) is confirmed and they are told."""
    window = state.offered_slots[choice.slot - 1]
    requests = _confirm_slot(state, window, "customer", now)
    return Reaction(answer=window, changes=[Change(requests=requests)])


def current_reply(state: ShipmentState) -> CustomerReplyRecord | None:
    """The customer's latest answer to the courier's latest confirmation, if any."""
    asked = [
        n.planned_at for n in state.notifications if n.kind is NotificationKind.COURIER_ONE_HOUR
    ]
    since = max(asked, default=None)
    answers = [r for r in state.replies if since is None or r.received_at >= since]
    return answers[-1] if answers else None


def on_courier_reply(
    state: ShipmentState,
    reply: CourierReply,
    now: datetime,
    *,
    publish: bool = True,
    daytime_deadline: bool = True,
) -> Reaction[ReplyReceipt]:
    """The customer's answer (checked by `can_answer_courier`) is recorded; a reschedule offers
    again the slots still ahead, or leaves new ones to the carrier. The same answer to the same
    confirmation again changes nothing (a customer who texts "1" twice is not answered twice);
    a different one is a change of mind, recorded. With `publish` (runs from before it replay
    without), the reply also travels to the ledger activity, where the shop is to hear of it."""
    last = current_reply(state)
    if last is not None and last.what == reply.answer:
        text = f"{reply.answer}: already recorded"
        return Reaction(answer=ReplyReceipt(outcome="repeated", text=text), changed=False)
    record = CustomerReplyRecord(
        what=reply.answer, received_at=now, via=reply.via, window=state.one_hour_window
    )
    state.replies.append(record)
    told = [record] if publish else []
    if reply.answer == "confirm":
        text = "confirmed: the courier knows you are home"
        return Reaction(answer=ReplyReceipt(outcome="recorded", text=text), changes=_told(told))
    upcoming = [w for w in state.last_offered_slots if w.start > now]
    if upcoming:
        text = f"reschedule: {len(upcoming)} slot(s) offered again"
        offer = _offer_slots(state, upcoming, now, daytime=daytime_deadline)
        change = Change(requests=offer, replies=told)
        return Reaction(
            answer=ReplyReceipt(outcome="recorded", text=text, follows=True), changes=[change]
        )
    text = "reschedule: recorded; the carrier will offer new slots"
    return Reaction(answer=ReplyReceipt(outcome="recorded", text=text), changes=_told(told))


def on_marketing_consent(state: ShipmentState, now: datetime) -> Reaction[MarketingConsent]:
    """The customer's consent (checked by `can_give_consent`), with its time and source: the
    thank-you planned from now on carries it, and the ledger records it."""
    consent = MarketingConsent(given_at=now, source=ConsentSource.TRACKING_PAGE)
    state.marketing_consent = consent
    return Reaction(answer=consent, changes=[Change(consent=consent)])


def on_call(state: ShipmentState, call: Call, now: datetime) -> Reaction[CallReceipt]:
    """A call centre's call (checked by `can_record_call`) is kept in the state and goes to the
    ledger; the same call again changes nothing. A call sends no message."""
    known = next((c for c in state.calls if c.call_id == call.call_id), None)
    if known is not None:
        receipt = CallReceipt(
            call_id=call.call_id,
            outcome="duplicate",
            status=state.status,
            recorded_at=known.recorded_at,
        )
        return Reaction(answer=receipt, changed=False)
    record = CallRecord(**call.model_dump(), recorded_at=now)
    state.calls.append(record)
    receipt = CallReceipt(
        call_id=call.call_id, outcome="recorded", status=state.status, recorded_at=now
    )
    return Reaction(answer=receipt, changes=[Change(calls=[record])])


def on_send_results(
    state: ShipmentState, results: list[SendResult], now: datetime, *, remember_failing: bool = True
) -> Reaction[None]:
    """Each message settled with the ledger's word; one refused for good tries the other
    channel, and (with `remember_failing`) its channel is avoided for the rest of the
    shipment."""
    fallbacks: list[NotificationRequest] = []
    for result in results:
        record = next(n for n in state.notifications if n.key == result.key)
        record.status = result.status
        record.provider = result.provider
        record.provider_message_id = result.provider_message_id
        record.error = result.error
        record.segments, record.cost = result.segments, result.cost
        record.opt_out_hint = result.opt_out_hint
        record.settled_at = now
        failed_for_good = result.status is NotificationStatus.FAILED and result.permanent
        if remember_failing and failed_for_good:
            _remember_failing(state, record, result.error, now)
        if falls_back(record.kind, result.status, result.permanent):
            fallbacks += _fallback(state, record, now)
    return Reaction(answer=None, changes=_sending(fallbacks))


# --- Steps the reactions share ----------------------------------------------------------------


def _remember_failing(
    state: ShipmentState, record: NotificationRecord, why: str | None, now: datetime
) -> None:
    """The channel of a message that failed for good is avoided from now on (once)."""
    if record.channel not in state.failing_channels():
        state.failing.append(
            FailingChannel(channel=record.channel, since=now, key=record.key, why=why)
        )


def _fallback(
    state: ShipmentState, record: NotificationRecord, now: datetime
) -> list[NotificationRequest]:
    requests, records = channel_fallback(state, record, now)
    state.notifications.extend(records)
    return requests


def _offer_slots(
    state: ShipmentState, slots: list[Window], now: datetime, *, daytime: bool = True
) -> list[NotificationRequest]:
    """Offer `slots`: the time to choose ends in the recipient's daytime (`daytime`; runs from
    before it replay with `slot_choice_time` after the offer, night or not)."""
    state.offered_slots = state.last_offered_slots = slots
    choice_time = state.shipment.policy.slot_choice_time
    state.choose_by = slot_deadline(state, slots, now) if daytime else now + choice_time
    context = _slot_context(state)
    requests, records = plan_kind(state, NotificationKind.SLOT_CHOICE, "slots", now, context)
    state.notifications.extend(records)
    return requests


def _slot_context(state: ShipmentState) -> MessageContext:
    """What a slot offer says: the slots on offer and when the time to choose ends (also when
    quiet hours held the offer back to the morning)."""
    return message_context(state).model_copy(
        update={
            "slots": [(w.start, w.end) for w in state.offered_slots],
            "choose_by": state.choose_by,
        }
    )


def _confirm_slot(
    state: ShipmentState, window: Window, by: str, now: datetime
) -> list[NotificationRequest]:
    state.window, state.estimated_delivery, state.estimated_day = window, window.end, None
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
        context = context.model_copy(update={"lead_minutes": minutes_left(window.start, now)})
    elif kind is NotificationKind.DELAY_NOTICE:
        state.delay_noticed = True
        ahead = state.estimated_delivery is not None and state.estimated_delivery > now
        context = context.model_copy(
            update={
                "new_estimate": state.estimated_delivery if ahead else None,
                "new_estimate_day": state.estimated_day if ahead else None,
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
