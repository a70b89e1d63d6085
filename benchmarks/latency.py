"""Latency: a carrier's out_for_delivery event posted to the HTTP webhook, until the SMS it causes
reaches the Twilio fake.

The shipments are started (and recorded in the ledger, where the webhook finds them by tracking
number) before the clock runs; then one signed generic event per shipment is posted on a fixed
schedule (open loop: a slow answer never delays the next POST, so queueing shows in the figures
instead of hiding in a slower send rate). Each shipment has a phone number of its own, which is
how an SMS is matched to its event.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx

from benchmarks.report import Latency, LatencyStats
from benchmarks.stack import GENERIC_SECRET, WAYPOST_QUEUE, Deliveries, Stack, echo, wait_until
from benchmarks.workload import courier_shipment, generic_request, out_for_delivery_now
from models.shipment import CarrierEvent, ShipmentStart
from workflows.client import start_shipment

SHOP = "bench-latency"
WEBHOOK = "/v1/carriers/generic/events"


@dataclass(frozen=True)
class Sample:
    phone: str
    posted_at: float
    """time.monotonic() just before the POST."""
    answered_in: float
    applied: bool
    lag: float
    """How late the POST left against its schedule."""


async def start_all(stack: Stack, starts: Sequence[ShipmentStart], concurrency: int = 50) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(start: ShipmentStart) -> None:
        async with gate:
            await start_shipment(stack.client, start, WAYPOST_QUEUE)

    await asyncio.gather(*(one(s) for s in starts))


async def post_event(
    http: httpx.AsyncClient,
    start: ShipmentStart,
    event: Callable[[str], CarrierEvent],
    due: float | None = None,
) -> Sample:
    """One carrier POST of `event(event_id)` for the shipment; the time starts just before the
    request leaves (`due`: when it should have left, to see whether pacing held)."""
    assert start.recipient.phone is not None
    body, headers = generic_request(
        start.tracking_number, event(f"bench-{start.shipment_id}"), GENERIC_SECRET
    )
    posted_at = time.monotonic()
    answer = await http.post(WEBHOOK, content=body, headers=headers)
    answered_in = time.monotonic() - posted_at
    applied = answer.status_code == 200 and answer.json()["results"][0]["outcome"] == "applied"
    lag = posted_at - due if due is not None else 0.0
    return Sample(start.recipient.phone, posted_at, answered_in, applied, lag)


async def paced(
    http: httpx.AsyncClient,
    starts: Sequence[ShipmentStart],
    event: Callable[[str], CarrierEvent],
    rate: float | None,
) -> list[Sample]:
    """Post one event per shipment at `rate` per second, on schedule whatever the answers do
    (None: all at once)."""
    began = time.monotonic() + 0.05
    tasks: list[asyncio.Task[Sample]] = []
    next_report = began + 10
    for i, start in enumerate(starts):
        due = began + i / rate if rate else None
        if due is not None:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        tasks.append(asyncio.create_task(post_event(http, start, event, due)))
        if time.monotonic() >= next_report:
            echo(f"  posted {i + 1}/{len(starts)}")
            next_report += 10
    return await asyncio.gather(*tasks)


async def sms_arrival(deliveries: Deliveries, sample: Sample, timeout: float) -> bool:
    """Until the SMS caused by `sample`'s event has arrived (False: not within `timeout`)."""
    return await wait_until(
        lambda: deliveries.first_sms(sample.phone, sample.posted_at) is not None, timeout
    )


async def sms_latencies(
    deliveries: Deliveries, samples: Sequence[Sample], timeout: float
) -> tuple[list[float], int]:
    """Wait (up to `timeout`) for each applied event's SMS; the latencies found, and how many
    events are missing one (or were not applied)."""
    applied = [s for s in samples if s.applied]
    await wait_until(
        lambda: all(deliveries.first_sms(s.phone, s.posted_at) is not None for s in applied),
        timeout,
        poll=0.05,
    )
    found: list[float] = []
    for s in applied:
        arrived = deliveries.first_sms(s.phone, s.posted_at)
        if arrived is not None:
            found.append(arrived - s.posted_at)
    return found, len(samples) - len(found)


async def run_latency(
    stack: Stack, api_url: str, *, rate: float, rate_basis: str, count: int
) -> tuple[Latency, list[ShipmentStart]]:
    """Assumes a Waypost worker on WAYPOST_QUEUE and the HTTP service at `api_url`. The
    shipments, still running (out for delivery), come back with the figures."""
    run = uuid.uuid4().hex[:6]
    starts = [courier_shipment(SHOP, run, i, phone_prefix=72) for i in range(count)]
    echo(f"latency: starting {count} shipments")
    emails_before = stack.deliveries.emails
    await start_all(stack, starts)
    # Their first change (the dispatch email) is recorded before it is sent: once every email
    # has arrived, the webhook finds every shipment in the ledger by its tracking number.
    if not await wait_until(lambda: stack.deliveries.emails >= emails_before + count, 120):
        raise RuntimeError("the latency shipments' dispatch emails did not all arrive")
    echo(f"latency: posting {count} out_for_delivery events at {rate:.2f}/s ({rate_basis})")
    async with httpx.AsyncClient(base_url=api_url, timeout=60, trust_env=False) as http:
        samples = await paced(http, starts, out_for_delivery_now, rate)
    found, missing = await sms_latencies(stack.deliveries, samples, timeout=60)
    result = Latency(
        rate=rate,
        rate_basis=rate_basis,
        events=count,
        to_sms=LatencyStats.of(found),
        http_answer=LatencyStats.of([s.answered_in for s in samples]),
        missing=missing,
        max_send_lag_ms=max((s.lag for s in samples), default=0.0) * 1000,
    )
    echo(
        f"  to the SMS: {result.to_sms.brief()} max {result.to_sms.max_ms:.0f} ms; "
        f"HTTP answer {result.http_answer.brief()}; missing {missing}"
    )
    return result, starts
