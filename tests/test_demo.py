"""The demo a newcomer runs: its timelines end by now, and (when the stack stays up) three
shipments are left open where the newcomer can try them, each said with what to do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from temporalio.testing import WorkflowEnvironment

from infra.settings import Settings
from models.shipment import Window
from starters.demo import (
    NIGHT_ZONES,
    DemoResult,
    night_zone,
    open_scenarios,
    quarter_hours,
    run_demo,
    scenarios,
)
from workers.worker import running_worker


@dataclass
class DemoRun:
    results: list[DemoResult]
    lines: list[str]
    finished: datetime


@pytest.fixture(scope="module")
async def demo_run(temporal_env: WorkflowEnvironment, sqlite_ledger_url: str) -> DemoRun:
    """One run of the demo as `make demo` runs it (the shipments left open included), read by
    every test below: it takes half a minute."""
    settings = Settings(
        database_url=sqlite_ledger_url,
        task_queue=f"demo-{uuid.uuid4().hex[:8]}",
        workflow_sandbox=True,
    )
    lines: list[str] = []
    async with running_worker(temporal_env.client, settings):
        results = await run_demo(
            temporal_env.client, settings.task_queue, echo=lines.append, leave_open=True
        )
    return DemoRun(results, lines, datetime.now(UTC))


def test_every_closed_scenario_ends_as_expected(demo_run: DemoRun) -> None:
    closed = [r for r in demo_run.results if r.scenario.waits is None]

    assert len(closed) == len(scenarios())
    assert all(r.ok for r in closed), [r.surprises for r in closed if not r.ok]


def test_every_closed_scenarios_events_happened_by_now(demo_run: DemoRun) -> None:
    for result in demo_run.results:
        for entry in result.state.timeline:
            assert entry.event.occurred_at <= demo_run.finished, (result.scenario.name, entry)


def test_open_shipments_wait_where_the_newcomer_can_try_them(demo_run: DemoRun) -> None:
    left_open = [r for r in demo_run.results if r.scenario.waits is not None]

    assert [r.ok for r in left_open] == [True, True, True], [r.surprises for r in left_open]
    slots, courier, night = (r.state for r in left_open)
    assert len(slots.offered_slots) == 3
    assert courier.one_hour_window is not None
    assert night.deferred()
    assert all(n.due_at and n.due_at > demo_run.finished for n in night.deferred())


def test_each_open_shipment_says_what_to_try(demo_run: DemoRun) -> None:
    assert sum(line.strip().startswith("try it:") for line in demo_run.lines) == 3


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


def test_a_slot_sent_a_minute_late_is_still_offered_on_the_hour() -> None:
    late = Window(
        start=datetime(2026, 12, 8, 9, 59, 12, tzinfo=UTC),
        end=datetime(2026, 12, 8, 11, 59, 12, tzinfo=UTC),
    )

    assert quarter_hours(late) == Window(
        start=datetime(2026, 12, 8, 10, 0, tzinfo=UTC), end=datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    )
