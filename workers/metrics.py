"""Serving metrics: one Prometheus endpoint per process, from Temporal's own runtime.

The SDK's runtime runs a Prometheus exporter for its metrics (`temporal_workflow_task_...`,
`temporal_activity_execution_latency`, polls, slots, ...). Waypost's metrics (`models/metrics.py`)
are made on that runtime's meter, so one address serves both, and so can the workflow through
`workflow.metric_meter()`; `prometheus_client` would have meant a second port and a second
registry for nothing. The exporter keeps Temporal's defaults (histograms in milliseconds,
counters without `_total`), which Temporal's Grafana dashboard for Core-based SDKs expects.

The runtime is made before any client connects (`starters.client.connect` asks for it) and only
when `WAYPOST_METRICS_BIND` is set; otherwise clients run on Temporal's default runtime and every
recorder records nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from weakref import WeakKeyDictionary

import structlog
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig
from temporalio.service import RPCError

from models.metrics import LATENCY_BUCKETS, PROVIDER_LATENCY, AppMetrics
from models.settings import Settings
from workflows.schedule import TIMER_KINDS

log = structlog.get_logger("waypost.metrics")

WORKFLOW_TYPE = "ShipmentWorkflow"

_runtimes: dict[str, Runtime] = {}
_recorders: WeakKeyDictionary[Runtime, AppMetrics] = WeakKeyDictionary()


class MetricsUnavailable(Exception):
    """The metrics endpoint could not be opened (the address is taken or not this machine's)."""


def runtime_for(settings: Settings) -> Runtime | None:
    """The runtime serving metrics on `settings.metrics_bind`, made once per process and
    address (each runtime has its own threads and port); None when metrics are off, which
    leaves clients on Temporal's default runtime."""
    bind = settings.metrics_bind
    if not bind:
        return None
    runtime = _runtimes.get(bind)
    if runtime is None:
        config = PrometheusConfig(
            bind_address=bind,
            histogram_bucket_overrides={PROVIDER_LATENCY.name: LATENCY_BUCKETS},
        )
        try:
            runtime = Runtime(telemetry=TelemetryConfig(metrics=config))
        except ValueError as err:
            raise MetricsUnavailable(
                f"cannot serve metrics on {bind}: {err}. Set WAYPOST_METRICS_BIND to a free "
                "address of this machine, or empty for no metrics"
            ) from err
        _runtimes[bind] = runtime
        log.info("serving metrics", url=f"http://{bind}/metrics")
    return runtime


def _runtime_of(client: Client) -> Runtime:
    return client.service_client.config.runtime or Runtime.default()


def serves_metrics(client: Client) -> bool:
    return _runtime_of(client).metric_meter is not MetricMeter.noop


def app_metrics(client: Client) -> AppMetrics:
    """Waypost's recorder on the runtime `client` runs on: its endpoint when it serves one,
    else it records nothing. One per runtime, so instruments are made once."""
    runtime = _runtime_of(client)
    recorder = _recorders.get(runtime)
    if recorder is None:
        recorder = _recorders[runtime] = AppMetrics(runtime.metric_meter)
    return recorder


def pending_timers_query(task_queue: str, kind: str) -> str:
    return (
        f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' "
        f"AND TaskQueue = '{task_queue}' AND PendingTimers = '{kind}'"
    )


async def count_pending_timers(client: Client, task_queue: str) -> dict[str, int]:
    """Running shipments on `task_queue` waiting on each kind of timer, from visibility.

    Why visibility and not counters of timers armed and ended in the workflow: such counters
    live in one worker process, so a timer armed on one worker and ended on another, or a
    worker restarted (its counters back at zero while its shipments still wait), makes their
    difference wrong for good, and a continued run would arm its timers a second time. The
    workflow keeps `PendingTimers` equal to what it waits on (an upsert when the kinds change,
    replayed exactly like any command), so a count here is right whatever happened to workers,
    caches or runs. Visibility lags the workflow by about a second.
    """
    counts = await asyncio.gather(
        *(client.count_workflows(pending_timers_query(task_queue, kind)) for kind in TIMER_KINDS)
    )
    return {kind: found.count for kind, found in zip(TIMER_KINDS, counts, strict=True)}


async def _report_pending_timers(
    client: Client, metrics: AppMetrics, task_queue: str, every: float
) -> None:
    while True:
        try:
            counts = await count_pending_timers(client, task_queue)
        except (RPCError, RuntimeError) as err:
            # The gauge keeps its last value; the warning says it is stale.
            log.warning("pending timers not counted", error=str(err))
        else:
            for kind, count in counts.items():
                metrics.pending_timers(kind, task_queue, count)
        await asyncio.sleep(every)


@contextlib.asynccontextmanager
async def reporting_pending_timers(
    client: Client, settings: Settings, task_queue: str
) -> AsyncIterator[None]:
    """Within the block, refresh `waypost_pending_timers` for `task_queue` every
    `metrics_timers_refresh_seconds`; nothing when the client's runtime serves no metrics."""
    if not serves_metrics(client):
        yield
        return
    task = asyncio.create_task(
        _report_pending_timers(
            client, app_metrics(client), task_queue, settings.metrics_timers_refresh_seconds
        )
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
