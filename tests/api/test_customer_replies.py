"""A customer's SMS answer to the courier's confirmation, round trip through Twilio's signed
inbound webhook and a real workflow: acknowledged once, recorded once, shown to support."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import Client

from infra.settings import Settings
from models.notification import Channel, NotificationKind
from models.shipment import Window
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import event
from testing.twilio_server import FakeTwilio
from tests.api.test_provider_hooks import INBOUND, inbound, sms_sent, upcoming
from tests.polling import eventually
from workflows.client import choose_slot, report_event

K = NotificationKind
CONFIRMED = "Thanks! The courier knows you will be home."
RESCHEDULED = "Thanks, noted: the courier won't come now. We'll send you a new delivery time."


async def test_a_reply_of_1_is_acknowledged_and_recorded_as_an_sms_answer(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.COURIER_ONE_HOUR)

    response = await http.post(INBOUND, **inbound("1"))

    assert response.status_code == 200
    assert f"<Message>{CONFIRMED}</Message>" in response.text
    state = await eventually(client, ref, lambda s: bool(s.replies))
    assert [(r.what, r.via) for r in state.replies] == [("confirm", "sms")]
    assert state.replies[0].window == state.one_hour_window


async def test_a_repeated_reply_changes_nothing_and_is_not_acknowledged_again(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.COURIER_ONE_HOUR)
    first = await http.post(INBOUND, **inbound("1"))
    await eventually(client, ref, lambda s: bool(s.replies))

    again = await http.post(INBOUND, **inbound("yes"))

    assert "<Message>" in first.text
    assert again.status_code == 200 and "<Message>" not in again.text
    state = await eventually(client, ref, lambda s: True)
    assert [r.what for r in state.replies] == ["confirm"]


async def test_a_reply_of_2_is_acknowledged_and_recorded_as_a_reschedule(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.COURIER_ONE_HOUR)

    response = await http.post(INBOUND, **inbound("2"))
    again = await http.post(INBOUND, **inbound("2"))

    assert f"<Message>{RESCHEDULED}</Message>" in response.text
    assert "<Message>" not in again.text
    state = await eventually(client, ref, lambda s: bool(s.replies))
    assert [(r.what, r.via) for r in state.replies] == [("reschedule", "sms")]


async def test_a_change_of_mind_is_acknowledged_and_recorded(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.COURIER_ONE_HOUR)
    await http.post(INBOUND, **inbound("1"))

    response = await http.post(INBOUND, **inbound("2"))

    assert "<Message>" in response.text
    state = await eventually(client, ref, lambda s: len(s.replies) == 2)
    assert [r.what for r in state.replies] == ["confirm", "reschedule"]


async def test_a_reschedule_that_offers_slots_again_gets_no_second_message(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.SLOT_CHOICE)
    await choose_slot(client, ref, 3)
    soon = datetime.now(UTC) + timedelta(minutes=30)
    await report_event(
        client,
        ref,
        event(
            ShipmentStatus.OUT_FOR_DELIVERY,
            2,
            window=Window(start=soon, end=soon + timedelta(hours=2)),
        ),
    )
    # The customer answers the courier's confirmation once it has reached them: replying
    # before its SMS is sent would answer the slot offer, settled already ("too late").
    await eventually(client, ref, courier_sms_sent)

    response = await http.post(INBOUND, **inbound("2"))

    assert "<Message>" not in response.text  # the slot offer that follows is the answer
    state = await eventually(client, ref, lambda s: bool(s.offered_slots))
    assert [r.what for r in state.replies] == ["reschedule"]
    assert [w.start for w in state.offered_slots] == upcoming(3)


def courier_sms_sent(state: ShipmentState) -> bool:
    """The courier's confirmation went out by SMS (the ledger knows whom it asked)."""
    return any(
        n.kind is K.COURIER_ONE_HOUR and n.channel is Channel.SMS and n.provider_message_id
        for n in state.notifications
    )


async def test_the_chosen_slot_texted_again_is_not_answered_another_is_told_it_is_too_late(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_twilio: FakeTwilio
) -> None:
    ref, _ = await sms_sent(client, api_settings, fake_twilio, K.SLOT_CHOICE)
    await http.post(INBOUND, **inbound("2"))
    await eventually(client, ref, lambda s: s.window is not None)

    same = await http.post(INBOUND, **inbound("2"))
    other = await http.post(INBOUND, **inbound("3"))

    assert same.status_code == 200 and "<Message>" not in same.text
    assert other.status_code == 200 and "the time to answer has passed" in other.text
    state = await eventually(client, ref, lambda s: True)
    assert state.window is not None and state.window.start == upcoming(3)[1]
