"""A parcel in trouble (lost, damaged, held, an address problem, refused): the customer hears
what happened from the exception's own message, once per problem, and no delay notice follows
for the same problem. Pure reactions and schedule, no server."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from messages.render import render
from models.kinds import EXCEPTION_KIND
from models.notification import Channel, NotificationKind
from models.shipment import CarrierEvent, Recipient
from models.state import ShipmentState
from models.status import ExceptionReason, ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.plan import message_context
from workflows.reactions import on_carrier_event
from workflows.schedule import timers

K, S, R = NotificationKind, ShipmentStatus, ExceptionReason

LOCALES = ("en", "ru", "pl", "ro")


def fresh(**overrides: object) -> ShipmentState:
    return ShipmentState(shipment=shipment(**overrides), status_since=T0)


def problem(reason: ExceptionReason | None, minutes: int = 30, **extra: Any) -> CarrierEvent:
    fields: dict[str, Any] = {"description": "Carrier's own words", **extra}
    return event(
        S.EXCEPTION,
        minutes,
        exception=reason,
        detail="failure/" + (reason.value if reason else "unknown"),
        **fields,
    )


@pytest.mark.parametrize("reason", list(R))
def test_each_exception_sends_its_own_message(reason: ExceptionReason) -> None:
    state = fresh()
    on_carrier_event(state, event(S.IN_TRANSIT, 10), T0)
    receipt = on_carrier_event(state, problem(reason), T0).answer
    kinds = {n.kind for n in state.notifications if n.key in receipt.notifications}
    assert kinds == {EXCEPTION_KIND[reason]}
    assert state.exception is reason


@pytest.mark.parametrize("reason", list(R))
def test_no_delay_notice_follows_an_explained_exception(reason: ExceptionReason) -> None:
    state = fresh()
    on_carrier_event(state, problem(reason), T0)
    assert K.DELAY_NOTICE not in {t.kind for t in timers(state)}


def test_the_same_problem_reported_again_sends_nothing() -> None:
    state = fresh()
    on_carrier_event(state, problem(R.HELD, 30), T0)
    again = on_carrier_event(state, problem(R.HELD, 90), T0).answer
    assert again.notifications == []


def test_a_different_problem_sends_its_own_message() -> None:
    state = fresh()
    on_carrier_event(state, problem(R.HELD, 30), T0)
    lost = on_carrier_event(state, problem(R.LOST, 90), T0).answer
    assert {n.kind for n in state.notifications if n.key in lost.notifications} == {
        K.EXCEPTION_LOST
    }


def test_progress_after_an_exception_restores_the_delay_watch() -> None:
    state = fresh()
    on_carrier_event(state, problem(R.HELD, 30), T0)
    on_carrier_event(state, event(S.IN_TRANSIT, 60), T0)
    assert state.exception is None
    assert K.DELAY_NOTICE in {t.kind for t in timers(state)}


def test_an_exception_without_a_reason_keeps_the_old_behaviour() -> None:
    """Events recorded before reasons existed replay as they ran: no message, a delay watch."""
    state = fresh()
    receipt = on_carrier_event(state, problem(None), T0).answer
    assert receipt.notifications == []
    assert K.DELAY_NOTICE in {t.kind for t in timers(state)}


def test_the_carrier_description_and_detail_stay_on_the_exception_event() -> None:
    state = fresh()
    on_carrier_event(state, problem(R.ADDRESS), T0)
    found = state.exception_event()
    assert found is not None
    assert (found.exception, found.detail, found.description) == (
        R.ADDRESS,
        "failure/address",
        "Carrier's own words",
    )
    assert state.timeline[-1].event.exception is R.ADDRESS


def test_an_address_problem_goes_out_at_night_the_others_wait_for_morning() -> None:
    from models.policy import NotificationPolicy, QuietHours

    night = NotificationPolicy(quiet_hours=QuietHours())
    for reason, deferred in ((R.ADDRESS, False), (R.LOST, True)):
        state = fresh(
            policy=night,
            recipient=Recipient(name="Sam", phone="+447700900123", time_zone="UTC"),
        )
        midnight = T0 + timedelta(days=1, minutes=30)
        on_carrier_event(state, problem(reason, 30), midnight)
        [record] = [n for n in state.notifications if n.kind is EXCEPTION_KIND[reason]]
        assert (record.due_at is not None) is deferred, reason


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("reason", list(R))
def test_every_exception_message_apologises_and_says_what_comes_next(
    reason: ExceptionReason, locale: str
) -> None:
    state = fresh()
    on_carrier_event(state, problem(reason), T0)
    context = message_context(state)
    for channel in Channel:
        rendered = render(EXCEPTION_KIND[reason], channel, locale, context)
        assert state.shipment.order_id in rendered.body
        if channel is Channel.SMS:
            assert rendered.segments <= 2
    english = render(EXCEPTION_KIND[reason], Channel.EMAIL, "en", context).body.lower()
    assert "sorry" in english


def test_waypost_shipment_show_names_the_exception_and_the_carriers_words() -> None:
    from starters.cli import render_state

    state = fresh()
    name = state.shipment.recipient.name
    on_carrier_event(state, problem(R.HELD, description=f"Held for {name} at customs"), T0)

    shown = render_state(state)

    assert "exception: held - carrier: failure/held - Held for" in shown
    assert "    carrier: failure/held - Held for" in shown
    assert name not in shown


def test_a_reason_belongs_to_status_exception_only() -> None:
    with pytest.raises(ValueError, match="status exception only"):
        event(S.IN_TRANSIT, 10, exception=R.LOST)


APOLOGIES = {
    "en": ("sorry",),
    "ru": ("извин", "жаль"),
    "pl": ("przeprasz", "przykro"),
    "ro": ("ne pare", "scuze"),
}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("reason", list(R))
def test_every_exception_sms_and_email_apologises_in_its_language(
    reason: ExceptionReason, locale: str
) -> None:
    state = fresh()
    on_carrier_event(state, problem(reason), T0)
    for channel in Channel:
        body = render(EXCEPTION_KIND[reason], channel, locale, message_context(state)).body
        assert any(word in body.lower() for word in APOLOGIES[locale]), (channel, body)
