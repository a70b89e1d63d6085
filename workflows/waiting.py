"""What a shipment waits for, as typed values: one derivation for the `state` query, the
workflow's own timer, the tracking page and the UI's details, so none of them re-derives timers
or deferred messages on its own."""

from __future__ import annotations

from datetime import datetime

from models.shipment import FINAL_STATUSES
from models.state import (
    DeferredWait,
    LedgerUpdate,
    NextEventWait,
    RecordingWait,
    ShipmentState,
    TimerWait,
    Waiting,
)
from workflows.schedule import timers


def scheduled(state: ShipmentState) -> list[TimerWait | DeferredWait]:
    """The durable timers (earliest first), then the messages quiet hours hold back."""
    found: list[TimerWait | DeferredWait] = [
        TimerWait(message=t.kind, reason=t.reason, until=t.due_at) for t in timers(state)
    ]
    found += [
        DeferredWait(message=n.kind, channel=n.channel, until=n.due_at)
        for n in state.deferred()
        if n.due_at is not None
    ]
    return found


def waiting_for(state: ShipmentState, outbox: list[LedgerUpdate] | None = None) -> list[Waiting]:
    """Everything ahead: changes being recorded, what is scheduled, and (until the shipment is
    final) the carrier's next event."""
    waiting: list[Waiting] = []
    if outbox:
        messages = sum(len(u.notifications) for u in outbox)
        waiting.append(RecordingWait(changes=len(outbox), messages=messages))
    waiting += scheduled(state)
    if state.status not in FINAL_STATUSES:
        waiting.append(NextEventWait(until=state.estimated_delivery))
    return waiting


def next_due(state: ShipmentState) -> tuple[datetime, str] | None:
    """The earliest timer or deferred message, with the label its durable timer's summary shows
    (ties go to the smaller label, so the choice is deterministic)."""
    pending = [
        (w.until, w.label if isinstance(w, TimerWait) else f"{w.message.value} (deferred)")
        for w in scheduled(state)
    ]
    return min(pending, default=None)
