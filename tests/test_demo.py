"""The demo a newcomer runs: its timelines end by now, and (when the stack stays up) three
shipments are left open where the newcomer can try them, each said with what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from starters.demo import NIGHT_ZONES, night_zone, open_scenarios, run_demo, scenarios

pytestmark = pytest.mark.usefixtures("worker")


async def test_every_closed_scenarios_events_happened_by_now(
    client: Client, task_queue: str
) -> None:
    results = await run_demo(client, task_queue, echo=lambda _line: None)
    finished = datetime.now(UTC)

    assert all(r.ok for r in results), [r.surprises for r in results if not r.ok]
    assert len(results) == len(scenarios())
    for result in results:
        for entry in result.state.timeline:
            assert entry.event.occurred_at <= finished, (result.scenario.name, entry.event)


async def test_open_shipments_wait_where_the_newcomer_can_try_them(
    client: Client, task_queue: str, worker: Worker
) -> None:
    lines: list[str] = []

    results = await run_demo(client, task_queue, echo=lines.append, leave_open=True)

    left_open = [r for r in results if r.scenario.waits is not None]
    assert [r.ok for r in left_open] == [True, True, True], [r.surprises for r in left_open]
    slots, courier, night = (r.state for r in left_open)
    assert len(slots.offered_slots) == 3
    assert courier.one_hour_window is not None
    assert night.deferred() and all(
        n.due_at and n.due_at > datetime.now(UTC) for n in night.deferred()
    )
    assert sum(line.strip().startswith("try it:") for line in lines) == 3


def test_the_night_zone_is_at_night_whatever_the_hour() -> None:
    day = datetime(2026, 12, 6, tzinfo=UTC)
    for minutes in range(0, 24 * 60, 30):
        moment = day + timedelta(minutes=minutes)
        zone = night_zone(moment)
        assert zone in NIGHT_ZONES
        assert not 6 <= moment.astimezone(ZoneInfo(zone)).hour < 23


def test_offered_slots_are_whole_hours_on_the_next_days_in_london() -> None:
    now = datetime(2026, 12, 6, 15, 7, 30, tzinfo=UTC)
    (slots, _courier, _night) = open_scenarios(now)

    offered = slots.steps[0].slots_in_s or []
    starts = [now + timedelta(seconds=first) for first, _ in offered]
    assert [s.astimezone(ZoneInfo("Europe/London")).strftime("%d %H:%M") for s in starts] == [
        "07 10:00",
        "07 14:00",
        "08 10:00",
    ]
