"""Throughput: full shipment lifecycles per second against the bare reference, in one run, with
what each lifecycle spends (CPU, history, billable actions).

A benchmark compares like with like: each design's worker runs in a process of its own with
the same workflow runner, slots, cache size and thread pool (`worker_pair`), on the same dev
server, one after the other and then again in the other order, so the ratio holds on a noisy
machine; the best round of each counts.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from benchmarks.actions import count_actions, history_bytes, payload_bytes
from benchmarks.bare import BareShipmentWorkflow
from benchmarks.report import Throughput, Usage
from benchmarks.stack import (
    BARE_QUEUE,
    WAYPOST_QUEUE,
    Stack,
    WorkerProcess,
    child_pid,
    cpu_seconds,
    echo,
    postgres_backends,
    settings_env,
    wait_for_pollers,
    worker_command,
)
from benchmarks.workload import courier_shipment
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, out_for_delivery
from workflows.client import start_shipment

S = ShipmentStatus
SHOP = "bench-throughput"
FLOW = "next-day courier: shipped, in transit twice, out for delivery, delivered"


async def waypost_lifecycle(client: Client, start: ShipmentStart, task_queue: str) -> str:
    """Start, four carrier events as signals, wait for the workflow to close: three messages
    (shipped by email, out for delivery and delivered by SMS) recorded and sent. Its id."""
    started = await start_shipment(client, start, task_queue)
    for e in (
        event(S.IN_TRANSIT, 60),
        event(S.IN_TRANSIT, 120, city="York"),
        out_for_delivery(600),
        event(S.DELIVERED, 700),
    ):
        await started.handle.signal("carrier_event", e)
    await started.handle.result()
    return started.handle.id


async def bare_lifecycle(client: Client, task_queue: str) -> str:
    handle = await client.start_workflow(
        BareShipmentWorkflow.run, id=f"bare-{uuid.uuid4().hex[:12]}", task_queue=task_queue
    )
    for name in ("in_transit", "in_transit", "out_for_delivery", "delivered"):
        await handle.signal(BareShipmentWorkflow.event, name)
    await handle.result()
    return handle.id


async def measure(
    label: str, n: int, concurrency: int, one: Callable[[], Awaitable[str]]
) -> tuple[float, list[str]]:
    """Lifecycles per second, and the workflow ids."""
    gate = asyncio.Semaphore(concurrency)

    async def bounded() -> str:
        async with gate:
            return await one()

    began = time.perf_counter()
    ids = await asyncio.gather(*(bounded() for _ in range(n)))
    rate = n / (time.perf_counter() - began)
    echo(f"  {label:<8} {n} lifecycles: {rate:7.1f}/s")
    return rate, list(ids)


@dataclass
class Workers:
    waypost: WorkerProcess
    bare: WorkerProcess
    runner: str


@asynccontextmanager
async def worker_pair(stack: Stack, *, sandbox: bool) -> AsyncIterator[Workers]:
    """`waypost worker` on WAYPOST_QUEUE and the bare worker (benchmarks.bare_worker) on
    BARE_QUEUE, each its own process, from the same WAYPOST_* environment, sandbox on or off
    for both; stopped gracefully on the way out."""
    env = settings_env(stack.settings) | {"WAYPOST_WORKFLOW_SANDBOX": str(sandbox).lower()}
    runner = "sandboxed" if sandbox else "unsandboxed"
    waypost = WorkerProcess(env, stack.scratch / f"worker-waypost-{runner}.log")
    bare = WorkerProcess(
        env,
        stack.scratch / f"worker-bare-{runner}.log",
        worker_command("benchmarks.bare_worker", BARE_QUEUE),
    )
    waypost.start()
    bare.start()
    try:
        await wait_for_pollers(stack.client, WAYPOST_QUEUE)
        await wait_for_pollers(stack.client, BARE_QUEUE)
        yield Workers(waypost, bare, runner)
    finally:
        await asyncio.gather(asyncio.to_thread(waypost.stop), asyncio.to_thread(bare.stop))


class CpuMeter:
    """CPU seconds of one worker, the dev server and the ledger's PostgreSQL backends,
    summed over the rounds between `start` and `stop`."""

    def __init__(self, stack: Stack, worker: WorkerProcess) -> None:
        self._stack, self._worker = stack, worker
        self._server_pid = child_pid("temporal")
        self.worker = self.server = self.postgres = 0.0
        self.postgres_readable = True
        self._before: tuple[float, float, dict[int, float]] = (0.0, 0.0, {})

    def _postgres(self) -> dict[int, float]:
        found: dict[int, float] = {}
        for pid in postgres_backends(self._stack.database_url):
            cpu = cpu_seconds(pid)
            if cpu is None:
                self.postgres_readable = False
            else:
                found[pid] = cpu
        return found

    def _server(self) -> float:
        return (cpu_seconds(self._server_pid) or 0.0) if self._server_pid else 0.0

    def start(self) -> None:
        self._before = (self._worker.cpu_seconds(), self._server(), self._postgres())

    def stop(self) -> None:
        worker, server, postgres = self._before
        self.worker += self._worker.cpu_seconds() - worker
        self.server += self._server() - server
        # A backend that connected during the round spent all its CPU in it; one that closed
        # during the round is missed (the ledger's pool keeps its connections).
        self.postgres += sum(cpu - postgres.get(pid, 0.0) for pid, cpu in self._postgres().items())

    def postgres_note(self) -> str:
        if not self.postgres_readable:
            return "not attributable: the backends' /proc entries are not readable from here"
        return "backends connected to the ledger database, from /proc (closed ones are missed)"


async def history(client: Client, workflow_id: str) -> list[HistoryEvent]:
    """Every run of the workflow, the latest back through its Continue-As-New chain."""
    events: list[HistoryEvent] = []
    run_id: str | None = None
    while True:
        run = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        events = list(run.events) + events
        attrs = run.events[0].workflow_execution_started_event_attributes
        if not attrs.continued_execution_run_id:
            return events
        run_id = attrs.continued_execution_run_id


async def usage(client: Client, meter: CpuMeter, lifecycles: int, ids: list[str]) -> Usage:
    """The meter's CPU per lifecycle, and the histories of `ids` (one lifecycle each)."""
    histories = [await history(client, i) for i in ids]
    actions: Counter[str] = Counter()
    for events in histories:
        actions += count_actions(events)
    count = max(1, len(histories))
    per = 1000 / lifecycles
    return Usage(
        lifecycles=lifecycles,
        worker_cpu_ms=meter.worker * per,
        server_cpu_ms=meter.server * per,
        postgres_cpu_ms=meter.postgres * per if meter.postgres_readable else None,
        postgres_note=meter.postgres_note(),
        histories=len(histories),
        history_events=sum(len(h) for h in histories) / count,
        history_bytes=sum(history_bytes(h) for h in histories) / count,
        payload_bytes=sum(payload_bytes(e) for h in histories for e in h) / count,
        actions={kind: total / count for kind, total in sorted(actions.items())},
    )


def warm_up(n: int, concurrency: int) -> int:
    """Lifecycles each design runs before it is measured: at least twice the concurrency, so
    every workflow task, activity slot and ledger connection has been used before the rounds
    (a connection's statements are prepared on their fifth use)."""
    return max(2 * concurrency, n // 10)


async def run_throughput(
    stack: Stack, workers: Workers, *, n: int, concurrency: int, rounds: int, histories: int = 20
) -> Throughput:
    """Rounds of each design against its own worker (see `worker_pair`); the histories of
    the first `histories` lifecycles of each design's last round are read back."""
    client = stack.client
    run = uuid.uuid4().hex[:6]
    numbers = itertools.count()

    def ours() -> Awaitable[str]:
        start = courier_shipment(SHOP, run, next(numbers), phone_prefix=71)
        return waypost_lifecycle(client, start, WAYPOST_QUEUE)

    def theirs() -> Awaitable[str]:
        return bare_lifecycle(client, BARE_QUEUE)

    meters = {"waypost": CpuMeter(stack, workers.waypost), "bare": CpuMeter(stack, workers.bare)}
    rates: dict[str, list[float]] = {"waypost": [], "bare": []}
    ids: dict[str, list[str]] = {}
    warm = warm_up(n, concurrency)
    await measure("warm-up", warm, concurrency, ours)
    await measure("warm-up", warm, concurrency, theirs)
    for round_ in range(rounds):
        echo(f"round {round_ + 1}/{rounds} ({workers.runner})")
        pair = [("bare", theirs), ("waypost", ours)]
        for label, one in pair if round_ % 2 == 0 else reversed(pair):
            meters[label].start()
            rate, ids[label] = await measure(label, n, concurrency, one)
            meters[label].stop()
            rates[label].append(rate)
    lifecycles = n * rounds
    ours_usage = await usage(client, meters["waypost"], lifecycles, ids["waypost"][:histories])
    bare_usage = await usage(client, meters["bare"], lifecycles, ids["bare"][:histories])
    return Throughput(
        n,
        concurrency,
        rounds,
        tuple(rates["waypost"]),
        tuple(rates["bare"]),
        runner=workers.runner,
        waypost_usage=ours_usage,
        bare_usage=bare_usage,
    )
