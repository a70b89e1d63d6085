"""Calls in the ledger, on SQLite and PostgreSQL: the publish activity's write (once per call id),
the write straight into the ledger once a shipment's workflow has closed (the same rules), and
the read the tracking page and the CLI use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ledger.claims import CallRefused, Ledger
from models.call import Call, CallOutcome, CallRecord
from models.status import ShipmentStatus
from testing.factories import T0, shipment
from tests.call_data import a_call as shared_call
from tests.db_fixtures import unique

NOW = T0 + timedelta(hours=12)


def a_call(**overrides: Any) -> Call:
    return shared_call(NOW - timedelta(hours=1), **overrides)


def record(ledger: Ledger, ref: str, *calls: Call, closed: bool = False) -> None:
    """As the publish activity records a change carrying calls."""
    status = ShipmentStatus.RETURNED if closed else ShipmentStatus.SHIPPED
    ledger.record_change(
        ref,
        start=None,
        entries=[],
        status=status,
        at=NOW,
        closed=closed,
        calls=[CallRecord(**c.model_dump(), recorded_at=NOW) for c in calls],
    )


def test_a_change_records_its_calls_once_each(ledger: Ledger, shipment_ref: str) -> None:
    record(ledger, shipment_ref, a_call())
    record(ledger, shipment_ref, a_call())  # a retried activity

    [stored] = ledger.calls_for(shipment_ref)
    assert (stored.call_id, stored.outcome, stored.operator, stored.note) == (
        "crm-1",
        CallOutcome.ANSWERED,
        "Ana",
        "Will collect on Friday",
    )
    assert stored.recorded_at == NOW


def test_calls_read_in_the_order_they_happened(ledger: Ledger, shipment_ref: str) -> None:
    later = a_call(call_id="late", occurred_at=NOW - timedelta(minutes=5))
    earlier = a_call(call_id="early", occurred_at=NOW - timedelta(hours=3))
    record(ledger, shipment_ref, later, earlier)

    assert [c.call_id for c in ledger.calls_for(shipment_ref)] == ["early", "late"]


def test_the_same_call_id_of_two_shipments_is_two_calls(ledger: Ledger) -> None:
    refs = []
    for shop in ("shop-1", "shop-2"):
        start = shipment(shop_id=shop, shipment_id=unique("s"))
        ledger.record_shipment(start.workflow_id, start)
        record(ledger, start.workflow_id, a_call())
        refs.append(start.workflow_id)

    assert [len(ledger.calls_for(ref)) for ref in refs] == [1, 1]


def test_after_close_a_call_goes_straight_into_the_ledger(
    ledger: Ledger, shipment_ref: str
) -> None:
    record(ledger, shipment_ref, closed=True)

    receipt = ledger.record_call_after_close(shipment_ref, a_call(), NOW)

    assert (receipt.outcome, receipt.status, receipt.after_close) == (
        "recorded",
        ShipmentStatus.RETURNED,
        True,
    )
    assert [c.call_id for c in ledger.calls_for(shipment_ref)] == ["crm-1"]


def test_after_close_the_same_call_again_changes_nothing(ledger: Ledger, shipment_ref: str) -> None:
    record(ledger, shipment_ref, a_call(), closed=True)  # recorded while the workflow ran

    again = ledger.record_call_after_close(shipment_ref, a_call(), NOW + timedelta(hours=1))

    assert again.outcome == "duplicate"
    assert again.recorded_at == NOW
    assert len(ledger.calls_for(shipment_ref)) == 1


def test_after_close_the_same_id_with_other_details_is_refused(
    ledger: Ledger, shipment_ref: str
) -> None:
    record(ledger, shipment_ref, a_call(), closed=True)

    with pytest.raises(CallRefused, match="different operator"):
        ledger.record_call_after_close(shipment_ref, a_call(operator="Bo"), NOW)
    assert ledger.calls_for(shipment_ref)[0].operator == "Ana"


def test_after_close_a_call_in_the_future_is_refused(ledger: Ledger, shipment_ref: str) -> None:
    with pytest.raises(CallRefused, match="future"):
        ledger.record_call_after_close(
            shipment_ref, a_call(occurred_at=NOW + timedelta(hours=1)), NOW
        )
    assert ledger.calls_for(shipment_ref) == []


def test_after_close_an_unknown_shipment_is_a_lookup_error(ledger: Ledger) -> None:
    with pytest.raises(LookupError):
        ledger.record_call_after_close(f"shipment:shop-1:{unique('none')}", a_call(), NOW)
