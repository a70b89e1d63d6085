"""`make bench`: full shipment lifecycles per second against the bare reference, in one run.

Both run on the same dev server, with the same worker settings, one after the other and then
again in the other order, so the ratio holds on a noisy machine. The last line is `ratio: X.XX`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.worker import Worker

from activities.providers.console import ConsoleProvider
from benchmarks.bare import BareShipmentWorkflow, bare_noop
from models.notification import Channel
from models.settings import Settings
from models.shipment import ShipmentStatus
from starters.client import connect, start_shipment
from starters.devserver import DevServer, free_port
from tests.factories import event, out_for_delivery, shipment
from workers.logs import configure_logging
from workers.worker import build_activities, running_worker

S = ShipmentStatus


async def waypost_lifecycle(client: Client, task_queue: str) -> None:
    start = shipment(shipment_id=f"b-{uuid.uuid4().hex[:12]}")
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
    print(f"  {label:<8} {n} lifecycles: {rate:7.1f}/s", flush=True)
    return rate


async def main(n: int, concurrency: int, rounds: int) -> None:
    configure_logging("WARNING", "console")
    settings = Settings()
    scratch = Path(tempfile.mkdtemp(prefix="waypost-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch / 'ledger.db'}"
    print(f"ledger: {url.split('@')[-1]}; {n} lifecycles per round, concurrency {concurrency}")
    async with DevServer(
        port=free_port(), ui_port=None, log_file=scratch / "temporal.log"
    ) as server:
        client = await connect(settings, target=server.address)
        with (
            open(os.devnull, "w") as sink,  # noqa: ASYNC230 - opened once, before measuring
            ThreadPoolExecutor(settings.max_concurrent_activities) as pool,
        ):
            bare_worker = Worker(
                client,
                task_queue="bench-bare",
                workflows=[BareShipmentWorkflow],
                activities=[bare_noop],
                activity_executor=pool,
                max_concurrent_activities=settings.max_concurrent_activities,
                max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
                graceful_shutdown_timeout=timedelta(seconds=5),
            )
            ours: list[float] = []
            bare: list[float] = []
            async with (
                bare_worker,
                running_worker(
                    client,
                    settings,
                    task_queue="bench-waypost",
                    # The real ledger and sender; console output to /dev/null, not the terminal.
                    activities=build_activities(
                        settings.model_copy(update={"database_url": url}),
                        providers={c: ConsoleProvider(c, stream=sink) for c in Channel},
                    ),
                ),
            ):
                await measure(
                    "warm-up",
                    max(10, n // 10),
                    concurrency,
                    lambda: waypost_lifecycle(client, "bench-waypost"),
                )
                for round_ in range(rounds):
                    print(f"round {round_ + 1}/{rounds}", flush=True)
                    pair = [
                        ("bare", bare, lambda: bare_lifecycle(client, "bench-bare")),
                        ("waypost", ours, lambda: waypost_lifecycle(client, "bench-waypost")),
                    ]
                    for label, into, one in pair if round_ % 2 == 0 else reversed(pair):
                        into.append(await measure(label, n, concurrency, one))
    best_ours, best_bare = max(ours), max(bare)
    print(
        f"waypost: {best_ours:.1f} lifecycles/s  bare: {best_bare:.1f} lifecycles/s "
        f"(best of {rounds})"
    )
    print(f"ratio: {best_ours / best_bare:.2f}")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200, help="lifecycles per round")
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency, args.rounds))


if __name__ == "__main__":
    cli()
