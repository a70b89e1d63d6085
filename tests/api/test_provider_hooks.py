"""Provider callbacks over HTTP, signed as the providers sign them: Twilio's status callback and
the customer's SMS replies, SendGrid's event webhook. Reports land in the PostgreSQL ledger once
and forward only; a hard failure makes the workflow try the other channel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from temporalio.client import Client

from infra.links import load_secret, recipient_hash
from infra.settings import Settings
from ledger.claims import Ledger
from ledger.engine import make_engine
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import Courier, Window
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery, shipment
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.api.conftest import sendgrid_post, twilio_post
from tests.db_fixtures import unique
from tests.polling import eventually
from workflows.client import report_event, start_shipment

STATUS = "/v1/twilio/status"
INBOUND = "/v1/twilio/inbound"
EVENTS = "/v1/sendgrid/events"


def ledger_of(settings: Settings) -> Ledger:
    return Ledger(make_engine(settings.ledger_url))


def record(state: ShipmentState, kind: NotificationKind, channel: Channel) -> Any:
    return next(n for n in state.notifications if n.kind is kind and n.channel is channel)


async def sms_sent(
    client: Client, settings: Settings, fake_twilio: FakeTwilio, kind: NotificationKind
) -> tuple[str, str]:
    """Start a shipment and bring it to an SMS of `kind`; returns (workflow id, message sid)."""
    start = shipment()
    await start_shipment(client, start, settings.task_queue)
    if kind is NotificationKind.COURIER_ONE_HOUR:
        soon = datetime.now(UTC) + timedelta(minutes=30)
        await report_event(
            client,
            start.workflow_id,
            event(
                ShipmentStatus.OUT_FOR_DELIVERY,
                1,
                window=Window(start=soon, end=soon + timedelta(hours=2)),
                courier=Courier(name="Piotr"),
            ),
        )
    elif kind is NotificationKind.SLOT_CHOICE:
        slots = [Window(start=s, end=s + timedelta(hours=2)) for s in upcoming(3)]
        await report_event(
            client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, 1, slots=slots)
        )
    else:
        await report_event(client, start.workflow_id, out_for_delivery(60))
    state = await eventually(
        client,
        start.workflow_id,
        lambda s: any(
            n.kind is kind and n.channel is Channel.SMS and n.provider_message_id
            for n in s.notifications
        ),
    )
    sid = record(state, kind, Channel.SMS).provider_message_id
    return start.workflow_id, sid


def upcoming(days: int) -> list[datetime]:
    tomorrow = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return [tomorrow + timedelta(days=d) for d in range(1, days + 1)]


def status_form(sid: str, status: str, code: str | None = None) -> dict[str, str]:
    form = {
        "MessageSid": sid,
        "MessageStatus": status,
        "AccountSid": "AC00000000000000000000000000000000",
        "To": "+447700900123",
        "From": "+15005550006",
    }
    return form | ({"ErrorCode": code} if code else {})


# Twilio status callbacks


async def test_a_delivered_callback_marks_the_sms_delivered_in_ledger_and_workflow(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)

    response = await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "delivered")))

    assert response.status_code == 204
    key = record(
        await eventually(client, ref, lambda s: True),
        NotificationKind.OUT_FOR_DELIVERY,
        Channel.SMS,
    ).key
    notification = ledger_of(api_settings).notification(key)
    assert notification is not None and notification.status is NotificationStatus.DELIVERED
    await eventually(
        client,
        ref,
        lambda s: (
            record(s, NotificationKind.OUT_FOR_DELIVERY, Channel.SMS).status
            is NotificationStatus.DELIVERED
        ),
    )


async def test_every_sms_asks_twilio_for_status_callbacks_at_the_public_url(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)

    assert [r.status_callback for r in fake_twilio.sent] == [f"{api_settings.public_base}{STATUS}"]


async def test_a_badly_signed_callback_is_a_403_and_changes_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)
    signed = twilio_post(STATUS, status_form(sid, "delivered"))
    signed["data"]["MessageStatus"] = "failed"  # tampered after signing

    response = await http.post(STATUS, **signed)

    assert response.status_code == 403
    state = await eventually(client, ref, lambda s: True)
    assert record(state, NotificationKind.OUT_FOR_DELIVERY, Channel.SMS).status is (
        NotificationStatus.SENT
    )


async def test_a_late_sent_callback_never_moves_a_delivered_sms_back(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)
    await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "delivered")))

    await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "sent")))
    await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "undelivered", "30003")))

    state = await eventually(client, ref, lambda s: True)
    key = record(state, NotificationKind.OUT_FOR_DELIVERY, Channel.SMS).key
    notification = ledger_of(api_settings).notification(key)
    assert notification is not None and notification.status is NotificationStatus.DELIVERED
    assert len(ledger_of(api_settings).delivery_reports(key)) == 3


async def test_an_sms_that_can_never_arrive_goes_by_email_instead(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)

    await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "undelivered", "30005")))

    state = await eventually(
        client,
        ref,
        lambda s: any(
            n.kind is NotificationKind.OUT_FOR_DELIVERY
            and n.channel is Channel.EMAIL
            and n.status is NotificationStatus.SENT
            for n in s.notifications
        ),
    )
    assert record(state, NotificationKind.OUT_FOR_DELIVERY, Channel.SMS).status is (
        NotificationStatus.UNDELIVERED
    )
    assert any(
        m.custom_args["waypost_key"].endswith(":out_for_delivery:1:email")
        for m in fake_sendgrid.sent
    )


# Inbound SMS


def inbound(text: str, sender: str = "+447700900123") -> dict[str, Any]:
    form = {"MessageSid": "SMinbound", "From": sender, "To": "+15005550006", "Body": text}
    return twilio_post(INBOUND, form)


async def test_a_reply_with_a_slot_number_chooses_that_slot(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, NotificationKind.SLOT_CHOICE)

    response = await http.post(INBOUND, **inbound(" 2 "))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Message>" not in response.text  # the workflow's own confirmation follows
    state = await eventually(client, ref, lambda s: s.window is not None)
    assert state.window is not None and state.window.start == upcoming(3)[1]


async def test_a_reply_of_1_confirms_the_courier_visit(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, NotificationKind.COURIER_ONE_HOUR)

    response = await http.post(INBOUND, **inbound("1"))

    assert response.status_code == 200
    state = await eventually(client, ref, lambda s: bool(s.replies))
    assert [r.what for r in state.replies] == ["confirm"]


async def test_an_unclear_reply_gets_a_short_explanation_and_changes_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, NotificationKind.SLOT_CHOICE)

    response = await http.post(INBOUND, **inbound("maybe friday?"))

    assert "<Message>" in response.text
    state = await eventually(client, ref, lambda s: True)
    assert state.window is None and len(state.offered_slots) == 3


async def test_a_reply_from_a_number_we_never_asked_is_answered_politely(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(INBOUND, **inbound("2", sender="+447700900999"))

    assert response.status_code == 200
    assert "<Message>" in response.text


@pytest.mark.parametrize("keyword", ["STOP", "Stop", "unstop", "HELP", "СТОП", "wypisz"])
async def test_twilios_own_keywords_get_no_answer_from_us(
    http: httpx.AsyncClient, keyword: str
) -> None:
    # A number no shop has texted: its opt-out would stop the other tests' SMS to their number.
    response = await http.post(INBOUND, **inbound(keyword, sender="+447700900999"))

    assert response.status_code == 200
    assert "<Message>" not in response.text


async def test_a_badly_signed_reply_is_a_403(http: httpx.AsyncClient) -> None:
    signed = inbound("2")
    signed["headers"]["X-Twilio-Signature"] = "forged"

    response = await http.post(INBOUND, **signed)

    assert response.status_code == 403


# SendGrid events


def sendgrid_event(key: str, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "email": "sam@example.com",
        "timestamp": int(datetime.now(UTC).timestamp()),
        "event": name,
        "sg_event_id": f"ev-{name}-{key}",
        "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
        "waypost_key": key,
        "shipment_ref": key.rsplit(":", 3)[0],
        **extra,
    }


async def email_sent(
    client: Client, settings: Settings, shop_id: str = "shop-1"
) -> tuple[str, str]:
    start = shipment(shop_id=shop_id)
    await start_shipment(client, start, settings.task_queue)
    state = await eventually(
        client,
        start.workflow_id,
        lambda s: (
            record(s, NotificationKind.SHIPPED, Channel.EMAIL).status is NotificationStatus.SENT
        ),
    )
    return start.workflow_id, record(state, NotificationKind.SHIPPED, Channel.EMAIL).key


async def test_a_signed_delivered_event_marks_the_email_delivered(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    ref, key = await email_sent(client, api_settings)

    response = await http.post(
        EVENTS, **sendgrid_post(sendgrid_keys[0], [sendgrid_event(key, "delivered")])
    )

    assert response.status_code == 200
    assert response.json() == {"recorded": 1, "moved": 1, "errors": []}
    await eventually(
        client,
        ref,
        lambda s: (
            record(s, NotificationKind.SHIPPED, Channel.EMAIL).status
            is NotificationStatus.DELIVERED
        ),
    )


async def test_events_signed_with_another_key_are_a_403_and_change_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    from testing.signing import sendgrid_key_pair

    _, key = await email_sent(client, api_settings)
    intruder, _ = sendgrid_key_pair()

    response = await http.post(
        EVENTS, **sendgrid_post(intruder, [sendgrid_event(key, "delivered")])
    )

    assert response.status_code == 403
    notification = ledger_of(api_settings).notification(key)
    assert notification is not None and notification.status is NotificationStatus.SENT


async def test_a_hard_bounce_sends_the_news_by_sms(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    fake_twilio: FakeTwilio,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    # A shop of its own: the bounce stops email to the address at that shop (the ledger is shared)
    shop = unique("shop")
    ref, key = await email_sent(client, api_settings, shop)

    await http.post(
        EVENTS,
        **sendgrid_post(
            sendgrid_keys[0],
            [sendgrid_event(key, "bounce", type="bounce", reason="550 no such user")],
        ),
    )

    state = await eventually(
        client,
        ref,
        lambda s: any(
            n.kind is NotificationKind.SHIPPED and n.channel is Channel.SMS for n in s.notifications
        ),
    )
    assert (
        record(state, NotificationKind.SHIPPED, Channel.EMAIL).status is NotificationStatus.FAILED
    )
    hashed = recipient_hash(load_secret(api_settings), "sam@example.com")
    ledger = ledger_of(api_settings)
    for category in ("transactional", "marketing"):
        assert ledger.opt_out(shop, Channel.EMAIL, hashed, category) is not None
    assert ledger.opt_out("shop-1", Channel.EMAIL, hashed, "transactional") is None


@pytest.mark.parametrize("kind", ["unsubscribe", "spamreport"])
async def test_an_unsubscribe_or_spam_report_stops_that_class_of_email_at_that_shop(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
    kind: str,
) -> None:
    shop = unique("shop")
    _, key = await email_sent(client, api_settings, shop)

    await http.post(EVENTS, **sendgrid_post(sendgrid_keys[0], [sendgrid_event(key, kind)]))

    hashed = recipient_hash(load_secret(api_settings), "sam@example.com")
    ledger = ledger_of(api_settings)
    found = ledger.opt_out(shop, Channel.EMAIL, hashed, "transactional")
    assert found is not None and found.source == f"sendgrid_{kind}"
    assert ledger.opt_out(shop, Channel.EMAIL, hashed, "marketing") is None
    again = shipment(shop_id=shop)
    await start_shipment(client, again, api_settings.task_queue)
    state = await eventually(
        client,
        again.workflow_id,
        lambda s: any(n.channel is Channel.SMS for n in s.notifications),
    )
    assert record(state, NotificationKind.SHIPPED, Channel.EMAIL).status is (
        NotificationStatus.OPTED_OUT
    )


async def test_a_batch_with_an_unreadable_event_still_records_the_others(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    _, key = await email_sent(client, api_settings)
    broken = sendgrid_event(key, "open")
    del broken["sg_event_id"]

    response = await http.post(
        EVENTS,
        **sendgrid_post(sendgrid_keys[0], [broken, sendgrid_event(key, "delivered")]),
    )

    body = response.json()
    assert (response.status_code, body["recorded"], len(body["errors"])) == (200, 1, 1)


# What the ledger cannot store: set aside, answered 2xx, the rest of the batch kept


def set_aside_keys(settings: Settings, since: datetime) -> list[str]:
    return [a.key for a in ledger_of(settings).set_aside_since(since)]


async def test_a_status_callback_with_a_huge_message_sid_is_set_aside_and_answered_204(
    http: httpx.AsyncClient, api_settings: Settings
) -> None:
    since = datetime.now(UTC)
    sid = "SM" + "7" * 10_000

    response = await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "delivered")))

    assert response.status_code == 204
    [key] = set_aside_keys(api_settings, since)
    assert key.startswith("twilio:SM777") and len(key) <= 200


async def test_a_status_callback_with_nul_in_its_message_sid_is_set_aside(
    http: httpx.AsyncClient, api_settings: Settings
) -> None:
    since = datetime.now(UTC)

    response = await http.post(STATUS, **twilio_post(STATUS, status_form("SM\x00bad", "delivered")))

    assert response.status_code == 204
    assert set_aside_keys(api_settings, since) == ["twilio:SM\\x00bad:delivered"]


async def test_a_failure_callback_with_nul_in_its_error_message_is_recorded_cleaned(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, NotificationKind.OUT_FOR_DELIVERY)
    form = status_form(sid, "undelivered", "30003") | {"ErrorMessage": "handset\x00 off"}

    response = await http.post(STATUS, **twilio_post(STATUS, form))

    assert response.status_code == 204
    state = await eventually(client, ref, lambda s: True)
    key = record(state, NotificationKind.OUT_FOR_DELIVERY, Channel.SMS).key
    [report] = ledger_of(api_settings).delivery_reports(key)
    assert report.status is NotificationStatus.UNDELIVERED
    assert report.detail == "handset off"


async def test_an_inbound_sms_with_nul_characters_is_answered(http: httpx.AsyncClient) -> None:
    response = await http.post(INBOUND, **inbound("2\x00", sender="+4477009\x0000999"))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")


async def test_a_batch_with_events_the_ledger_cannot_store_keeps_the_others(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str],
) -> None:
    ref, key = await email_sent(client, api_settings)
    since = datetime.now(UTC)
    batch = [
        sendgrid_event(key, "open", sg_message_id="x" * 10_000),
        sendgrid_event(key, "click", waypost_key="k" * 10_000),
        sendgrid_event(key, "deferred", sg_event_id="ev\x00nul"),
        sendgrid_event(key, "delivered"),
    ]

    response = await http.post(EVENTS, **sendgrid_post(sendgrid_keys[0], batch))

    assert response.status_code == 200
    body = response.json()
    assert (body["recorded"], body["moved"], len(body["errors"])) == (1, 1, 3)
    assert all("set aside" in error for error in body["errors"])
    assert len(set_aside_keys(api_settings, since)) == 3
    await eventually(
        client,
        ref,
        lambda s: (
            record(s, NotificationKind.SHIPPED, Channel.EMAIL).status
            is NotificationStatus.DELIVERED
        ),
    )
