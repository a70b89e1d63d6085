"""The markdown a support agent reads in the Temporal UI's "current details". Pure, no PII:
no names, phone numbers, emails or addresses, only what happened and what comes next."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from enum import StrEnum

from infra.masking import mask_message
from models.notification import NotificationRecord
from models.state import ShipmentState, Waiting

NAMES = {
    "sms": "SMS",
    "available_for_pickup": "ready for pickup",
    "courier_next_day": "next-day courier",
    "courier_multi_day": "multi-day courier",
    "courier_one_hour": "courier's one-hour confirmation",
    "slot_choice": "slot offer",
    "thank_you": "thank-you",
    "shop_return_notice": "return notice to the shop",
    "no_answer": "no answer",
    "wrong_number": "wrong number",
}
"""Words a support agent reads where an enum value would be a code ("out_for_delivery"); any
value not listed reads as its words ("delivery failed", "exception lost")."""
CURRENCY = "USD"
"""The SMS prices the ledger records are Twilio's, in US dollars."""


def name(value: StrEnum) -> str:
    """A status, kind, channel or outcome as words."""
    return NAMES.get(value.value, value.value.replace("_", " "))


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z") if moment else "-"


def _carrier_said(state: ShipmentState) -> str:
    """The carrier's own words for the exception (its status detail and description), with the
    recipient's name and any phone or email in them masked: carriers' prose sometimes names a
    person ("Refused by J SMITH")."""
    event = state.exception_event()
    words = [w for w in (event.detail, event.description) if w] if event else []
    said = mask_message(" - ".join(words), known=(state.shipment.recipient.name,))
    return f" · carrier: {said}" if words else ""


def _message_line(note: NotificationRecord) -> str:
    """One message as a list item: what, how, where it is, and why when it was not sent."""
    why = ""
    if note.status.value in ("suppressed", "superseded", "failed", "delegated", "opted_out"):
        reason = note.error or (f"sent by the {note.provider}" if note.provider else "")
        why = f" ({reason})" if reason else ""
    elif note.provider:
        why = f" via {note.provider}"
    when = f", {_when(note.settled_at)}" if note.settled_at else ""
    return f"- {name(note.kind)} by {name(note.channel)}: {name(note.status)}{why}{when}"


def markdown(state: ShipmentState, waiting: list[Waiting]) -> str:
    shipment = state.shipment
    lines = [
        f"**{name(state.status).capitalize()}** since {_when(state.status_since)}",
        f"Order `{shipment.order_id}` · carrier {shipment.carrier}, tracking number "
        f"`{shipment.tracking_number}` · {name(shipment.delivery.kind)}",
        f"Tracking page: `waypost shipment link {shipment.workflow_id}` prints its link",
    ]
    if state.exception is not None:
        lines.append(f"Exception: **{name(state.exception)}**" + _carrier_said(state))
    if state.window is not None:
        lines.append(f"Window: {_when(state.window.start)} to {_when(state.window.end)}")
    elif state.estimated_day is not None:
        lines.append(
            f"Estimated delivery: {state.estimated_day.isoformat()} (the day, recipient's zone)"
        )
    elif state.estimated_delivery is not None:
        lines.append(f"Estimated delivery: {_when(state.estimated_delivery)}")
    if state.timeline:
        last = state.timeline[-1]
        place = last.event.location.label() if last.event.location else "-"
        lines.append(
            f"Last event: {name(last.event.status)} at {place}, {_when(last.event.occurred_at)}"
            f" ({name(last.outcome)})"
        )
    if state.notifications:
        counts = Counter(name(n.status) for n in state.notifications)
        lines.append(
            "Messages: "
            + ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
            + "\n\n"
            + "\n".join(_message_line(note) for note in state.notifications)
        )
    if state.calls:
        call = state.calls[-1]  # no operator, no note: they are personal
        lines.append(
            f"Calls: {len(state.calls)} (last: {call.direction.value}, the {call.centre.value}'s "
            f"call centre, {name(call.outcome)}, {_when(call.occurred_at)})"
        )
    for reply in state.replies:
        lines.append(
            f"Customer replied: {reply.what}"
            + (f" by {reply.via}" if reply.via else "")
            + f", {_when(reply.received_at)}"
            + (f" (window from {_when(reply.window.start)})" if reply.window else "")
        )
    for failing in state.failing:
        lines.append(
            f"{failing.channel.value} failing since {_when(failing.since)}"
            f" ({failing.why or 'refused for good'}): later news goes by the other channel"
        )
    if state.sms_sent:
        lines.append(
            f"SMS: {state.sms_sent} ({state.sms_segments} segments, "
            f"about {state.sms_cost.normalize():f} {CURRENCY})"
        )
    if state.tracker is not None:
        lines.append(f"Tracker: {state.tracker.summary()}")
    for item in waiting:
        lines.append(
            f"Waiting for: {item.what}" + (f" (until {_when(item.until)})" if item.until else "")
        )
    return "\n\n".join(lines)
