"""The markdown a support agent reads in the Temporal UI's "current details". Pure, no PII:
no names, phone numbers, emails or addresses, only what happened and what comes next."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from infra.masking import mask_message
from models.state import ShipmentState, Waiting


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


def markdown(state: ShipmentState, waiting: list[Waiting]) -> str:
    shipment = state.shipment
    lines = [
        f"**{state.status.value}** since {_when(state.status_since)}",
        f"Order `{shipment.order_id}` · {shipment.carrier} `{shipment.tracking_number}` · "
        f"{shipment.delivery.kind.value}",
    ]
    if state.exception is not None:
        lines.append(f"Exception: **{state.exception.value}**" + _carrier_said(state))
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
            f"Last event: {last.event.status.value} at {place}, {_when(last.event.occurred_at)}"
            f" ({last.outcome.value})"
        )
    if state.notifications:
        counts = Counter(n.status.value for n in state.notifications)
        lines.append(
            "Messages: "
            + ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        )
    for note in state.notifications:
        if note.status.value in ("suppressed", "superseded", "failed", "delegated", "opted_out"):
            why = note.error or (f"sent by the {note.provider}" if note.provider else "")
            lines.append(f"{note.kind.value} by {note.channel.value}: {note.status.value} ({why})")
    if state.calls:
        call = state.calls[-1]  # no operator, no note: they are personal
        lines.append(
            f"Calls: {len(state.calls)} (last: {call.direction.value}, the {call.centre.value}'s "
            f"call centre, {call.outcome.value}, {_when(call.occurred_at)})"
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
        lines.append(f"SMS: {state.sms_sent} ({state.sms_segments} segments, ~{state.sms_cost})")
    if state.tracker is not None:
        lines.append(f"Tracker: {state.tracker.summary()}")
    for item in waiting:
        lines.append(
            f"Waiting for: {item.what}" + (f" (until {_when(item.until)})" if item.until else "")
        )
    return "\n\n".join(lines)
