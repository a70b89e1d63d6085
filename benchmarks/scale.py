"""`make bench-scale N=...` (`python -m benchmarks.scale --shipments N`): many open shipments at
once. N pickup-point shipments are started and brought to `available_for_pickup`, where each
waits on timers days away (the reminder, the last call, the storage deadline). Then events, each
a `delivered` one (picked up) posted to the carrier webhook and timed until its SMS reaches the
Twilio fake: a few one at a time (the idle figure), a burst to a random 1% all at once (queueing:
the time it drains in is the event rate the stack sustains at this scale), and another 1% paced
at half that rate (the latency at half the measured maximum, as `make bench` measures it).

The worker is `waypost worker` in a process of its own, configured through the environment as
in production, so its memory (RSS, read from /proc) is the worker's alone. The dev server keeps
its state in a file, whose size is reported, and the ledger is a throwaway PostgreSQL database.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool
from temporalio.api.enums.v1 import EventType

from api.serve import running_api
from benchmarks.latency import Sample, paced, post_event, sms_arrival, sms_latencies
from benchmarks.report import Burst, LatencyStats, ScaleReport, scale_summary_line
from benchmarks.stack import (
    WAYPOST_QUEUE,
    Memory,
    Stack,
    WorkerProcess,
    cancel_on_sigterm,
    echo,
    environment,
    open_stack,
    run_and_report,
    settings_env,
    wait_for_pollers,
    wait_until,
)
from benchmarks.workload import at_pickup_point_now, pickup_shipment, scan
from infra.logs import configure_logging
from ledger.schema import normalize_url
from models.shipment import CarrierEvent, ShipmentStart
from models.status import ShipmentStatus
from workflows.client import start_shipment

SHOP = "bench-scale"
PHONE_PREFIX = 73
MB = 1024 * 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--shipments", "-N", type=int, default=100_000, help="open shipments")
    parser.add_argument("--concurrency", type=int, default=50, help="starts in flight")
    parser.add_argument(
        "--unsettled",
        type=int,
        default=200,
        help="shipments started but not yet waiting, at most (below the worker's cache of 250: "
        "a shipment evicted while it is set up is replayed from its history)",
    )
    parser.add_argument("--probes", type=int, default=20, help="idle events, one at a time")
    parser.add_argument(
        "--burst-fraction", type=float, default=0.01, help="share of shipments in the burst"
    )
    parser.add_argument(
        "--burst-rate",
        type=float,
        help="events per second of the paced burst (default: half the first burst's drain rate)",
    )
    parser.add_argument("--out", type=Path, help="report folder (default: .waypost/bench)")
    return parser.parse_args(argv)


def delivered_now(event_id: str) -> CarrierEvent:
    """Picked up at the point: the delivered SMS goes at once."""
    return scan(ShipmentStatus.DELIVERED, event_id)


class Progress:
    """A line every `every` seconds while a long phase runs, with the worker's memory."""

    def __init__(self, worker: WorkerProcess, line: Callable[[], str], every: float = 10) -> None:
        self._worker, self._line, self._every = worker, line, every

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            memory = self._worker.memory()
            echo(f"  {self._line()}; worker RSS {memory.rss_mb:.0f} MB")


async def start_waiting_shipments(
    stack: Stack, worker: WorkerProcess, run: str, n: int, concurrency: int, unsettled: int
) -> tuple[float, float]:
    """Start `n` shipments, each then told it is at the pickup point (a signal, as a carrier
    integration that needs no answer would). Seconds until every start and signal was accepted,
    and until every message they cause (dispatch email, arrival SMS and email) was delivered.
    Starts wait while `unsettled` shipments are still being set up: started faster than the
    worker sets them up, they would fall out of its cache and be replayed (at 100,000 that
    thrash took the set-up from about 17 to 3 shipments a second)."""
    began = time.monotonic()
    sms0, emails0 = stack.deliveries.sms, stack.deliveries.emails
    indices = iter(range(n))
    started = 0

    async def lane() -> None:
        nonlocal started
        for i in indices:  # shared: each lane takes the next index
            if not await wait_until(room, timeout=600, poll=0.05):
                raise RuntimeError(f"{unsettled} shipments still not waiting after 10 minutes")
            start = pickup_shipment(SHOP, run, i, phone_prefix=PHONE_PREFIX)
            handle = (await start_shipment(stack.client, start, WAYPOST_QUEUE)).handle
            await handle.signal("carrier_event", at_pickup_point_now(f"pickup-{i}"))
            started += 1

    def settled() -> int:
        return min(stack.deliveries.sms - sms0, (stack.deliveries.emails - emails0) // 2)

    def room() -> bool:
        worker.check()  # a dead worker ends the wait with its log, not a timeout
        return started - settled() < unsettled

    def all_settled() -> bool:
        worker.check()  # a dead worker ends the wait with its log, not a timeout
        return settled() >= n

    progress = asyncio.create_task(
        Progress(worker, lambda: f"started {started}/{n}, settled {settled()}/{n}").run()
    )
    try:
        await asyncio.gather(*(lane() for _ in range(concurrency)))
        start_seconds = time.monotonic() - began
        echo(f"  {n} started in {start_seconds:.1f} s ({n / start_seconds:.1f}/s)")
        if not await wait_until(all_settled, timeout=300 + n, poll=0.2):
            raise RuntimeError(f"only {settled()} of {n} shipments settled")
    finally:
        progress.cancel()
    settle_seconds = time.monotonic() - began
    echo(f"  all {n} waiting on their timers after {settle_seconds:.1f} s")
    return start_seconds, settle_seconds


async def burst(
    stack: Stack, http: httpx.AsyncClient, starts: list[ShipmentStart], rate: float | None
) -> Burst:
    how = f"paced at {rate:.2f}/s" if rate else "all at once"
    echo(f"burst: {len(starts)} events to random shipments, {how}")
    samples = await paced(http, starts, delivered_now, rate)
    found, missing = await sms_latencies(
        stack.deliveries, samples, timeout=max(300.0, len(starts) / 2)
    )
    if not found:
        raise RuntimeError("no SMS of the burst arrived")
    arrivals = [stack.deliveries.first_sms(s.phone, s.posted_at) or 0.0 for s in samples]
    began = min(s.posted_at for s in samples)
    seconds = max(arrivals) - began
    result = Burst(rate, seconds, LatencyStats.of(found), missing)
    echo(
        f"  {result.stats.brief()} max {result.stats.max_ms:.0f} ms; drained in {seconds:.1f} s "
        f"({result.drain_rate:.1f}/s); missing {missing}"
    )
    ranked = sorted(
        zip(starts, samples, arrivals, strict=True), key=lambda t: t[1].posted_at - t[2]
    )
    echo(f"  slowest: {slowest(ranked[:5], began)}")
    closing = time.monotonic()
    await all_closed(stack, starts)
    closed_after = time.monotonic() - closing
    # Histories read once closed: an activity's start is recorded when the activity ends.
    for line in await where_the_time_went(stack, ranked[:5]):
        echo(f"    {line}")
    echo(f"  all {len(starts)} shipments closed {closed_after:.1f} s later")
    return result


Timed = tuple[ShipmentStart, Sample, float]
"""An event of a burst: its shipment, its POST, and when its SMS arrived (time.monotonic)."""


def slowest(events: list[Timed], began: float) -> str:
    """When each event was posted into the burst, how long until its SMS and until the webhook
    answered (the event accepted by the workflow), to see what they waited on."""
    return ", ".join(
        f"{(arrived - s.posted_at) * 1000:.0f} ms at +{s.posted_at - began:.1f} s "
        f"(answer {s.answered_in * 1000:.0f} ms)"
        for _, s, arrived in events
    )


async def where_the_time_went(stack: Stack, events: list[Timed]) -> list[str]:
    """For each event, the steps of its shipment's history (server timestamps) in
    milliseconds after the POST: when the workflow task that took the event was scheduled,
    started (a worker polled it) and completed, and when the sending activity was scheduled
    and started; then the SMS."""
    wall_offset = time.time() - time.monotonic()
    steps = {
        EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: "task scheduled",
        EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: "started",
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: "completed",
        EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activity scheduled",
        EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: "started",
    }
    lines: list[str] = []
    for start, sample, arrived in events:
        posted = sample.posted_at + wall_offset
        history = await stack.client.get_workflow_handle(start.workflow_id).fetch_history()
        clock = datetime.fromtimestamp(posted, UTC).strftime("%H:%M:%S.%f")[:-4]
        parts: list[str] = [f"posted {clock}"]
        for event in history.events:
            when = event.event_time.ToDatetime(UTC).timestamp()
            if when >= posted - 0.001 and event.event_type in steps:
                parts.append(f"{steps[event.event_type]} {(when - posted) * 1000:.0f}")
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                    break
        parts.append(f"SMS {(arrived - sample.posted_at) * 1000:.0f}")
        lines.append(", ".join(parts))
    return lines


async def all_closed(stack: Stack, starts: list[ShipmentStart], concurrency: int = 50) -> None:
    """Until every shipment of a burst has closed (delivered is final): work a burst leaves
    behind after its SMS (recording the outcome, closing the workflow) must not be counted
    against the next measurement."""
    gate = asyncio.Semaphore(concurrency)

    async def closed(start: ShipmentStart) -> None:
        async with gate:
            await stack.client.get_workflow_handle(start.workflow_id).result()

    await asyncio.gather(*(closed(s) for s in starts))


async def probe(
    stack: Stack, http: httpx.AsyncClient, starts: list[ShipmentStart]
) -> tuple[list[float], int]:
    """Events one at a time, each waited for: latency with nothing else going on."""
    samples: list[Sample] = []
    for start in starts:
        sample = await post_event(http, start, delivered_now)
        samples.append(sample)
        await sms_arrival(stack.deliveries, sample, timeout=30)
        await asyncio.sleep(0.2)
    return await sms_latencies(stack.deliveries, samples, timeout=0)


def ledger_bytes(database_url: str) -> int:
    engine = create_engine(normalize_url(database_url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    finally:
        engine.dispose()
    return int(size or 0)


async def main(args: argparse.Namespace) -> ScaleReport:
    configure_logging("WARNING", "console")
    cancel_on_sigterm()
    started_at = datetime.now(UTC)
    began = time.monotonic()
    n = args.shipments
    rng = random.Random()
    run = uuid.uuid4().hex[:6]
    echo("starting the stack: dev server (state on disk), PostgreSQL database, fakes")
    async with open_stack(temporal_db=True) as stack:
        cache = getattr(stack.settings, "max_cached_workflows", "1000 (Temporal's default)")
        env = environment(
            stack, {"worker": "waypost worker (own process)", "worker cache": str(cache)}
        )
        echo(", ".join(f"{k}: {v}" for k, v in env.items()))
        worker = WorkerProcess(settings_env(stack.settings), stack.scratch / "worker.log")
        worker.start()
        try:
            await wait_for_pollers(stack.client, WAYPOST_QUEUE)
            echo(f"worker pid {worker.pid}: RSS {worker.memory().rss_mb:.0f} MB")
            echo(
                f"starting {n} pickup-point shipments, concurrency {args.concurrency}, "
                f"at most {args.unsettled} not yet waiting"
            )
            start_seconds, settle_seconds = await start_waiting_shipments(
                stack, worker, run, n, args.concurrency, args.unsettled
            )
            await asyncio.sleep(5)  # let the last tasks drain before calling it idle
            idle_memory = worker.memory()
            echo(f"idle: worker RSS {idle_memory.rss_mb:.0f} MB (peak {idle_memory.peak_mb:.0f})")

            size = max(1, round(n * args.burst_fraction))
            chosen = rng.sample(range(n), min(n, args.probes + 2 * size))
            starts = [pickup_shipment(SHOP, run, i, phone_prefix=PHONE_PREFIX) for i in chosen]
            probes = starts[: args.probes]
            at_once, later = starts[args.probes : -size], starts[-size:]
            async with (
                running_api(stack.settings, stack.client) as url,
                httpx.AsyncClient(base_url=url, timeout=600, trust_env=False) as http,
            ):
                echo(f"idle latency: {len(probes)} events, one at a time")
                idle_found, idle_missing = await probe(stack, http, probes)
                idle = LatencyStats.of(idle_found)
                echo(f"  {idle.brief()} max {idle.max_ms:.0f} ms; missing {idle_missing}")
                first = await burst(stack, http, at_once, None)
                await asyncio.sleep(2)
                second = await burst(stack, http, later, args.burst_rate or first.drain_rate / 2)
            after: Memory = worker.memory()
            echo(f"after the burst: worker RSS {after.rss_mb:.0f} MB (peak {after.peak_mb:.0f})")
        finally:
            worker.stop()
        temporal_mb = stack.temporal_disk_bytes() / MB
        ledger_mb = ledger_bytes(stack.database_url) / MB
        echo(f"dev server database {temporal_mb:.1f} MB, ledger {ledger_mb:.1f} MB")
    return ScaleReport(
        started_at=started_at.isoformat(timespec="seconds"),
        seconds=time.monotonic() - began,
        environment=env,
        shipments=n,
        concurrency=args.concurrency,
        start_seconds=start_seconds,
        settle_seconds=settle_seconds,
        rss_idle_mb=idle_memory.rss_mb,
        rss_after_burst_mb=after.rss_mb,
        rss_peak_mb=after.peak_mb,
        idle=idle,
        bursts=(first, second),
        temporal_disk_mb=temporal_mb,
        ledger_disk_mb=ledger_mb,
    )


def cli(argv: list[str] | None = None) -> None:
    """Run, report, and leave (see benchmarks.stack.run_and_report)."""
    args = parse_args(argv)
    run_and_report(lambda: main(args), args.out, "scale-", scale_summary_line)


if __name__ == "__main__":
    cli()
