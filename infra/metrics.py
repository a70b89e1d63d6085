"""What Waypost measures: every `waypost_` metric, its labels, and one recorder over any Temporal
`MetricMeter`.

The metrics go through Temporal's own meter, so they leave the process on the same Prometheus
endpoint as the SDK's (`infra/telemetry.py` builds that runtime), and the workflow can count on
`workflow.metric_meter()`, which stays silent while a history replays. Labels hold kinds,
channels, providers, carriers and outcomes only: never a shipment, a shop or a recipient, so the
number of series stays small and no personal data reaches Prometheus.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from temporalio.common import (
    MetricCounter,
    MetricGauge,
    MetricHistogramFloat,
    MetricMeter,
)

from models.notification import Channel, NotificationKind, NotificationStatus


@dataclass(frozen=True)
class Metric:
    name: str
    description: str
    labels: tuple[str, ...]
    unit: str | None = None


MESSAGES = Metric(
    "waypost_messages",
    "Messages entering a status, counted once where the status is decided: sent, failed and "
    "opted_out by the sender (the ledger's claim makes it once per message), delivered, "
    "undelivered and failed by the provider's callback, suppressed, superseded and delegated "
    "by the workflow. A message sent and later delivered counts in both.",
    ("kind", "channel", "status"),
)
PROVIDER_LATENCY = Metric(
    "waypost_provider_latency_seconds",
    "How long one call to a provider's send API took, whatever its outcome.",
    ("provider", "channel", "outcome"),
    unit="s",
)
PROVIDER_ERRORS = Metric(
    "waypost_provider_errors",
    "Provider calls that did not take the message: retryable (rate limit, 5xx, connection), "
    "permanent (refused for good) or timeout (no answer in time; the message may have arrived).",
    ("provider", "channel", "error"),
)
CARRIER_EVENTS = Metric(
    "waypost_carrier_events",
    "Carrier events received on the webhooks, by what became of each: result accepted "
    "(applied), ignored (duplicate, or a scan that changes nothing) or refused (out of order, "
    "impossible, unknown shipment, unreadable); outcome says which.",
    ("carrier", "result", "outcome"),
)
CARRIER_REQUESTS_REFUSED = Metric(
    "waypost_carrier_requests_refused",
    "Whole webhook requests refused before any event was read: no secret configured, a bad "
    "signature, a body too large, or not the carrier's payload.",
    ("carrier", "reason"),
)
PENDING_TIMERS = Metric(
    "waypost_pending_timers",
    "Running shipments waiting on a durable timer of this kind (from Temporal visibility's "
    "PendingTimers search attribute), on this task queue. Cluster-wide: every worker reports "
    "the same value, so aggregate with max, not sum.",
    ("kind", "task_queue"),
)
LEDGER_SET_ASIDE = Metric(
    "waypost_ledger_set_aside",
    "Parts of ledger writes that can never be stored (a NUL, an id longer than its column, a "
    "broken constraint), recorded in the set_aside table while the rest of the change went on; "
    "once per part. part: shipment, event, status, claim, mark, attempt, delivery_report.",
    ("part",),
)

ALL = (
    MESSAGES,
    PROVIDER_LATENCY,
    PROVIDER_ERRORS,
    CARRIER_EVENTS,
    CARRIER_REQUESTS_REFUSED,
    PENDING_TIMERS,
    LEDGER_SET_ASIDE,
)

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""Seconds. Providers answer in tens to hundreds of milliseconds; their clients time out at 10 s."""

CALL_OUTCOMES = ("accepted", "retryable", "permanent", "timeout")
"""`outcome` of a provider call; all but `accepted` are also `error` of waypost_provider_errors."""

WORKFLOW_DECIDED = frozenset(
    {NotificationStatus.SUPPRESSED, NotificationStatus.SUPERSEDED, NotificationStatus.DELEGATED}
)
"""Statuses only the workflow gives a message: such a message never reaches the sender."""


class AppMetrics:
    """Records Waypost's metrics on one meter. Instruments are made on first use, so a workflow
    (which builds its own on every run) pays only for the one it records."""

    def __init__(self, meter: MetricMeter) -> None:
        self.meter = meter

    @cached_property
    def _messages(self) -> MetricCounter:
        return self._counter(MESSAGES)

    @cached_property
    def _provider_latency(self) -> MetricHistogramFloat:
        return self.meter.create_histogram_float(
            PROVIDER_LATENCY.name, PROVIDER_LATENCY.description, PROVIDER_LATENCY.unit
        )

    @cached_property
    def _provider_errors(self) -> MetricCounter:
        return self._counter(PROVIDER_ERRORS)

    @cached_property
    def _carrier_events(self) -> MetricCounter:
        return self._counter(CARRIER_EVENTS)

    @cached_property
    def _carrier_refused(self) -> MetricCounter:
        return self._counter(CARRIER_REQUESTS_REFUSED)

    @cached_property
    def _set_aside(self) -> MetricCounter:
        return self._counter(LEDGER_SET_ASIDE)

    @cached_property
    def _pending_timers(self) -> MetricGauge:
        return self.meter.create_gauge(PENDING_TIMERS.name, PENDING_TIMERS.description)

    def _counter(self, metric: Metric) -> MetricCounter:
        return self.meter.create_counter(metric.name, metric.description, metric.unit)

    def message(self, kind: NotificationKind, channel: Channel, status: NotificationStatus) -> None:
        self._messages.add(
            1, {"kind": kind.value, "channel": channel.value, "status": status.value}
        )

    def provider_call(self, provider: str, channel: Channel, seconds: float, outcome: str) -> None:
        """One call to a provider's send API; `outcome` is one of CALL_OUTCOMES."""
        labels = {"provider": provider, "channel": channel.value}
        self._provider_latency.record(max(seconds, 0.0), labels | {"outcome": outcome})
        if outcome != "accepted":
            self._provider_errors.add(1, labels | {"error": outcome})

    def carrier_event(self, carrier: str, code: int, outcome: str) -> None:
        """One event of a webhook request, with the HTTP code it alone would have had."""
        result = "accepted" if code == 202 else "refused" if code >= 300 else "ignored"
        self._carrier_events.add(1, {"carrier": carrier, "result": result, "outcome": outcome})

    def carrier_request_refused(self, carrier: str, reason: str) -> None:
        self._carrier_refused.add(1, {"carrier": carrier, "reason": reason})

    def set_aside(self, part: str) -> None:
        """One part of a ledger write set aside for good (see ledger.claims)."""
        self._set_aside.add(1, {"part": part})

    def pending_timers(self, kind: str, task_queue: str, count: int) -> None:
        self._pending_timers.set(count, {"kind": kind, "task_queue": task_queue})


NOOP = AppMetrics(MetricMeter.noop)
"""Records nothing: for code run outside a process that serves metrics (unit tests, tools)."""
