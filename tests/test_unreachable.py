"""Handsets that cannot be reached: Twilio's error codes classified, the news that went by email
instead, and the number avoided for the rest of the shipment (pure: table and reactions)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from activities.providers.twilio_sms import PERMANENT_CODES
from api.provider_events import twilio_status_report
from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationStatus,
    SendResult,
)
from models.state import ShipmentState
from models.status import ShipmentStatus
from models.twilio_errors import TWILIO_ERROR_CODES, Reach, reach
from testing.factories import T0, event, out_for_delivery, shipment
from workflows.reactions import (
    on_carrier_event,
    on_delivery_report,
    on_send_results,
    on_start,
    on_timer,
)
from workflows.schedule import timers

K = NotificationKind
S = ShipmentStatus
NS = NotificationStatus


@pytest.mark.parametrize("code", ["30003", "30005", "30006", "21612", "21614", "21635"])
def test_codes_that_say_the_handset_cannot_be_reached_are_unreachable(code: str) -> None:
    assert reach(code) is Reach.UNREACHABLE


@pytest.mark.parametrize(
    "code",
    ["30001", "30002", "30007", "30008", "30017", "30018", "30022", "30036", "30410", "30450"],
)
def test_codes_about_the_moment_the_sender_or_the_content_are_transient(code: str) -> None:
    assert reach(code) is Reach.TRANSIENT


@pytest.mark.parametrize("code", [None, "", "39999", "not-a-code"])
def test_no_code_or_an_unknown_one_never_stops_sms(code: str | None) -> None:
    assert reach(code) is Reach.TRANSIENT


def test_every_code_refused_at_send_time_is_permanent_in_the_table() -> None:
    assert all(TWILIO_ERROR_CODES[str(code)].permanent for code in PERMANENT_CODES)


def test_only_transient_codes_are_not_permanent() -> None:
    assert {c for c, e in TWILIO_ERROR_CODES.items() if not e.permanent} == {
        c for c, e in TWILIO_ERROR_CODES.items() if e.reach is Reach.TRANSIENT
    }


def out_for_delivery_sms() -> tuple[ShipmentState, str]:
    """A courier shipment whose out-for-delivery SMS went out (its key)."""
    state = ShipmentState(shipment=shipment(), status_since=T0)
    on_start(state, T0)
    on_carrier_event(state, out_for_delivery(60), T0)
    for record in state.notifications:
        record.status = NS.SENT
    [sms] = [n for n in state.notifications if n.kind is K.OUT_FOR_DELIVERY]
    assert sms.channel is Channel.SMS
    return state, sms.key


def callback(key: str, status: str, code: str) -> DeliveryReport:
    """Twilio's status callback for the message `key`, as the HTTP service forwards it."""
    form = {"MessageSid": "SM1", "MessageStatus": status, "ErrorCode": code}
    return twilio_status_report(form, T0).model_copy(update={"key": key})


def channels_of(state: ShipmentState, kind: K) -> list[Channel]:
    return [n.channel for n in state.notifications if n.kind is kind]


@pytest.mark.parametrize("code", ["30003", "30005", "30006"])
def test_an_unreachable_handset_gets_the_news_by_email(code: str) -> None:
    state, key = out_for_delivery_sms()
    report = callback(key, "undelivered", code)

    [change] = on_delivery_report(state, report, T0).changes

    assert [(r.kind, r.channel) for r in change.requests] == [(K.OUT_FOR_DELIVERY, Channel.EMAIL)]
    assert [(f.channel, f.key) for f in state.failing] == [(Channel.SMS, key)]
    assert state.failing[0].why is not None and state.failing[0].why.startswith(code)


def test_after_an_unreachable_handset_later_news_goes_by_email() -> None:
    state, key = out_for_delivery_sms()
    report = callback(key, "undelivered", "30003")
    on_delivery_report(state, report, T0)

    [change] = on_carrier_event(state, event(S.DELIVERED, 120), T0).changes

    assert [r.channel for r in change.requests] == [Channel.EMAIL]
    assert channels_of(state, K.DELIVERED) == [Channel.EMAIL]


def test_the_courier_confirmation_goes_by_email_to_an_unreachable_handset() -> None:
    state, key = out_for_delivery_sms()
    report = callback(key, "failed", "30005")
    on_delivery_report(state, report, T0)

    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]

    [change] = on_timer(state, timer, timer.due_at).changes

    assert [r.channel for r in change.requests] == [Channel.EMAIL]


@pytest.mark.parametrize("code", ["30007", "30008", "30017", "30450", ""])
def test_a_transient_failure_keeps_sms_for_later_news(code: str) -> None:
    state, key = out_for_delivery_sms()
    report = callback(key, "undelivered", code)

    assert on_delivery_report(state, report, T0).changes == []
    on_carrier_event(state, event(S.DELIVERED, 120), T0)

    assert state.failing == []
    assert Channel.SMS in channels_of(state, K.DELIVERED)


def test_runs_from_before_the_memory_only_resend_the_failed_message() -> None:
    state, key = out_for_delivery_sms()
    report = callback(key, "undelivered", "30003")

    [change] = on_delivery_report(state, report, T0, remember_failing=False).changes
    on_carrier_event(state, event(S.DELIVERED, 120), T0)

    assert [r.channel for r in change.requests] == [Channel.EMAIL]
    assert state.failing == []
    assert Channel.SMS in channels_of(state, K.DELIVERED)


def test_a_number_refused_at_send_time_is_avoided_too() -> None:
    state = ShipmentState(shipment=shipment(), status_since=T0)
    on_start(state, T0)
    on_carrier_event(state, out_for_delivery(60), T0)
    [sms] = [n for n in state.notifications if n.channel is Channel.SMS]
    result = SendResult(key=sms.key, status=NS.FAILED, error="21211 invalid", permanent=True)

    on_send_results(state, [result], T0 + timedelta(seconds=1))
    on_carrier_event(state, event(S.DELIVERED, 120), T0)

    assert state.failing[0].channel is Channel.SMS
    assert channels_of(state, K.DELIVERED) == [Channel.EMAIL]


def test_an_email_that_cannot_be_reached_is_never_the_fallback_of_an_unreachable_sms() -> None:
    state, key = out_for_delivery_sms()
    [email] = [n for n in state.notifications if n.kind is K.SHIPPED]
    bounce = DeliveryReport(
        provider="sendgrid",
        event="bounce",
        event_id="ev-1",
        key=email.key,
        status=NS.FAILED,
        permanent=True,
        occurred_at=T0,
    )
    on_delivery_report(state, bounce, T0)  # the email bounced for good: SMS carried it
    sms_report = callback(key, "undelivered", "30003")

    assert on_delivery_report(state, sms_report, T0).changes == []
    assert {f.channel for f in state.failing} == {Channel.SMS, Channel.EMAIL}
