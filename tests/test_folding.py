"""Out for delivery less than the courier's lead time before the window: the courier's
confirmation is due at once, so the two messages fold into one that states the real time left
(pure decisions and reactions)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from messages.render import SMS_BUDGET, render
from models.notification import Channel, NotificationKind, NotificationStatus
from models.policy import NotificationPolicy
from models.shipment import Courier, Window
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.plan import FOLDED
from workflows.reactions import on_carrier_event, on_start, on_timer
from workflows.schedule import courier_confirmation_due, minutes_left, timers

K = NotificationKind
S = ShipmentStatus
NS = NotificationStatus
WINDOW = Window(start=T0 + timedelta(days=1, hours=14), end=T0 + timedelta(days=1, hours=16))


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (timedelta(minutes=60), 60),
        (timedelta(minutes=59, seconds=58), 60),
        (timedelta(minutes=40), 40),
        (timedelta(minutes=42), 40),
        (timedelta(minutes=43), 45),
        (timedelta(minutes=12), 10),
        (timedelta(minutes=7), 7),
        (timedelta(minutes=6, seconds=10), 7),
        (timedelta(seconds=20), 1),
        (timedelta(0), 1),
    ],
)
def test_time_left_is_said_in_whole_minutes_then_to_the_nearest_five(
    left: timedelta, said: int
) -> None:
    assert minutes_left(WINDOW.start, WINDOW.start - left) == said


def courier_shipment(**policy: object) -> ShipmentState:
    state = ShipmentState(
        shipment=shipment(policy=NotificationPolicy(quiet_hours=None, **policy)), status_since=T0
    )
    on_start(state, T0)
    return state


def out_for_delivery_before(state: ShipmentState, left: timedelta) -> list[tuple[K, Channel]]:
    """Out for delivery `left` before the window; the messages that go at once."""
    now = WINDOW.start - left
    scan = event(S.OUT_FOR_DELIVERY, 0, window=WINDOW, courier=Courier(name="Piotr"))
    [change] = on_carrier_event(state, scan.model_copy(update={"occurred_at": now}), now).changes
    return [(r.kind, r.channel) for r in change.requests]


def test_the_confirmation_is_due_at_once_inside_the_lead_time() -> None:
    state = courier_shipment()
    state.status, state.window = S.OUT_FOR_DELIVERY, WINDOW

    assert courier_confirmation_due(state, WINDOW.start - timedelta(minutes=40))
    assert courier_confirmation_due(state, WINDOW.start - timedelta(minutes=62))
    assert not courier_confirmation_due(state, WINDOW.start - timedelta(minutes=70))
    assert not courier_confirmation_due(state, WINDOW.start - timedelta(hours=3))


def test_a_short_lead_time_folds_only_what_is_due_within_a_quarter_of_it() -> None:
    state = courier_shipment(courier_lead_time=timedelta(seconds=15))
    state.status, state.window = S.OUT_FOR_DELIVERY, WINDOW

    assert not courier_confirmation_due(state, WINDOW.start - timedelta(seconds=20))
    assert courier_confirmation_due(state, WINDOW.start - timedelta(seconds=16))


def test_out_for_delivery_40_minutes_before_the_window_sends_one_message() -> None:
    state = courier_shipment()

    sent = out_for_delivery_before(state, timedelta(minutes=40))

    assert sent == [(K.COURIER_ONE_HOUR, Channel.SMS)]
    [news] = [n for n in state.notifications if n.kind is K.OUT_FOR_DELIVERY]
    assert (news.status, news.error) == (NS.SUPERSEDED, FOLDED)
    assert not [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]


def test_the_folded_message_states_the_real_time_left() -> None:
    state = courier_shipment()
    now = WINDOW.start - timedelta(minutes=40)
    scan = event(S.OUT_FOR_DELIVERY, 0, window=WINDOW, courier=Courier(name="Piotr"))

    [change] = on_carrier_event(state, scan, now).changes

    [request] = change.requests
    assert request.context.lead_minutes == 40
    body = render(request.kind, request.channel, "en", request.context).body
    assert "about 40 min" in body and "Reply 1 if home" in body


def test_out_for_delivery_well_before_the_window_keeps_two_messages_an_hour_apart() -> None:
    state = courier_shipment()

    sent = out_for_delivery_before(state, timedelta(hours=3))

    assert sent == [(K.OUT_FOR_DELIVERY, Channel.SMS)]
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
    [change] = on_timer(state, timer, timer.due_at).changes
    assert [r.context.lead_minutes for r in change.requests] == [60]


def test_a_confirmation_sent_late_states_the_time_really_left() -> None:
    state = courier_shipment()
    out_for_delivery_before(state, timedelta(hours=3))
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]

    [change] = on_timer(state, timer, timer.due_at + timedelta(minutes=25)).changes

    assert [r.context.lead_minutes for r in change.requests] == [35]


def test_news_on_a_channel_the_confirmation_does_not_take_still_goes() -> None:
    channels = {K.OUT_FOR_DELIVERY: (Channel.SMS, Channel.EMAIL)}
    state = courier_shipment(channels=channels)

    sent = out_for_delivery_before(state, timedelta(minutes=30))

    assert set(sent) == {(K.OUT_FOR_DELIVERY, Channel.EMAIL), (K.COURIER_ONE_HOUR, Channel.SMS)}


def test_once_the_window_has_begun_the_news_goes_alone() -> None:
    state = courier_shipment()

    sent = out_for_delivery_before(state, -timedelta(minutes=10))

    assert sent == [(K.OUT_FOR_DELIVERY, Channel.SMS)]


def test_runs_from_before_folding_send_both() -> None:
    state = courier_shipment()
    now = WINDOW.start - timedelta(minutes=40)
    scan = event(S.OUT_FOR_DELIVERY, 0, window=WINDOW, courier=Courier(name="Piotr"))

    [change] = on_carrier_event(state, scan, now, fold=False).changes

    assert [r.kind for r in change.requests] == [K.OUT_FOR_DELIVERY]
    assert [t.kind for t in timers(state) if t.due_at <= now] == [K.COURIER_ONE_HOUR]


@pytest.mark.parametrize("locale", ["en", "ru", "pl", "ro"])
def test_the_folded_message_fits_the_sms_budget_in_every_language(locale: str) -> None:
    state = courier_shipment()
    now = WINDOW.start - timedelta(minutes=40)
    scan = event(
        S.OUT_FOR_DELIVERY,
        0,
        window=WINDOW,
        courier=Courier(name="Piotr Nowak", phone="+48600999888"),
    )
    [change] = on_carrier_event(state, scan, now).changes
    [request] = change.requests
    context = request.context.model_copy(update={"shop_name": "Acme Outdoor Gear"})

    message = render(request.kind, request.channel, locale, context)

    assert "40" in message.body
    assert message.segments <= SMS_BUDGET
