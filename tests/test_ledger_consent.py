"""The ledger records a recipient's marketing consent on the shipment, on SQLite and PostgreSQL:
given at the start (when the shipment is first recorded) or later (with the change that carries
it), with its time and source; the first recorded stays."""

from __future__ import annotations

from datetime import timedelta

from ledger.claims import Ledger
from models.consent import ConsentSource, MarketingConsent
from models.shipment import Recipient
from models.status import ShipmentStatus
from testing.factories import T0, shipment
from tests.db_fixtures import record_start, unique


def test_consent_at_the_start_is_recorded_with_the_shipment(ledger: Ledger) -> None:
    recipient = Recipient(name="Sam", email="sam@example.com", marketing_consent=True)
    start = shipment(shipment_id=unique("s"), recipient=recipient)

    record_start(ledger, start)

    row = ledger.shipment(start.workflow_id)
    assert row is not None and row.marketing_consent_source == "start"
    assert row.marketing_consent_at is not None


def test_consent_given_later_is_recorded_once_with_its_time_and_source(ledger: Ledger) -> None:
    start = shipment(shipment_id=unique("s"))
    ref = start.workflow_id
    record_start(ledger, start)
    assert (row := ledger.shipment(ref)) is not None and row.marketing_consent_at is None
    first = MarketingConsent(given_at=T0 + timedelta(hours=1), source=ConsentSource.TRACKING_PAGE)
    later = first.model_copy(update={"given_at": T0 + timedelta(hours=2)})

    for consent in (first, first, later):  # a retried activity, then a second consent
        ledger.record_change(
            ref,
            start=None,
            entries=[],
            status=ShipmentStatus.SHIPPED,
            at=T0,
            closed=False,
            consent=consent,
        )

    row = ledger.shipment(ref)
    assert row is not None
    assert (row.marketing_consent_at, row.marketing_consent_source) == (
        first.given_at,
        "tracking_page",
    )
