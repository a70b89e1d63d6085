"""Throughput: full shipment lifecycles per second against the bare reference, in one run.

Both run on the same dev server, with the same worker settings, one after the other and then
again in the other order, so the ratio holds on a noisy machine; the best round of each counts.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from temporalio.client import Client
from temporalio.worker import Worker

from benchmarks.bare import BareShipmentWorkflow, bare_noop
from benchmarks.report import Throughput
from benchmarks.stack import BARE_QUEUE, WAYPOST_QUEUE, Stack, echo
from benchmarks.workload import courier_shipment
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery
from workflows.client import start_shipment

S = ShipmentStatus
SHOP = "bench-throughput"
FLOW = "next-day courier: shipped, in transit twice, out for delivery, delivered"


async def waypost_lifecycle(client: Client, start: ShipmentStart, task_queue: str) -> None:
    """Start, four carrier events as signals, wait for the workflow to close: three messages
    (shipped by email, out for delivery and delivered by SMS) recorded and sent."""
    started = await start_shipment(client, start, task_queue)
    for e in (
        event(S.IN_TRANSIT, 60),
        event(S.IN_TRANSIT, 120, city="York"),
        out_for_delivery(600),
        event(S.DELIVERED, 700),
    ):
        await started.handle.signal("carrier_event", e)
    await started.handle.result()


async def bare_lifecycle(client: Client, task_queue: str) -> None:
    handle = await client.start_workflow(
        BareShipmentWorkflow.run, id=f"bare-{uuid.uuid4().hex[:12]}", task_queue=task_queue
    )
    for name in ("in_transit", "in_transit", "out_for_delivery", "delivered"):
        await handle.signal(BareShipmentWorkflow.event, name)
    await handle.result()


async def measure(
    label: str, n: int, concurrency: int, one: Callable[[], Awaitable[None]]
) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def bounded() -> None:
        async with gate:
            await one()

    began = time.perf_counter()
    await asyncio.gather(*(bounded() for _ in range(n)))
    rate = n / (time.perf_counter() - began)
    echo(f"  {label:<8} {n} lifecycles: {rate:7.1f}/s")
    return rate


async def run_throughput(stack: Stack, *, n: int, concurrency: int, rounds: int) -> Throughput:
    """Assumes a Waypost worker on WAYPOST_QUEUE; runs the bare worker beside it, in the same
    process, with the same concurrency settings."""
    client, settings = stack.client, stack.settings
    run = uuid.uuid4().hex[:6]
    numbers = itertools.count()

    def ours() -> Awaitable[None]:
        start = courier_shipment(SHOP, run, next(numbers), phone_prefix=71)
        return waypost_lifecycle(client, start, WAYPOST_QUEUE)

    with ThreadPoolExecutor(settings.max_concurrent_activities) as pool:
        bare_worker = Worker(
            client,
            task_queue=BARE_QUEUE,
            workflows=[BareShipmentWorkflow],
            activities=[bare_noop],
            activity_executor=pool,
            max_concurrent_activities=settings.max_concurrent_activities,
            max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
            graceful_shutdown_timeout=timedelta(seconds=5),
        )
        waypost: list[float] = []
        bare: list[float] = []
        async with bare_worker:
            await measure("warm-up", max(10, n // 10), concurrency, ours)
            await measure(
                "warm-up", max(10, n // 10), concurrency, lambda: bare_lifecycle(client, BARE_QUEUE)
            )
            for round_ in range(rounds):
                echo(f"round {round_ + 1}/{rounds}")
                pair = [
                    ("bare", bare, lambda: bare_lifecycle(client, BARE_QUEUE)),
                    ("waypost", waypost, ours),
                ]
                for label, into, one in pair if round_ % 2 == 0 else reversed(pair):
                    into.append(await measure(label, n, concurrency, one))
    return Throughput(n, concurrency, rounds, tuple(waypost), tuple(bare))
