"""Serving metrics: one Prometheus endpoint per process, from Temporal's own runtime.

The SDK's runtime runs a Prometheus exporter for its metrics (`temporal_workflow_task_...`,
`temporal_activity_execution_latency`, polls, slots, ...). Waypost's metrics (`infra/metrics.py`)
are made on that runtime's meter, so one address serves both, and so can the workflow through
`workflow.metric_meter()`; `prometheus_client` would have meant a second port and a second
registry for nothing. The exporter keeps Temporal's defaults (histograms in milliseconds,
counters without `_total`), which Temporal's Grafana dashboard for Core-based SDKs expects.

The runtime is made before any client connects (`workflows.client.connect` asks for it) and only
when `WAYPOST_METRICS_BIND` is set; otherwise clients run on Temporal's default runtime and every
recorder records nothing.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

import structlog
from temporalio.client import Client
from temporalio.common import MetricMeter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from infra.metrics import LATENCY_BUCKETS, PROVIDER_LATENCY, AppMetrics
from infra.settings import Settings

log = structlog.get_logger("waypost.metrics")

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
