"""The time to choose a delivery slot ends in the recipient's daytime, in their time zone, and
the SMS, the tracking page's "what happens next" and the timer that books the first slot all say
the same moment (recipients on both sides of UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from messages.render import render
from models.notification import Channel, NotificationKind
from models.policy import NotificationPolicy, QuietHours
from models.shipment import DeliveryKind, DeliveryOption, Recipient, Window
from models.state import ShipmentState, TimerWait
from models.status import ShipmentStatus
from testing.factories import event, shipment
from workflows.reactions import on_carrier_event, on_due, on_start
from workflows.schedule import after_quiet_hours, slot_deadline, timers
from workflows.waiting import scheduled

K = NotificationKind
ZONES = ["America/Los_Angeles", "Pacific/Honolulu", "Europe/London", "Asia/Tokyo"]
"""West of UTC, on it, and east of it."""


def local(zone: str, day: int, hour: int, minute: int = 0) -> datetime:
    """`hour`:`minute` on 2026-03-`day` in `zone`, as an aware instant."""
    return datetime(2026, 3, day, hour, minute, tzinfo=ZoneInfo(zone))


NIGHTS = QuietHours()
"""21:00 to 08:00, the default quiet hours."""


def offering(zone: str, quiet: QuietHours | None = NIGHTS) -> ShipmentState:
    recipient = Recipient(
        name="Sam Taylor", phone="+447700900123", email="sam@example.com", time_zone=zone
    )
    state = ShipmentState(
        shipment=shipment(
            recipient=recipient,
            delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY),
            policy=NotificationPolicy(quiet_hours=quiet),
            shipped_at=local(zone, 1, 9),
        ),
        status_since=local(zone, 1, 9),
    )
    on_start(state, local(zone, 1, 9))
    return state


def slots_from(zone: str, day: int) -> list[Window]:
    return [Window(start=local(zone, day, h), end=local(zone, day, h + 2)) for h in (10, 14, 18)]


def in_zone(moment: datetime, zone: str) -> tuple[int, time]:
    shown = moment.astimezone(ZoneInfo(zone))
    return shown.day, shown.time()


@pytest.mark.parametrize("zone", ZONES)
def test_a_deadline_that_would_fall_at_night_moves_to_the_morning(zone: str) -> None:
    state = offering(zone)

    deadline = slot_deadline(state, slots_from(zone, 4), local(zone, 2, 14, 12))

    assert in_zone(deadline, zone) == (3, time(8, 0))  # not 02:12 at night


@pytest.mark.parametrize("zone", ZONES)
def test_a_deadline_in_the_daytime_is_the_choice_time_after_the_offer(zone: str) -> None:
    state = offering(zone)

    deadline = slot_deadline(state, slots_from(zone, 4), local(zone, 2, 8, 30))

    assert in_zone(deadline, zone) == (2, time(20, 30))


@pytest.mark.parametrize("zone", ZONES)
def test_when_the_first_slot_begins_by_the_morning_the_deadline_is_the_evening_before(
    zone: str,
) -> None:
    state = offering(zone)
    early = [Window(start=local(zone, 3, 7), end=local(zone, 3, 9)), *slots_from(zone, 4)]

    deadline = slot_deadline(state, early, local(zone, 2, 14, 12))

    assert in_zone(deadline, zone) == (2, time(20, 0))


@pytest.mark.parametrize("zone", ZONES)
def test_the_deadline_ends_before_the_first_slot_begins(zone: str) -> None:
    """Offered at 19:30, twelve hours would end at 07:30 (moved to 08:00), after a slot at 09:00
    began: the time to choose ends an hour before it, in the daytime."""
    state = offering(zone)
    early = [Window(start=local(zone, 3, 9), end=local(zone, 3, 11)), *slots_from(zone, 4)]

    deadline = slot_deadline(state, early, local(zone, 2, 19, 30))

    assert in_zone(deadline, zone) == (3, time(8, 0))
    assert deadline < early[0].start


@pytest.mark.parametrize("zone", ZONES)
def test_a_deadline_inside_the_day_moves_before_a_first_slot_that_begins_sooner(
    zone: str,
) -> None:
    state = offering(zone)
    soon = [Window(start=local(zone, 2, 16), end=local(zone, 2, 18)), *slots_from(zone, 4)]

    deadline = slot_deadline(state, soon, local(zone, 2, 8, 30))

    assert in_zone(deadline, zone) == (2, time(15, 0))


@pytest.mark.parametrize("zone", ZONES)
def test_an_offer_made_at_night_counts_from_the_morning_it_is_sent(zone: str) -> None:
    state = offering(zone)

    deadline = slot_deadline(state, slots_from(zone, 4), local(zone, 2, 23, 30))

    assert in_zone(deadline, zone) == (3, time(20, 0))  # told at 08:00, twelve hours


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_without_quiet_hours_the_deadline_still_avoids_the_night(zone: str) -> None:
    state = offering(zone, quiet=None)

    deadline = slot_deadline(state, slots_from(zone, 4), local(zone, 2, 14, 12))

    assert in_zone(deadline, zone) == (3, time(8, 0))


@pytest.mark.parametrize("zone", ZONES)
def test_the_sms_the_next_steps_and_the_timer_agree_on_the_deadline(zone: str) -> None:
    state = offering(zone)
    now = local(zone, 2, 14, 12)
    scan = event(ShipmentStatus.IN_TRANSIT, 0, slots=slots_from(zone, 4))

    [change] = on_carrier_event(state, scan.model_copy(update={"occurred_at": now}), now).changes

    assert state.choose_by is not None
    [sms] = [r for r in change.requests if r.channel is Channel.SMS]
    text = render(K.SLOT_CHOICE, Channel.SMS, "en", sms.context).body
    assert "08:00" in text and "02:12" not in text
    [timer] = [t for t in timers(state) if t.kind is K.SLOT_CONFIRMED]
    assert timer.due_at == state.choose_by == after_quiet_hours(state, timer).due_at
    [wait] = [
        w for w in scheduled(state) if isinstance(w, TimerWait) and w.message is K.SLOT_CONFIRMED
    ]
    assert wait.until == state.choose_by


def test_runs_from_before_end_the_choice_time_after_the_offer() -> None:
    state = offering("Europe/London")
    now = local("Europe/London", 2, 14, 12)
    scan = event(ShipmentStatus.IN_TRANSIT, 0, slots=slots_from("Europe/London", 4))

    on_carrier_event(state, scan, now, daytime_deadline=False)

    assert state.choose_by == now + timedelta(hours=12)
    assert state.choose_by.astimezone(UTC) == datetime(2026, 3, 3, 2, 12, tzinfo=UTC)


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_an_offer_held_back_by_the_night_still_names_its_slots_and_deadline(zone: str) -> None:
    state = offering(zone)
    night = local(zone, 2, 23, 30)
    scan = event(ShipmentStatus.IN_TRANSIT, 0, slots=slots_from(zone, 4))
    on_carrier_event(state, scan.model_copy(update={"occurred_at": night}), night)
    [held] = [n for n in state.deferred() if n.channel is Channel.SMS]
    assert held.due_at is not None and in_zone(held.due_at, zone) == (3, time(8, 0))

    [change] = on_due(state, held.due_at).changes

    [sms] = [r for r in change.requests if r.channel is Channel.SMS]
    assert sms.context.choose_by == state.choose_by and len(sms.context.slots) == 3
    text = render(K.SLOT_CHOICE, Channel.SMS, "en", sms.context).body
    assert "20:00" in text and "1)" in text
