"""The tracking page: a customer's view of a running shipment (GET /t/{token}), its latency,
and what it costs the Temporal server (a workflow query is a billable action and a worker task)
and the worker.

The HTTP service under test is given a client whose interceptor counts the workflow queries it
sends, so queries per view are measured, not assumed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    QueryWorkflowInput,
)

from benchmarks.report import LatencyStats, PageViews
from benchmarks.stack import Stack, WorkerProcess, child_pid, cpu_seconds, echo
from infra.links import TrackingLinks
from models.shipment import ShipmentStart


class QueryCounter(Interceptor):
    """Counts the workflow queries a client sends."""

    def __init__(self) -> None:
        self.queries = 0

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _Counting(next, self)


class _Counting(OutboundInterceptor):
    def __init__(self, next: OutboundInterceptor, counter: QueryCounter) -> None:
        super().__init__(next)
        self._counter = counter

    async def query_workflow(self, input: QueryWorkflowInput) -> Any:
        self._counter.queries += 1
        return await super().query_workflow(input)


def counting_client(client: Client, counter: QueryCounter) -> Client:
    """The same connection and converter as `client`, with `counter` on every query."""
    config = client.config()
    config["interceptors"] = [*config["interceptors"], counter]
    return Client(**config)


async def view_pages(
    stack: Stack,
    api_url: str,
    starts: Sequence[ShipmentStart],
    *,
    counter: QueryCounter,
    worker: WorkerProcess,
    rate: float,
    views: int,
) -> PageViews:
    """`views` page views spread over `starts`, paced at `rate` per second (open loop)."""
    server_pid = child_pid("temporal")

    def server_cpu() -> float:
        return (cpu_seconds(server_pid) or 0.0) if server_pid else 0.0

    links = TrackingLinks.from_settings(stack.settings)
    now = datetime.now(UTC)
    tokens = [links.token(s.workflow_id, now) for s in starts]
    echo(f"tracking page: {views} views of {len(tokens)} running shipments at {rate:.1f}/s")
    queries_before = counter.queries
    worker_before, server_before = worker.cpu_seconds(), server_cpu()

    async def one(http: httpx.AsyncClient, token: str, due: float) -> tuple[float, bool]:
        await asyncio.sleep(max(0.0, due - time.monotonic()))
        began = time.monotonic()
        answer = await http.get(f"/t/{token}")
        return time.monotonic() - began, answer.status_code == 200

    began = time.monotonic() + 0.05
    async with httpx.AsyncClient(base_url=api_url, timeout=60, trust_env=False) as http:
        results = await asyncio.gather(
            *(one(http, tokens[i % len(tokens)], began + i / rate) for i in range(views))
        )
    worker_cpu = worker.cpu_seconds() - worker_before
    server = server_cpu() - server_before
    page = PageViews(
        rate=rate,
        views=views,
        shown=sum(ok for _, ok in results),
        latency=LatencyStats.of([seconds for seconds, _ in results]),
        queries=counter.queries - queries_before,
        worker_cpu_ms=worker_cpu * 1000 / views,
        server_cpu_ms=server * 1000 / views,
    )
    echo(
        f"  page view {page.latency.brief()}; per view {page.queries_per_view:.2f} queries, "
        f"worker cpu {page.worker_cpu_ms:.1f} ms, dev server {page.server_cpu_ms:.1f} ms"
    )
    return page
