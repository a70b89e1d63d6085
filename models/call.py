"""A call about a parcel: the shop's or the carrier's call centre phoned the customer (or took
their call), and records it so the tracking page, the state and the report show it beside the
SMS and emails ("every notification action taken: each SMS, email and call").

The call centre gives its own id for the call: recording the same id again changes nothing, so a
call centre's retry (or both its CRM and an operator entering it) never counts a call twice.
The operator and the note are personal data (an employee's name, the customer's words): they are
kept for support (the state, the ledger, `waypost shipment show`), never shown on the tracking
page, in the Temporal UI's details or in logs, and retention clears them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from models.bounds import EventId, Moment, prose, single_line
from models.status import ShipmentStatus

CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a call's time may lie (the call centre's clock ahead of ours)."""

MAX_CALLS = 50
"""Calls one shipment keeps: far above any real parcel's, well below what bloats its state."""

NOTE_MAX = 500

Operator = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(single_line),
]
"""Who called: an operator's name or id at the call centre, one line."""

Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX),
    AfterValidator(prose),
]
"""What was said, in short: prose (newlines allowed, no control characters)."""


class CallCentre(StrEnum):
    """Whose call centre made (or took) the call."""

    SHOP = "shop"
    CARRIER = "carrier"


class CallDirection(StrEnum):
    OUTBOUND = "outbound"
    """The call centre phoned the customer."""
    INBOUND = "inbound"
    """The customer phoned the call centre."""


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    WRONG_NUMBER = "wrong_number"
    BUSY = "busy"


class Call(BaseModel):
    """One call as its call centre reports it. `centre` is set by the route it came by (the
    shop's key, a carrier's signature, the CLI's option), never trusted from a body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    call_id: EventId
    """The call centre's own id of the call: the idempotency key within the shipment."""
    occurred_at: Moment
    centre: CallCentre
    operator: Operator
    direction: CallDirection = CallDirection.OUTBOUND
    outcome: CallOutcome
    note: Note | None = None

    def differences(self, other: Call) -> list[str]:
        """Fields that differ (names only: the operator and note are personal)."""
        mine, theirs = self.model_dump(), other.model_dump()
        return [name for name in type(self).model_fields if mine[name] != theirs[name]]


class CallRecord(Call):
    """A call as the shipment keeps it: when Waypost recorded it, too."""

    recorded_at: datetime

    def call(self) -> Call:
        return Call.model_validate(self.model_dump(exclude={"recorded_at"}))


def future_refusal(call: Call, now: datetime) -> str | None:
    """Why a call's time is refused (it lies ahead of `now` beyond the clock skew), or None.
    A pure model cannot know the time: the edge and the workflow's validator ask this."""
    if call.occurred_at > now + CLOCK_SKEW:
        return (
            f"occurred_at is in the future (more than {int(CLOCK_SKEW.total_seconds() // 60)} "
            "minutes ahead): a call is recorded once it happened"
        )
    return None


def call_refusal(recorded: Sequence[CallRecord], call: Call, now: datetime) -> str | None:
    """Why `call` cannot be recorded beside the shipment's `recorded` calls, or None.

    The same call again (same id, same details) is accepted and changes nothing; the same id
    with other details is refused, naming the fields that differ (never their values); past
    MAX_CALLS a new one is refused. The workflow's validator and the ledger (for a closed
    shipment) both ask this."""
    known = next((c for c in recorded if c.call_id == call.call_id), None)
    if known is not None:
        differ = known.call().differences(call)
        if differ:
            return f"call {call.call_id} was recorded before with a different " + ", ".join(differ)
        return None
    future = future_refusal(call, now)
    if future is not None:
        return future
    if len(recorded) >= MAX_CALLS:
        return f"this shipment has {MAX_CALLS} calls recorded, the most one shipment keeps"
    return None


class CallReceipt(BaseModel):
    """The answer to recording a call: `recorded`, or `duplicate` (it was recorded before, and
    nothing changed)."""

    call_id: str
    outcome: Literal["recorded", "duplicate"]
    status: ShipmentStatus
    """The shipment's status when the call was recorded."""
    recorded_at: datetime
    after_close: bool = False
    """Recorded straight into the ledger: the shipment's workflow had closed."""
