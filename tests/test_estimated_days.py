"""A date-only estimate is a day where the recipient lives, not an instant in UTC: the customer
is told that day (west of UTC as well as east), and the shipment is late only once that day has
ended there. Recipients on both sides of UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messages.render import render
from models.days import day_end
from models.notification import Channel, NotificationKind
from models.shipment import Recipient
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment, window
from workflows.lifecycle import apply_event
from workflows.plan import message_context
from workflows.reactions import on_timer
from workflows.schedule import timers

K, S = NotificationKind, ShipmentStatus
ZONES = ("America/Los_Angeles", "Asia/Tokyo")
DAY = T0.date() + timedelta(days=1)


def recipient_in(zone: str) -> ShipmentState:
    person = Recipient(name="Sam", phone="+14155550100", email="sam@example.com", time_zone=zone)
    return ShipmentState(shipment=shipment(recipient=person), status_since=T0)


def estimated(zone: str, day: date = DAY) -> ShipmentState:
    state = recipient_in(zone)
    apply_event(state, event(S.IN_TRANSIT, 10, estimated_day=day), T0)
    return state


@pytest.mark.parametrize("zone", ZONES)
def test_a_day_lasts_until_midnight_in_the_recipients_zone(zone: str) -> None:
    state = estimated(zone)
    ends = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), ZoneInfo(zone))
    assert state.estimated_day == DAY
    assert state.estimated_delivery == ends.astimezone(UTC)


def test_los_angeles_ends_its_day_after_tokyo() -> None:
    assert day_end(DAY, "America/Los_Angeles") - day_end(DAY, "Asia/Tokyo") == timedelta(hours=17)


@pytest.mark.parametrize("zone", ZONES)
def test_the_delay_watch_waits_until_the_estimated_day_has_ended(zone: str) -> None:
    state = estimated(zone)
    [watch] = [t for t in timers(state) if t.kind is K.DELAY_NOTICE]
    local = watch.due_at.astimezone(ZoneInfo(zone))
    assert local.date() > DAY, "never on the estimated day itself"
    assert watch.reason == "delay watch: the estimated day has ended"


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("locale", ["en", "ru", "pl", "ro"])
def test_messages_name_the_estimated_day_itself(zone: str, locale: str) -> None:
    state = estimated(zone)
    shown = render(K.SHIPPED, Channel.EMAIL, locale, message_context(state)).body
    day_as_written = render_day(DAY, locale)
    assert day_as_written in shown
    assert render_day(DAY - timedelta(days=1), locale) not in shown
    assert "00:00" not in shown


def render_day(day: date, locale: str) -> str:
    from messages import formats

    return formats.day(day, locale)  # type: ignore[arg-type]


@pytest.mark.parametrize("zone", ZONES)
def test_the_delay_notice_names_a_new_estimated_day(zone: str) -> None:
    state = estimated(zone, DAY + timedelta(days=5))
    state.last_event_at = T0  # no progress since: the watch falls due
    requests = on_timer(state, next_watch(state), T0 + timedelta(days=4)).changes[0].requests
    sms = render(K.DELAY_NOTICE, Channel.SMS, "en", requests[0].context).body
    assert render_day(DAY + timedelta(days=5), "en") in sms


def next_watch(state: ShipmentState):  # type: ignore[no-untyped-def]
    return next(t for t in timers(state) if t.kind is K.DELAY_NOTICE)


@pytest.mark.parametrize("zone", ZONES)
def test_a_window_or_a_timed_estimate_replaces_the_day(zone: str) -> None:
    state = estimated(zone)
    apply_event(state, event(S.OUT_FOR_DELIVERY, 20, window=window()), T0)
    assert state.estimated_day is None and state.estimated_delivery == window().end
    apply_event(state, event(S.IN_TRANSIT, 30, estimated_day=DAY), T0)
    at = T0 + timedelta(days=2, hours=15)
    apply_event(state, event(S.IN_TRANSIT, 40, estimated_delivery=at), T0)
    assert state.estimated_day is None and state.estimated_delivery == at


def assert_ends(day: date, zone: str) -> None:
    """`day_end` is the first instant after `day` in `zone`, and the day never comes back."""
    ends = day_end(day, zone)
    local = ZoneInfo(zone)
    assert ends.tzinfo is UTC
    assert (ends - timedelta(microseconds=1)).astimezone(local).date() <= day
    after = [(ends + timedelta(minutes=m)).astimezone(local).date() for m in (0, 1, 61)]
    assert all(d > day for d in after), "the day never comes back (a midnight repeated by DST)"


@given(
    zone=st.sampled_from(sorted(available_timezones())),
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30)),
)
def test_a_day_ends_at_its_last_local_midnight_in_every_zone(zone: str, day: date) -> None:
    assert_ends(day, zone)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/Havana", date(2010, 10, 30)),  # 01:00 back to 00:00: the next day repeats
        ("America/Goose_Bay", date(2010, 11, 6)),  # 00:01 back to 23:01: the day comes back
        ("America/Sao_Paulo", date(2017, 10, 14)),  # midnight skipped (00:00 to 01:00)
        ("Pacific/Apia", date(2011, 12, 29)),  # Samoa skipped 30 December 2011
    ],
)
def test_a_day_ends_right_where_dst_or_the_date_line_moves_midnight(zone: str, day: date) -> None:
    assert_ends(day, zone)
