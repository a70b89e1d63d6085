"""A handset that cannot be reached, learned from Twilio's signed status callback on a real
workflow: the news goes by email, and so does every later message of the shipment."""

from __future__ import annotations

import httpx
from temporalio.client import Client

from infra.settings import Settings
from models.notification import Channel, NotificationKind, NotificationStatus
from models.status import ShipmentStatus
from testing.factories import event
from testing.sendgrid_server import FakeSendGrid
from testing.twilio_server import FakeTwilio
from tests.api.conftest import twilio_post
from tests.api.test_provider_hooks import STATUS, record, sms_sent, status_form
from tests.polling import eventually
from workflows.client import report_event

K = NotificationKind
NS = NotificationStatus


async def test_after_30003_the_news_and_all_later_news_go_by_email(
    http: httpx.AsyncClient,
    client: Client,
    api_settings: Settings,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, K.OUT_FOR_DELIVERY)

    callback = status_form(sid, "undelivered", "30003")
    response = await http.post(STATUS, **twilio_post(STATUS, callback))
    assert response.status_code == 204
    state = await eventually(
        client,
        ref,
        lambda s: any(
            n.kind is K.OUT_FOR_DELIVERY and n.channel is Channel.EMAIL and n.status is NS.SENT
            for n in s.notifications
        ),
    )
    assert [f.channel for f in state.failing] == [Channel.SMS]
    texts_before = len(fake_twilio.sent)

    await report_event(client, ref, event(ShipmentStatus.DELIVERED, 180))

    state = await eventually(
        client,
        ref,
        lambda s: any(n.kind is K.DELIVERED and n.status is NS.SENT for n in s.notifications),
    )
    assert [n.channel for n in state.notifications if n.kind is K.DELIVERED] == [Channel.EMAIL]
    assert len(fake_twilio.sent) == texts_before
    assert any(
        m.custom_args["waypost_key"].endswith(":delivered:1:email") for m in fake_sendgrid.sent
    )


async def test_after_a_transient_30007_later_news_still_goes_by_sms(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, sid = await sms_sent(client, api_settings, fake_twilio, K.OUT_FOR_DELIVERY)

    await http.post(STATUS, **twilio_post(STATUS, status_form(sid, "undelivered", "30007")))
    await eventually(
        client, ref, lambda s: record(s, K.OUT_FOR_DELIVERY, Channel.SMS).status is NS.UNDELIVERED
    )
    await report_event(client, ref, event(ShipmentStatus.DELIVERED, 180))

    state = await eventually(
        client,
        ref,
        lambda s: any(n.kind is K.DELIVERED and n.status is NS.SENT for n in s.notifications),
    )
    assert state.failing == []
    assert Channel.SMS in [n.channel for n in state.notifications if n.kind is K.DELIVERED]
