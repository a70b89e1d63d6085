"""Calls are notifications too: the model's bounds, the pure rule every door asks
(`call_refusal`), the reaction that keeps a call, and what support sees of it in the UI.

No workflow, no server: the update (tests/test_workflow_calls.py), the ledger
(tests/test_ledger_calls.py), the API (tests/api/test_calls_api.py) build on these.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from models.call import (
    CLOCK_SKEW,
    MAX_CALLS,
    Call,
    CallCentre,
    CallOutcome,
    CallRecord,
    call_refusal,
)
from models.state import LedgerUpdate, ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, shipment
from tests.call_data import a_call as shared_call
from workflows import details
from workflows.reactions import can_record_call, on_call, on_start

NOW = T0 + timedelta(hours=10)


def a_call(**overrides: Any) -> Call:
    return shared_call(NOW - timedelta(minutes=3), **overrides)


def started() -> ShipmentState:
    state = ShipmentState(shipment=shipment(), status_since=T0)
    on_start(state, T0)
    return state


def recorded(call: Call, at: Any = NOW) -> CallRecord:
    return CallRecord(**call.model_dump(), recorded_at=at)


# The model


def test_a_call_defaults_to_an_outbound_call_without_a_note() -> None:
    call = a_call(note=None)

    assert call.direction.value == "outbound"
    assert call.note is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("outcome", "hung_up"),
        ("centre", "courier"),
        ("operator", "Ana\nSmith"),
        ("operator", "x" * 101),
        ("note", "x" * 501),
        ("note", "bad \x00 byte"),
        ("call_id", ""),
        ("occurred_at", "2026-11-25T10:00:00"),
        ("occurred_at", "2101-01-01T00:00:00Z"),
    ],
)
def test_a_call_outside_its_bounds_is_refused_naming_the_field(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        a_call(**{field: value})

    assert refused.value.errors()[0]["loc"][0] == field


def test_a_note_keeps_its_lines_and_loses_surrounding_space() -> None:
    call = a_call(note="  Rang twice.\nLeft a message.  ")

    assert call.note == "Rang twice.\nLeft a message."


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        a_call(recording_url="https://example.com/rec.mp3")


# The rule every door asks


def test_a_new_call_is_accepted() -> None:
    assert call_refusal([], a_call(), NOW) is None


def test_a_call_within_the_clock_skew_ahead_is_accepted() -> None:
    assert call_refusal([], a_call(occurred_at=NOW + CLOCK_SKEW), NOW) is None


def test_a_call_further_in_the_future_is_refused() -> None:
    why = call_refusal([], a_call(occurred_at=NOW + CLOCK_SKEW + timedelta(seconds=1)), NOW)

    assert why is not None and "occurred_at is in the future" in why


def test_the_same_call_again_is_accepted_as_it_changes_nothing() -> None:
    call = a_call()

    assert call_refusal([recorded(call)], call, NOW) is None


def test_the_same_call_id_with_other_details_is_refused_naming_fields_not_values() -> None:
    first = a_call()

    why = call_refusal([recorded(first)], a_call(outcome="busy", note="other words"), NOW)

    assert why == "call crm-1 was recorded before with a different outcome, note"
    assert "other words" not in why


def test_past_the_most_calls_a_shipment_keeps_a_new_one_is_refused() -> None:
    full = [recorded(a_call(call_id=f"c-{n}")) for n in range(MAX_CALLS)]

    assert call_refusal(full, a_call(call_id="one-more"), NOW) is not None
    assert call_refusal(full, a_call(call_id="c-0"), NOW) is None  # a repeat still answers


# The reaction


def test_a_call_is_kept_in_the_state_and_queued_for_the_ledger() -> None:
    state = started()

    reaction = on_call(state, a_call(), NOW)

    assert reaction.answer.outcome == "recorded"
    assert reaction.answer.status is ShipmentStatus.SHIPPED
    [record] = state.calls
    assert (record.call_id, record.recorded_at) == ("crm-1", NOW)
    [change] = reaction.changes
    assert change.calls == [record]
    assert change.requests == [] and change.entry is None


def test_the_same_call_again_changes_nothing_and_says_duplicate() -> None:
    state = started()
    on_call(state, a_call(), NOW)

    again = on_call(state, a_call(), NOW + timedelta(minutes=1))

    assert again.answer.outcome == "duplicate"
    assert again.answer.recorded_at == NOW
    assert again.changes == [] and not again.changed
    assert len(state.calls) == 1


def test_a_call_sends_no_message() -> None:
    state = started()
    before = list(state.notifications)

    on_call(state, a_call(outcome="no_answer"), NOW)

    assert state.notifications == before


def test_the_validator_predicate_is_the_rule_over_the_state() -> None:
    state = started()
    on_call(state, a_call(), NOW)

    assert can_record_call(state, a_call(), NOW) is None
    assert can_record_call(state, a_call(operator="Bo"), NOW) is not None


def test_queued_calls_travel_together_when_changes_merge() -> None:
    first, second = recorded(a_call(call_id="a")), recorded(a_call(call_id="b"))
    ref, at = "shipment:shop-1:s-1", T0
    updates = [
        LedgerUpdate(shipment_ref=ref, status=ShipmentStatus.SHIPPED, status_at=at, calls=[first]),
        LedgerUpdate(shipment_ref=ref, status=ShipmentStatus.SHIPPED, status_at=at, calls=[second]),
    ]

    assert LedgerUpdate.merged(updates).calls == [first, second]


# What support sees in the Temporal UI


def test_the_ui_details_count_calls_without_operator_or_note() -> None:
    state = started()
    on_call(state, a_call(call_id="a", outcome="no_answer"), NOW)
    on_call(state, a_call(call_id="b", centre=CallCentre.CARRIER.value), NOW)

    shown = details.markdown(state, [])

    assert "Calls: 2 (last: outbound, the carrier's call centre, answered" in shown
    assert "Ana" not in shown and "Friday" not in shown


def test_every_outcome_has_a_value_the_api_and_cli_accept() -> None:
    assert {o.value for o in CallOutcome} == {
        "answered",
        "no_answer",
        "voicemail",
        "wrong_number",
        "busy",
    }
