"""The demo: a handful of shipments through every path built so far, each checked against the
end it should reach and the messages it should send."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from temporalio.client import Client, WorkflowHandle

from infra.links import TrackingLinks
from models.call import Call, CallCentre, CallOutcome
from models.notification import NotificationKind, NotificationStatus
from models.policy import DelayWatch, NotificationPolicy, PickupReminders, ThankYou
from models.shipment import (
    CarrierEvent,
    Courier,
    DeliveryKind,
    DeliveryOption,
    Location,
    PickupPoint,
    Recipient,
    ShipmentStart,
    Window,
)
from models.state import EventOutcome, ShipmentState
from models.status import ShipmentStatus
from workflows.client import (
    EventRefused,
    ShipmentClosed,
    choose_slot,
    record_call,
    report_event,
    start_shipment,
)

S = ShipmentStatus
K = NotificationKind


@dataclass
class Step:
    status: ShipmentStatus
    minutes: int
    city: str
    event_id: str | None = None
    window_hours: tuple[int, int] | None = None
    """The delivery window, in whole hours after the event's hour (a window the same day)."""
    courier: bool = False
    pickup: bool = False
    expect: EventOutcome = EventOutcome.APPLIED
    as_signal: bool = False
    after_s: float | None = None
    """Live step: sent this many seconds into the scenario, happening now (timers run for real)."""
    window_in_s: tuple[int, int] | None = None
    estimate_in_s: int | None = None
    deadline_in_s: int | None = None
    slots_in_s: list[tuple[int, int]] | None = None
    then_choose: int | None = None
    """After this event, the customer chooses this offered slot (1-based)."""
    then_call: CallOutcome | None = None
    """After this event, the carrier's call centre records a call to the customer, with this
    outcome (at the time it runs: a call is never in the future)."""


@dataclass
class Scenario:
    name: str
    delivery: DeliveryKind
    recipient: Recipient
    steps: list[Step]
    final: ShipmentStatus
    """The status it ends in; for a shipment left open, the status it waits in."""
    messages: list[NotificationKind]
    """The messages sent by the end (a shipment left open: by the time it waits)."""
    notes: list[str] = field(default_factory=list)
    policy: NotificationPolicy = field(
        default_factory=lambda: NotificationPolicy(quiet_hours=None)  # the demo runs at any hour
    )
    waits: Callable[[ShipmentState], bool] | None = None
    """Left open for the newcomer: the shipment has reached what they can try when this holds."""
    try_it: str = ""
    """What the newcomer can do with a shipment left open (printed beside its links)."""


def scenarios() -> list[Scenario]:
    anna = Recipient(
        name="Anna Kowalska",
        phone="+48600100200",
        email="anna@example.com",
        locale="pl",
        time_zone="Europe/Warsaw",
    )
    ion = Recipient(
        name="Ion Popescu",
        phone="+40721000111",
        email="ion@example.com",
        locale="ro",
        time_zone="Europe/Bucharest",
    )
    olga = Recipient(
        name="Ольга Смирнова", phone="+79161234567", locale="ru", time_zone="Europe/Moscow"
    )
    sam = Recipient(name="Sam Taylor", email="sam@example.com", phone="+447700900123")
    return [
        Scenario(
            "next-day courier",
            DeliveryKind.COURIER_NEXT_DAY,
            sam,
            [
                Step(S.IN_TRANSIT, 60, "London"),
                Step(S.OUT_FOR_DELIVERY, 600, "London", window_hours=(1, 3), courier=True),
                Step(S.DELIVERED, 720, "London"),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.OUT_FOR_DELIVERY, K.DELIVERED],
        ),
        Scenario(
            "pickup point",
            DeliveryKind.PICKUP_POINT,
            anna,
            [
                Step(S.IN_TRANSIT, 60, "Łódź"),
                Step(S.AVAILABLE_FOR_PICKUP, 900, "Warszawa", pickup=True),
                Step(S.DELIVERED, 1500, "Warszawa"),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.AVAILABLE_FOR_PICKUP, K.AVAILABLE_FOR_PICKUP, K.DELIVERED],
        ),
        Scenario(
            "two failed attempts, returned",
            DeliveryKind.COURIER_MULTI_DAY,
            ion,
            [
                Step(S.IN_TRANSIT, 60, "Cluj-Napoca"),
                Step(S.OUT_FOR_DELIVERY, 1440, "București", window_hours=(1, 3), courier=True),
                Step(S.DELIVERY_FAILED, 1560, "București", then_call=CallOutcome.NO_ANSWER),
                Step(S.OUT_FOR_DELIVERY, 2880, "București", window_hours=(1, 3), courier=True),
                Step(S.DELIVERY_FAILED, 3000, "București"),
                Step(S.RETURNED, 7200, "Cluj-Napoca"),
            ],
            S.RETURNED,
            [
                K.SHIPPED,
                K.OUT_FOR_DELIVERY,
                K.DELIVERY_FAILED,
                K.OUT_FOR_DELIVERY,
                K.DELIVERY_FAILED,
                K.RETURNED,
            ],
            # Its five days are replayed in a second: the watch for no news (three days by
            # default) would fire at the start, before the scans from days ago arrive.
            policy=NotificationPolicy(
                quiet_hours=None, delay=DelayWatch(no_progress=timedelta(days=7))
            ),
        ),
        Scenario(
            "duplicate, late and impossible scans",
            DeliveryKind.COURIER_NEXT_DAY,
            olga,
            [
                Step(S.IN_TRANSIT, 60, "Тверь", event_id="scan-1"),
                Step(S.IN_TRANSIT, 60, "Тверь", event_id="scan-1", expect=EventOutcome.DUPLICATE),
                Step(S.OUT_FOR_DELIVERY, 600, "Москва", window_hours=(1, 3), courier=True),
                Step(S.IN_TRANSIT, 30, "Тверь", expect=EventOutcome.OUT_OF_ORDER),
                Step(S.DELIVERED, 700, "Москва", as_signal=True),
                Step(S.OUT_FOR_DELIVERY, 800, "Москва", expect=EventOutcome.REFUSED),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.OUT_FOR_DELIVERY, K.DELIVERED],
            notes=["a repeated scan, a scan from before and a scan after delivery change nothing"],
        ),
        Scenario(
            "courier's one-hour confirmation (compressed: 15 s lead)",
            DeliveryKind.COURIER_NEXT_DAY,
            sam,
            [
                Step(
                    S.OUT_FOR_DELIVERY, 0, "London", after_s=0, window_in_s=(20, 80), courier=True
                ),
                Step(S.DELIVERED, 0, "London", after_s=10),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.OUT_FOR_DELIVERY, K.COURIER_ONE_HOUR, K.DELIVERED],
            policy=NotificationPolicy(quiet_hours=None, courier_lead_time=timedelta(seconds=15)),
        ),
        Scenario(
            "pickup never collected (compressed: reminder 8 s, last call 8 s before a 24 s"
            " deadline)",
            DeliveryKind.PICKUP_POINT,
            anna,
            [Step(S.AVAILABLE_FOR_PICKUP, 0, "Warszawa", after_s=0, pickup=True, deadline_in_s=24)],
            S.RETURNED,
            [
                K.SHIPPED,
                K.AVAILABLE_FOR_PICKUP,
                K.AVAILABLE_FOR_PICKUP,
                K.PICKUP_REMINDER,
                K.PICKUP_FINAL_WARNING,
                K.PICKUP_FINAL_WARNING,
                K.RETURNED,
            ],
            policy=NotificationPolicy(
                quiet_hours=None,
                pickup=PickupReminders(
                    after_arrival=(timedelta(seconds=8),), final_warning_before=timedelta(seconds=8)
                ),
            ),
        ),
        Scenario(
            "multi-day: slots offered in the city, the customer picks the second",
            DeliveryKind.COURIER_MULTI_DAY,
            olga,
            [
                Step(
                    S.IN_TRANSIT,
                    0,
                    "Москва",
                    after_s=0,
                    then_choose=2,
                    slots_in_s=[(86400, 93600), (97200, 104400), (172800, 180000)],
                ),
                Step(S.OUT_FOR_DELIVERY, 0, "Москва", after_s=1, courier=True),
                Step(S.DELIVERED, 0, "Москва", after_s=2),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.SLOT_CHOICE, K.SLOT_CONFIRMED, K.OUT_FOR_DELIVERY, K.DELIVERED],
        ),
        Scenario(
            "delay notice, then delivery and a thank-you (compressed)",
            DeliveryKind.COURIER_MULTI_DAY,
            ion.model_copy(update={"marketing_consent": True}),  # the thank-you is marketing
            [
                Step(S.IN_TRANSIT, 0, "Cluj-Napoca", after_s=0, estimate_in_s=3),
                Step(S.OUT_FOR_DELIVERY, 0, "București", after_s=10),
                Step(S.DELIVERED, 0, "București", after_s=12),
            ],
            S.DELIVERED,
            [K.SHIPPED, K.DELAY_NOTICE, K.OUT_FOR_DELIVERY, K.DELIVERED, K.THANK_YOU],
            policy=NotificationPolicy(
                quiet_hours=None,
                delay=DelayWatch(after_estimate=timedelta(seconds=3)),
                thank_you=ThankYou(
                    enabled=True, delay=timedelta(seconds=3), coupon_code="THANKS10"
                ),
            ),
        ),
    ]


NIGHT_ZONES = (
    "Pacific/Honolulu",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Warsaw",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
"""Zones a few hours apart all round the globe: at any moment one of them is at night."""


def night_zone(now: datetime) -> str:
    """A zone where it is now deep in the default quiet hours (23:00 to 05:59 local), so its
    recipient's news waits for the morning whatever the hour the demo runs."""
    for zone in NIGHT_ZONES:
        if not 6 <= now.astimezone(ZoneInfo(zone)).hour < 23:
            return zone
    raise AssertionError("no zone of NIGHT_ZONES is at night")  # they span the globe


def open_scenarios(now: datetime) -> list[Scenario]:
    """Shipments a newcomer can try on the tracking page and in the UI: left open."""
    zone = night_zone(now)
    night_owl = Recipient(
        name="Alex Night", email="alex@example.com", phone="+447700900789", time_zone=zone
    )
    jo = Recipient(
        name="Jo Bloggs", email="jo@example.com", phone="+447700900321", time_zone="Europe/London"
    )
    london = ZoneInfo("Europe/London")
    today = now.astimezone(london).replace(hour=0, minute=0, second=0, microsecond=0)

    def slot(days: int, start: int, end: int) -> tuple[int, int]:
        """From `start` to `end` o'clock (London) `days` from today, in seconds from now."""
        day = today + timedelta(days=days)
        return tuple(int((day.replace(hour=h) - now).total_seconds()) for h in (start, end))  # type: ignore[return-value]

    return [
        Scenario(
            "open: slots offered, waiting for the customer's choice",
            DeliveryKind.COURIER_MULTI_DAY,
            jo,
            [
                Step(
                    S.IN_TRANSIT,
                    0,
                    "London",
                    after_s=0,
                    slots_in_s=[slot(1, 10, 12), slot(1, 14, 16), slot(2, 10, 12)],
                )
            ],
            S.IN_TRANSIT,
            [K.SHIPPED, K.SLOT_CHOICE, K.SLOT_CHOICE],  # by SMS and by email
            waits=lambda state: bool(state.offered_slots),
            try_it="open the tracking page and choose a delivery slot",
        ),
        Scenario(
            "open: the courier's confirmation, waiting for the customer's answer "
            "(compressed: 15 s lead)",
            DeliveryKind.COURIER_NEXT_DAY,
            jo,
            [
                Step(
                    S.OUT_FOR_DELIVERY,
                    0,
                    "London",
                    after_s=0,
                    window_in_s=(20, 3 * 3600),
                    courier=True,
                )
            ],
            S.OUT_FOR_DELIVERY,
            [K.SHIPPED, K.OUT_FOR_DELIVERY, K.COURIER_ONE_HOUR],
            policy=NotificationPolicy(quiet_hours=None, courier_lead_time=timedelta(seconds=15)),
            waits=lambda state: state.one_hour_window is not None,
            try_it="open the tracking page and confirm you will be in, or reschedule",
        ),
        Scenario(
            f"open: quiet hours, night in {zone}",
            DeliveryKind.COURIER_NEXT_DAY,
            night_owl,
            [Step(S.IN_TRANSIT, 0, "London", after_s=0)],
            S.IN_TRANSIT,
            [],
            policy=NotificationPolicy(),  # the default quiet hours, 21:00 to 08:00 local
            waits=lambda state: bool(state.deferred()),
            try_it=f"its messages wait for 08:00 in {zone}: the UI's timer and the tracking "
            "page say so",
        ),
    ]


@dataclass
class DemoResult:
    scenario: Scenario
    state: ShipmentState
    run_id: str | None
    surprises: list[str]

    @property
    def ok(self) -> bool:
        return not self.surprises


def _event(step: Step, base: datetime, index: int) -> CarrierEvent:
    """A scripted step as the carrier would report it.

    A live step happens now, its window, estimate, slots and deadline seconds away (timers run
    for real); any other step happens `minutes` after `base` (which is early enough for every
    such step to be in the past), its window hours after it.
    """
    live = step.after_s is not None
    occurred = datetime.now(UTC) if live else base + timedelta(minutes=step.minutes)

    def later(seconds: int | None) -> datetime | None:
        return occurred + timedelta(seconds=seconds) if seconds is not None else None

    def span(seconds: tuple[int, int]) -> Window:
        return Window(
            start=occurred + timedelta(seconds=seconds[0]),
            end=occurred + timedelta(seconds=seconds[1]),
        )

    window = None
    if live and step.window_in_s is not None:
        window = span(step.window_in_s)
    elif step.window_hours is not None:
        hour = occurred.replace(minute=0, second=0, microsecond=0)
        start, end = step.window_hours
        window = Window(start=hour + timedelta(hours=start), end=hour + timedelta(hours=end))
    deadline = later(step.deadline_in_s) if live else base + timedelta(days=3)
    return CarrierEvent(
        event_id=step.event_id or f"evt-{index}",
        status=step.status,
        occurred_at=occurred,
        location=Location(city=step.city),
        window=window,
        estimated_delivery=later(step.estimate_in_s),
        slots=[quarter_hours(span(s)) for s in step.slots_in_s] if step.slots_in_s else None,
        courier=Courier(name="Piotr", phone="+48600999888") if step.courier else None,
        pickup_point=PickupPoint(
            name="Paczkomat WAW-12",
            address="ul. Marszałkowska 10, Warszawa",
            opening_hours="24/7",
            pickup_code="482913",
            storage_deadline=deadline,
        )
        if step.pickup
        else None,
    )


async def _until_waiting(
    handle: WorkflowHandle[Any, Any], waits: Callable[[ShipmentState], bool], seconds: float = 60
) -> ShipmentState:
    """The state of a shipment left open, once it waits where the newcomer can try it (or as it
    is after `seconds`, which the caller then finds wrong)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        state: ShipmentState = await handle.query("state", result_type=ShipmentState)
        if waits(state) or loop.time() > deadline:
            return state
        await asyncio.sleep(0.5)


def _sent(state: ShipmentState) -> list[str]:
    return sorted(n.kind.value for n in state.notifications if n.status is NotificationStatus.SENT)


def quarter_hours(window: Window) -> Window:
    """A slot on the nearest quarter hours, as carriers offer them (a step sent a few seconds
    after its scenario was written would otherwise offer 09:59 to 11:59)."""

    def nearest(moment: datetime) -> datetime:
        quarters = round((moment.minute * 60 + moment.second) / 900)
        return moment.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=15 * quarters)

    return Window(start=nearest(window.start), end=nearest(window.end))


def _base(scenario: Scenario, now: datetime) -> datetime:
    """When the scenario's parcel was shipped: two hours ago, or early enough that its scripted
    (not live) steps all happened at least an hour ago, so a timeline never ends in the future."""
    scripted = [step.minutes for step in scenario.steps if step.after_s is None]
    return now - max(timedelta(hours=2), timedelta(minutes=max(scripted, default=0) + 60))


async def run_scenario(
    client: Client,
    task_queue: str,
    scenario: Scenario,
    run_id: str,
    index: int,
) -> DemoResult:
    base = _base(scenario, datetime.now(UTC))
    start = ShipmentStart(
        shop_id="demo-shop",
        shipment_id=f"{run_id}-{index}",
        order_id=f"ORD-{run_id}-{index}",
        carrier="demo-carrier",
        tracking_number=f"DC{run_id.upper()}{index}",
        recipient=scenario.recipient,
        delivery=DeliveryOption(kind=scenario.delivery),
        tracking_url=f"https://track.example.com/{run_id}{index}",
        policy=scenario.policy,
        shipped_at=base,
    )
    started = await start_shipment(client, start, task_queue)
    surprises: list[str] = []
    loop = asyncio.get_running_loop()
    began = loop.time()
    for number, step in enumerate(scenario.steps):
        if step.after_s is not None:
            await asyncio.sleep(max(0.0, began + step.after_s - loop.time()))
        event = _event(step, base, number)
        if step.as_signal:
            await started.handle.signal("carrier_event", event)
            continue
        try:
            receipt = await report_event(client, start.workflow_id, event)
            outcome = receipt.outcome
        except (EventRefused, ShipmentClosed):
            outcome = EventOutcome.REFUSED
        if step.then_choose is not None:
            await choose_slot(client, start.workflow_id, step.then_choose)
        if step.then_call is not None:
            call = Call(
                call_id=f"demo-call-{number}",
                occurred_at=datetime.now(UTC),
                centre=CallCentre.CARRIER,
                operator="demo call centre",
                outcome=step.then_call,
                note="tried to agree a new delivery day",
            )
            await record_call(client, start.workflow_id, call)
        if outcome is not step.expect:
            surprises.append(f"{event.event_id} ({step.status.value}): {outcome} != {step.expect}")
    if scenario.waits is None:
        state = await asyncio.wait_for(started.handle.result(), timeout=60)
    else:
        expected = sorted(k.value for k in scenario.messages)
        waits = scenario.waits
        state = await _until_waiting(
            started.handle, lambda state: waits(state) and _sent(state) == expected
        )
    if state.status is not scenario.final:
        surprises.append(f"ended {state.status.value}, expected {scenario.final.value}")
    if scenario.waits is not None and not scenario.waits(state):
        surprises.append("never reached what the newcomer is to try")
    sent = _sent(state)
    if sent != sorted(k.value for k in scenario.messages):
        surprises.append(f"sent {sent}, expected {sorted(k.value for k in scenario.messages)}")
    return DemoResult(scenario, state, started.handle.result_run_id, surprises)


async def run_demo(
    client: Client,
    task_queue: str,
    *,
    echo: Callable[[str], None] = print,
    ui_url: str | None = None,
    links: TrackingLinks | None = None,
    leave_open: bool = False,
) -> list[DemoResult]:
    """Run the scenarios at once and print each one's end, messages and links. `leave_open`
    adds the shipments left open for a newcomer to try (a stack that stays up)."""
    run_id = uuid.uuid4().hex[:6]
    chosen = scenarios() + (open_scenarios(datetime.now(UTC)) if leave_open else [])
    results = await asyncio.gather(
        *(run_scenario(client, task_queue, s, run_id, i) for i, s in enumerate(chosen, 1))
    )
    for result in results:
        state = result.state
        mark = "ok " if result.ok else "FAIL"
        echo(
            f"[{mark}] {result.scenario.name}: {state.shipment.workflow_id} -> {state.status.value}"
        )
        for note in state.notifications:
            echo(
                f"       {note.kind.value:<22} {note.channel.value:<5} {note.status.value}"
                f" via {note.provider or '-'}"
            )
        for call in state.calls:
            echo(
                f"       call: {call.direction.value} by the {call.centre.value}'s call centre,"
                f" {call.outcome.value}"
            )
        for surprise in result.surprises:
            echo(f"       surprise: {surprise}")
        if ui_url:
            echo(
                f"       {ui_url}/namespaces/default/workflows/{state.shipment.workflow_id}"
                f"/{result.run_id}/history"
            )
        link = links.url(state.shipment.workflow_id, datetime.now(UTC)) if links else None
        if link:
            echo(f"       tracking page: {link}")
        if result.scenario.try_it:
            echo(f"       try it: {result.scenario.try_it}")
    return results
