"""Which durable timers a shipment needs now. A pure function of its state: the workflow re-asks
after every change, so a new window re-arms the courier's confirmation, a pickup cancels the
reminders, and progress ends a delay episode without any bookkeeping of timers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.kinds import TIMED_KINDS, URGENT_KINDS
from models.notification import NotificationKind
from models.policy import Party, QuietHours
from models.shipment import FINAL_STATUSES, Window
from models.state import ShipmentState, Timer
from models.status import ShipmentStatus
from workflows.plan import resolve_channels

K = NotificationKind
S = ShipmentStatus

FOLD_WITHIN = timedelta(minutes=5)
"""The courier's confirmation falling due this soon after the out-for-delivery news (and within a
quarter of the lead time) goes as the one message instead of a second SMS moments after."""


def storage_deadline(state: ShipmentState) -> datetime:
    pickup = state.pickup_point or state.shipment.delivery.pickup_point
    if pickup is not None and pickup.storage_deadline is not None:
        return pickup.storage_deadline
    return state.status_since + state.shipment.policy.pickup.storage_period


def after_quiet_hours(state: ShipmentState, timer: Timer) -> Timer:
    """A non-urgent message never falls due at night: it moves to the end of quiet hours."""
    quiet = state.shipment.policy.quiet_hours
    if timer.kind is None or timer.kind in URGENT_KINDS or quiet is None:
        return timer
    moved = quiet.end_after(timer.due_at, state.shipment.recipient.time_zone)
    if moved == timer.due_at:
        return timer
    reason = f"{timer.reason}, after quiet hours"
    return timer.model_copy(update={"due_at": moved, "reason": reason})


def says_something(state: ShipmentState, kind: NotificationKind) -> bool:
    """Whether firing a timer for `kind` would record a message. A kind the policy silences (or
    no channel can carry) arms no timer: it would fall due again and again, changing nothing."""
    policy = state.shipment.policy
    if policy.owner(kind) is not Party.WAYPOST:
        return True
    recipient = state.shipment.recipient
    return bool(resolve_channels(policy.channels_for(kind), recipient, state.failing_channels()))


def explained(state: ShipmentState) -> bool:
    """The shipment is held up by an exception whose own message told the customer what
    happened and what comes next: a delay notice days later would repeat the same problem.
    (An exception without a reason, recorded before reasons existed, keeps its delay watch.)"""
    return state.status is S.EXCEPTION and state.exception is not None


def timers(state: ShipmentState) -> list[Timer]:
    """Every timer the shipment's state calls for, earliest first."""
    policy = state.shipment.policy
    found: list[Timer] = []
    window = state.window
    if state.status is S.OUT_FOR_DELIVERY and window and window != state.one_hour_window:
        found.append(
            Timer(
                kind=K.COURIER_ONE_HOUR,
                due_at=window.start - policy.courier_lead_time,
                reason=f"courier's confirmation {policy.courier_lead_time} before the window",
            )
        )
    if state.status is S.AVAILABLE_FOR_PICKUP:
        deadline = storage_deadline(state)
        last_call = deadline - policy.pickup.final_warning_before
        sent = state.occurrences(K.PICKUP_REMINDER)
        if sent < len(policy.pickup.after_arrival):
            due = state.status_since + policy.pickup.after_arrival[sent]
            if due < last_call:
                found.append(
                    Timer(kind=K.PICKUP_REMINDER, due_at=due, reason=f"pickup reminder {sent + 1}")
                )
        if state.occurrences(K.PICKUP_FINAL_WARNING) == 0:
            found.append(
                Timer(
                    kind=K.PICKUP_FINAL_WARNING,
                    due_at=last_call,
                    reason="last call before the storage deadline",
                )
            )
        found.append(
            Timer(
                kind=None,
                due_at=deadline,
                reason="storage deadline: the parcel goes back to the shop",
            )
        )
    elif state.status not in FINAL_STATUSES and not state.delay_noticed and not explained(state):
        quiet_since = state.last_event_at or state.status_since
        watch = [(quiet_since + policy.delay.no_progress, "no carrier progress")]
        if state.estimated_delivery is not None and state.estimated_delivery > quiet_since:
            # An estimate that had already passed at the last progress is not a new delay. A
            # date-only estimate's instant is the end of that day in the recipient's zone.
            passed = (
                "the estimated day has ended"
                if state.estimated_day
                else "the estimated delivery has passed"
            )
            watch.append((state.estimated_delivery + policy.delay.after_estimate, passed))
        due, why = min(watch)
        found.append(Timer(kind=K.DELAY_NOTICE, due_at=due, reason=f"delay watch: {why}"))
    if state.offered_slots and state.choose_by is not None:
        found.append(
            Timer(
                kind=K.SLOT_CONFIRMED,
                due_at=state.choose_by,
                reason="no slot chosen: the carrier's default is confirmed",
            )
        )
    if (
        state.status is S.DELIVERED
        and policy.thank_you.enabled
        and state.occurrences(K.THANK_YOU) == 0
    ):
        found.append(
            Timer(
                kind=K.THANK_YOU,
                due_at=state.status_since + policy.thank_you.delay,
                reason="thank-you after delivery",
            )
        )
    found = [t for t in found if t.kind is None or says_something(state, t.kind)]
    return sorted((after_quiet_hours(state, t) for t in found), key=lambda t: t.due_at)


def marketing_ahead(state: ShipmentState) -> bool:
    """Whether a marketing message may still be planned for this shipment: the thank-you (the
    one marketing kind), when the shop's policy has Waypost send it by a channel the recipient
    has, none was planned yet, and the parcel is delivered or may still be. What the tracking
    page's opt-in and the consent update's validator ask."""
    policy = state.shipment.policy
    return (
        policy.thank_you.enabled
        and policy.owner(K.THANK_YOU) is Party.WAYPOST
        and state.occurrences(K.THANK_YOU) == 0
        and (state.status is S.DELIVERED or state.status not in FINAL_STATUSES)
        and says_something(state, K.THANK_YOU)
    )


NIGHT = QuietHours()
"""The recipient's night when the policy has no quiet hours of its own (21:00 to 08:00 local):
a deadline for the customer still falls in their daytime."""
EVENING_MARGIN = timedelta(hours=1)
"""A deadline that cannot wait for the morning ends this long before the night begins."""


def slot_deadline(state: ShipmentState, slots: list[Window], now: datetime) -> datetime:
    """When the time to choose one of `slots`, offered `now`, ends: `slot_choice_time` after
    the customer is told (quiet hours hold the offer back to the morning), in their daytime, in
    their time zone. One that would fall at night moves to the morning after, unless the first
    slot begins by then: then to the evening before (EVENING_MARGIN before the night). It never
    falls later than EVENING_MARGIN before the first slot begins. The SMS, the page and the timer
    that books the first slot all say this one moment."""
    policy = state.shipment.policy
    zone = state.shipment.recipient.time_zone
    told = policy.quiet_hours.end_after(now, zone) if policy.quiet_hours else now
    ahead = [w.start - EVENING_MARGIN for w in slots if w.start - EVENING_MARGIN > told]
    latest = min(ahead, default=None)
    """The time to choose ends before the first slot still ahead begins."""
    due = told + policy.slot_choice_time
    if latest is not None:
        due = min(due, latest)
    night = policy.quiet_hours or NIGHT
    if not night.contains(due, zone):
        return due
    morning = night.end_after(due, zone)
    if latest is None or morning <= latest:
        return morning
    evening = _night_start_before(night, due, zone) - EVENING_MARGIN
    return evening if evening > told else due  # no daytime is left before the first slot


def _night_start_before(night: QuietHours, moment: datetime, zone: str) -> datetime:
    """When the night holding `moment` began (local time in `zone`)."""
    local = moment.astimezone(ZoneInfo(zone))
    start = local.replace(hour=night.start.hour, minute=night.start.minute, second=0, microsecond=0)
    return start if start <= local else start - timedelta(days=1)


def courier_confirmation_due(state: ShipmentState, now: datetime) -> bool:
    """Whether the courier's confirmation is due at once (or nearly: FOLD_WITHIN): out for
    delivery less than the lead time before the window, its timer would fire a second after the
    out-for-delivery news, so the two fold into one message."""
    margin = min(FOLD_WITHIN, state.shipment.policy.courier_lead_time / 4)
    return any(t.kind is K.COURIER_ONE_HOUR and t.due_at <= now + margin for t in timers(state))


def minutes_left(until: datetime, now: datetime) -> int:
    """How long until `until`, as a message says it: whole minutes (rounded up, at least one)
    under ten, then to the nearest five ("about 40 min", never "about 60 min" when it is 40)."""
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return minutes if minutes < 10 else 5 * round(minutes / 5)


STORAGE_DEADLINE = "storage_deadline"
"""Pending-timer kind of the storage deadline (models.state.Timer's label for it)."""
DEFERRED_MESSAGE = "deferred_message"
"""Pending-timer kind of a message waiting for quiet hours to end."""

TIMER_KINDS = (*(kind.value for kind in TIMED_KINDS), STORAGE_DEADLINE, DEFERRED_MESSAGE)
"""Every kind `pending_timer_kinds` can name (the metric reports each, zero included)."""


def pending_timer_kinds(state: ShipmentState) -> list[str]:
    """The kinds of durable timer the shipment waits on now, each once, sorted: what the
    `PendingTimers` search attribute holds, so visibility can count waiting shipments by kind."""
    kinds = {t.label for t in timers(state)}
    if state.deferred():
        kinds.add(DEFERRED_MESSAGE)
    return sorted(kinds)
