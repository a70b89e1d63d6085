"""Bad input is refused before a workflow exists, with a message that names the field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import EmailStr, TypeAdapter, ValidationError

from models.bounds import Email
from models.policy import NotificationPolicy
from models.shipment import (
    CarrierEvent,
    Recipient,
    ShipmentRecord,
    ShipmentStart,
    parse_shipment_ref,
)
from models.state import EventOutcome, LedgerUpdate, TimelineEntry
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment


def fields_in(err: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in err.value.errors()}


def start_payload(**overrides: Any) -> dict[str, Any]:
    payload = shipment().model_dump(mode="json")
    payload.update(overrides)
    return payload


def test_phone_must_be_e164() -> None:
    with pytest.raises(ValidationError, match=r"E\.164") as err:
        Recipient(name="A", phone="07700 900123")
    assert fields_in(err) == {"phone"}


def test_phone_with_spaces_is_normalised() -> None:
    assert Recipient(name="A", phone="+44 7700 900123").phone == "+447700900123"


def test_bad_email_names_the_field() -> None:
    payload = start_payload(recipient={"name": "A", "email": "not-an-email"})
    with pytest.raises(ValidationError) as err:
        ShipmentStart.model_validate(payload)
    assert fields_in(err) == {"recipient.email"}


def test_a_recipient_needs_some_way_to_be_reached() -> None:
    with pytest.raises(ValidationError, match="phone or an email"):
        Recipient(name="A")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        CarrierEvent.model_validate(
            {"event_id": "e", "status": "in_transit", "occurred_at": "2026-11-20T10:00:00"}
        )
    assert fields_in(err) == {"occurred_at"}


def test_unknown_carrier_status_is_refused() -> None:
    with pytest.raises(ValidationError, match="in_transit") as err:
        CarrierEvent.model_validate(
            {"event_id": "e", "status": "teleported", "occurred_at": "2026-11-20T10:00:00Z"}
        )
    assert fields_in(err) == {"status"}


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        Recipient(name="A", email="a@example.com", time_zone="Mars/Olympus")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        ShipmentStart.model_validate(start_payload(recipent={}))
    assert "recipent" in fields_in(err)


def test_window_must_end_after_it_starts() -> None:
    payload = start_payload(
        delivery={
            "kind": "courier_next_day",
            "window": {"start": "2026-11-21T16:00:00Z", "end": "2026-11-21T14:00:00Z"},
        }
    )
    with pytest.raises(ValidationError, match="end must be after"):
        ShipmentStart.model_validate(payload)


def test_identifiers_cannot_contain_the_workflow_id_separator() -> None:
    with pytest.raises(ValidationError) as err:
        ShipmentStart.model_validate(start_payload(shop_id="a:b"))
    assert fields_in(err) == {"shop_id"}


def test_workflow_id_is_derived_from_shop_and_shipment() -> None:
    assert shipment(shop_id="s1", shipment_id="p9").workflow_id == "shipment:s1:p9"


def test_shipment_references_accept_both_forms() -> None:
    assert parse_shipment_ref("s1:p9") == parse_shipment_ref("shipment:s1:p9") == "shipment:s1:p9"
    with pytest.raises(ValueError, match="not 'shipment"):
        parse_shipment_ref("p9")


def test_policy_overrides_keep_the_other_defaults() -> None:
    policy = NotificationPolicy.model_validate({"channels": {"shipped": ["sms"]}})
    assert policy.channels_for("shipped") == ("sms",)  # type: ignore[arg-type]
    assert policy.channels_for("returned") == ("email",)  # type: ignore[arg-type]


def test_policy_refuses_a_channel_listed_twice() -> None:
    with pytest.raises(ValidationError, match="listed twice"):
        NotificationPolicy.model_validate({"channels": {"shipped": ["sms", "sms"]}})


def test_queued_ledger_updates_merge_in_order_with_the_latest_status() -> None:
    def update(status: ShipmentStatus, minutes: int) -> LedgerUpdate:
        entry = TimelineEntry(
            event=event(status, minutes), received_at=T0, outcome=EventOutcome.APPLIED
        )
        return LedgerUpdate(
            shipment_ref="shipment:shop-1:s-1", status=status, status_at=T0, entry=entry
        )

    merged = LedgerUpdate.merged(
        [update(ShipmentStatus.IN_TRANSIT, 10), update(ShipmentStatus.OUT_FOR_DELIVERY, 20)]
    )

    assert [e.event.event_id for e in merged.timeline] == [
        "e-in_transit-10",
        "e-out_for_delivery-20",
    ]
    assert merged.status is ShipmentStatus.OUT_FOR_DELIVERY


def test_the_ledger_is_sent_a_shipment_without_its_policy() -> None:
    start = shipment()
    update = LedgerUpdate(
        shipment_ref=start.workflow_id,
        shipment=ShipmentRecord.of(start),
        status=ShipmentStatus.SHIPPED,
        status_at=T0,
    )

    sent = update.model_dump(mode="json")["shipment"]

    assert "policy" not in sent and "recommendations" not in sent
    assert ShipmentRecord.model_validate(sent) == ShipmentRecord.of(start)


def test_an_update_scheduled_with_the_whole_start_is_still_read() -> None:
    """Activities scheduled before the ledger took a `ShipmentRecord` carry the start."""
    start = shipment()
    payload = {
        "shipment_ref": start.workflow_id,
        "shipment": start.model_dump(mode="json"),
        "status": "shipped",
        "status_at": T0.isoformat(),
    }

    update = LedgerUpdate.model_validate_json(json.dumps(payload))

    assert update.shipment == ShipmentRecord.of(start)


@pytest.mark.parametrize("address", ["Sam@Example.COM", "sam@bücher.example", "not-an-email"])
def test_an_email_is_read_as_pydantic_reads_one(address: str) -> None:
    ours, theirs = TypeAdapter(Email), TypeAdapter(EmailStr)
    try:
        expected = theirs.validate_python(address)
    except ValidationError as err:
        with pytest.raises(ValidationError) as refused:
            ours.validate_python(address)
        assert refused.value.errors()[0]["msg"] == err.errors()[0]["msg"]
    else:
        assert ours.validate_python(address) == expected
    assert ours.json_schema() == theirs.json_schema()
