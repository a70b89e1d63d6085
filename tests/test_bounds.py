"""Hostile values: whatever a model accepts is storable and keeps the workflow's timers in range;
the rest is refused naming the field (models.bounds)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from carriers.base import clean_text, optional_id, required_text
from infra.settings import Settings
from models.bounds import LATEST, MAX_PICKUP_REMINDERS, MAX_POLICY_DURATION, storable
from models.policy import NotificationPolicy, PickupReminders
from models.shipment import CarrierEvent, Location, ShipmentStart
from testing.factories import shipment

LONGEST = "P999999999D"
"""The longest duration Python (and so pydantic) can hold: 999,999,999 days."""


def refused_fields(model: Any, payload: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as err:
        model.model_validate(payload)
    return {".".join(str(p) for p in e["loc"]) for e in err.value.errors()}


def start(**overrides: Any) -> dict[str, Any]:
    payload = shipment().model_dump(mode="json")
    payload.update(overrides)
    return payload


def carrier_event(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "event_id": "e-1",
        "status": "in_transit",
        "occurred_at": "2026-11-20T08:15:00+01:00",
    }
    return payload | overrides


def policy(**overrides: Any) -> dict[str, Any]:
    payload = NotificationPolicy().model_dump(mode="json")
    payload.update(overrides)
    return payload


# Ids: one alphabet for what routes, printable text for what does not


@pytest.mark.parametrize("field", ["shop_id", "shipment_id", "carrier", "tracking_number"])
@pytest.mark.parametrize(
    "value", ["a/b", "a:b", "a b", "a\x00b", "a?b", "-leading", "é", "a\ud800"]
)
def test_routed_ids_outside_the_alphabet_are_refused(field: str, value: str) -> None:
    assert refused_fields(ShipmentStart, start(**{field: value})) == {field}


@pytest.mark.parametrize(
    "tracking_number",
    ["1Z999AA10123456784", "9400110898825022579493", "RR123456785RO", "JD014600006011234567"],
)
def test_real_tracking_numbers_are_in_the_alphabet(tracking_number: str) -> None:
    assert ShipmentStart.model_validate(start(tracking_number=tracking_number))


@pytest.mark.parametrize("value", ["ORD\x00-1", "ORD-1\n2", "OR\x85D", "ORD\ud800"])
def test_an_order_id_with_a_control_character_or_a_surrogate_is_refused(value: str) -> None:
    assert refused_fields(ShipmentStart, start(order_id=value)) == {"order_id"}


def test_an_order_id_may_be_a_shops_own_order_name() -> None:
    assert ShipmentStart.model_validate(start(order_id="#1001")).order_id == "#1001"


def test_an_event_id_with_nul_is_refused() -> None:
    assert refused_fields(CarrierEvent, carrier_event(event_id="e\x001")) == {"event_id"}


def test_a_configured_shop_id_outside_the_alphabet_is_refused() -> None:
    with pytest.raises(ValidationError, match="shop_api_keys"):
        Settings(shop_api_keys={"shop/1": SecretStr("k" * 24)})


# Prose: shops' is refused when unstorable, carriers' made storable


@pytest.mark.parametrize("value", ["Sam\x00Taylor", "Sam\x1bTaylor", "Sam\ud800"])
def test_a_recipient_name_with_control_characters_is_refused(value: str) -> None:
    recipient = start()["recipient"] | {"name": value}
    assert refused_fields(ShipmentStart, start(recipient=recipient)) == {"recipient.name"}


def test_an_address_may_span_lines() -> None:
    point = {"name": "Post office", "address": "Strada Regele Ferdinand 33\nCluj-Napoca"}
    delivery = {"kind": "pickup_point", "pickup_point": point}
    assert ShipmentStart.model_validate(start(delivery=delivery)).delivery.pickup_point


def test_a_description_with_nul_is_refused_in_the_model() -> None:
    assert refused_fields(CarrierEvent, carrier_event(description="sorted\x00")) == {"description"}


def test_storable_drops_nul_and_controls_and_keeps_lines() -> None:
    assert storable("a\x00b\x1b[31mc\r\nd\te") == "ab[31mc\nd\te"


def test_storable_replaces_a_lone_surrogate() -> None:
    assert storable("caf\ud800") == "caf\ufffd"


def test_carrier_prose_with_nul_is_cleaned_to_valid_text() -> None:
    cleaned = clean_text("Parcel\x00 sorted\x07 at the hub")
    assert CarrierEvent.model_validate(carrier_event(description=cleaned)).description == (
        "Parcel sorted at the hub"
    )


def test_a_carrier_id_with_nul_is_cleaned() -> None:
    assert required_text("9400\x00110898825022579493", "tracking_code") == "9400110898825022579493"
    assert optional_id("\x00\x01") is None


def test_two_place_names_and_a_country_fit_the_ledgers_place_column() -> None:
    longest = Location(city="c" * 200, facility="f" * 200, country="GB")
    assert len(longest.label()) <= 500


def test_a_city_longer_than_a_place_name_is_refused() -> None:
    assert refused_fields(Location, {"city": "c" * 201}) == {"city"}


def test_a_country_must_be_two_letters() -> None:
    assert refused_fields(Location, {"country": "\x00\x00"}) == {"country"}


def test_a_time_zone_name_too_long_for_the_file_system_is_refused_not_raised() -> None:
    recipient = start()["recipient"] | {"time_zone": "a" * 5000}
    assert refused_fields(ShipmentStart, start(recipient=recipient)) == {"recipient.time_zone"}


def test_a_phone_number_in_other_scripts_digits_is_refused() -> None:
    recipient = start()["recipient"] | {"phone": "+٤٤٧٧٠٠٩٠٠١٢٣"}
    assert refused_fields(ShipmentStart, start(recipient=recipient)) == {"recipient.phone"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "https://a.example/\x00", "https://a b"])
def test_a_tracking_url_must_be_a_plain_http_link(url: str) -> None:
    assert refused_fields(ShipmentStart, start(tracking_url=url)) == {"tracking_url"}


def test_a_coupon_code_on_two_lines_is_refused() -> None:
    thank_you = {"enabled": True, "coupon_code": "THANKS\n10"}
    fields = refused_fields(NotificationPolicy, policy(thank_you=thank_you))
    assert fields == {"thank_you.coupon_code"}


# Dates: within 2000-01-01..2100-01-01


@pytest.mark.parametrize("when", ["9999-12-31T00:00:00Z", "1970-01-01T00:00:00Z"])
def test_a_shipped_at_outside_the_era_is_refused(when: str) -> None:
    assert refused_fields(ShipmentStart, start(shipped_at=when)) == {"shipped_at"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("occurred_at", "9999-12-31T23:59:59+00:00"),
        ("estimated_delivery", "9999-12-31T23:59:59+00:00"),
        ("window", {"start": "2026-11-20T13:00:00Z", "end": "9999-12-31T00:00:00Z"}),
    ],
)
def test_a_carrier_date_outside_the_era_is_refused(field: str, value: object) -> None:
    fields = refused_fields(CarrierEvent, carrier_event(**{field: value}))
    assert {f.split(".")[0] for f in fields} == {field}


def test_the_last_instant_of_the_era_is_accepted() -> None:
    assert ShipmentStart.model_validate(start(shipped_at=LATEST.isoformat())).shipped_at == LATEST


# Durations and lists


@pytest.mark.parametrize(
    ("part", "field"),
    [
        ("delay", "after_estimate"),
        ("delay", "no_progress"),
        ("thank_you", "delay"),
        ("pickup", "storage_period"),
        ("pickup", "final_warning_before"),
        (None, "courier_lead_time"),
        (None, "slot_choice_time"),
    ],
)
def test_every_policy_duration_has_a_maximum(part: str | None, field: str) -> None:
    payload = policy()
    if part is None:
        payload[field] = LONGEST
    else:
        payload[part] = payload[part] | {field: LONGEST}
    assert refused_fields(NotificationPolicy, payload) == {f"{part}.{field}" if part else field}


def test_the_maximum_policy_durations_are_accepted() -> None:
    longest = MAX_POLICY_DURATION
    assert NotificationPolicy.model_validate(
        policy(
            delay={"after_estimate": longest, "no_progress": longest},
            thank_you={"enabled": True, "delay": longest},
            pickup={"storage_period": longest, "final_warning_before": timedelta(days=80)},
        )
    )


def test_pickup_reminders_are_a_handful() -> None:
    reminders = [f"PT{minutes}M" for minutes in range(1, 5001)]
    fields = refused_fields(PickupReminders, {"after_arrival": reminders})
    assert fields == {"after_arrival"}
    assert PickupReminders(after_arrival=tuple(timedelta(hours=h + 1) for h in range(5)))
    assert MAX_PICKUP_REMINDERS == 5


def test_a_kind_has_at_most_one_of_each_channel() -> None:
    channels = {"shipped": ["email"] * 1000}
    assert refused_fields(NotificationPolicy, policy(channels=channels)) == {"channels.shipped"}
