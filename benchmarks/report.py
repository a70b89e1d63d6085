"""The benchmark's figures and how they are reported: JSON for machines, Markdown for people,
one line for the terminal. Pure code (no I/O but `write_report`), so it is unit-tested."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RATIO_GOAL = 0.9
WORKER_CPU_GOAL = 1.25
"""Waypost's worker CPU per lifecycle, at most this many times the bare design's."""
P99_GOAL_MS = 250.0
PAGE_P99_GOAL_MS = 100.0
RSS_GOAL_MB = 300.0
BURST_GOAL_FACTOR = 2.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): always a value that was measured."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class LatencyStats:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> LatencyStats:
        ms = [s * 1000 for s in seconds]
        return cls(
            count=len(ms),
            p50_ms=percentile(ms, 50),
            p95_ms=percentile(ms, 95),
            p99_ms=percentile(ms, 99),
            max_ms=max(ms, default=math.nan),
            mean_ms=sum(ms) / len(ms) if ms else math.nan,
        )

    def brief(self) -> str:
        return f"p50 {self.p50_ms:.0f} ms p95 {self.p95_ms:.0f} ms p99 {self.p99_ms:.0f} ms"


ACTION_PRICE_PER_MILLION = 50.0
"""Temporal Cloud's list price per million actions (https://temporal.io/pricing, first tier)."""


@dataclass(frozen=True)
class Usage:
    """What one lifecycle of a design spends: CPU over its measured rounds, divided by their
    lifecycles; history figures and billable actions averaged over the histories read."""

    lifecycles: int
    worker_cpu_ms: float
    """utime + stime of the design's own worker process (/proc/<pid>/stat)."""
    server_cpu_ms: float
    """The dev server's, which serves both designs: each round's share is its own."""
    postgres_cpu_ms: float | None
    """The backends connected to the ledger database; None when they could not be read."""
    postgres_note: str
    histories: int
    history_events: float
    history_bytes: float
    payload_bytes: float
    actions: dict[str, float] = field(default_factory=dict)
    """Billable actions by kind (benchmarks.actions), per lifecycle."""

    @property
    def actions_total(self) -> float:
        return sum(self.actions.values())

    def actions_usd_per_1000(self, price_per_million: float) -> float:
        return self.actions_total * 1000 * price_per_million / 1e6


@dataclass(frozen=True)
class Throughput:
    """Lifecycles per second of each round, Waypost's and the bare workflow's, both workers
    with the same workflow runner (`runner`), settings and process layout."""

    n: int
    concurrency: int
    rounds: int
    waypost: tuple[float, ...]
    bare: tuple[float, ...]
    runner: str = "unsandboxed"
    waypost_usage: Usage | None = None
    bare_usage: Usage | None = None

    @property
    def best_waypost(self) -> float:
        return max(self.waypost)

    @property
    def best_bare(self) -> float:
        return max(self.bare)

    @property
    def ratio(self) -> float:
        return self.best_waypost / self.best_bare


@dataclass(frozen=True)
class Latency:
    """Carrier webhook to the SMS arriving at the Twilio fake, under a steady open-loop load."""

    rate: float
    """Events per second offered."""
    rate_basis: str
    events: int
    to_sms: LatencyStats
    http_answer: LatencyStats
    """Until the webhook answered: the SMS is sent after the update returns, so it comes later."""
    missing: int
    """Events whose SMS had not arrived when the wait ended (or that were not applied)."""
    max_send_lag_ms: float
    """How late the worst POST left against its schedule: pacing held if this is small."""


@dataclass(frozen=True)
class PageViews:
    """The customer's tracking page (GET /t/{token}) of running shipments, under a steady
    open-loop load, and what each view costs the Temporal server and the worker."""

    rate: float
    """Views per second offered."""
    views: int
    shown: int
    """Views answered 200 with the shipment's page."""
    latency: LatencyStats
    queries: int
    """Workflow queries the HTTP service sent (counted by a client interceptor): each is a
    billable action on Temporal Cloud and a task on a worker."""
    worker_cpu_ms: float
    """The Waypost worker's CPU over the views, per view."""
    server_cpu_ms: float
    """The dev server's CPU over the views, per view."""

    @property
    def queries_per_view(self) -> float:
        return self.queries / self.views if self.views else math.nan


@dataclass(frozen=True)
class Cost:
    """Messages that reached the providers, summed over the delivered shipments of a flow."""

    flows: str
    shipments: int
    delivered: int
    sms: int
    segments: int
    emails: int
    cost_usd: float

    def per_delivered(self, total: float) -> float:
        return total / self.delivered if self.delivered else math.nan

    @property
    def sms_each(self) -> float:
        return self.per_delivered(self.sms)

    @property
    def segments_each(self) -> float:
        return self.per_delivered(self.segments)

    @property
    def emails_each(self) -> float:
        return self.per_delivered(self.emails)

    @property
    def cost_each(self) -> float:
        return self.per_delivered(self.cost_usd)

    def brief(self) -> str:
        return (
            f"{self.sms_each:.1f} SMS ({self.segments_each:.1f} segments), "
            f"{self.emails_each:.1f} email, ${self.cost_each:.4f} per delivered shipment"
        )


@dataclass(frozen=True)
class FlowCost:
    """One demo flow's messages, whatever its end."""

    name: str
    status: str
    ok: bool
    sms: int
    segments: int
    emails: int
    cost_usd: float


@dataclass(frozen=True)
class BenchReport:
    started_at: str
    seconds: float
    environment: dict[str, str]
    throughput: Throughput
    latency: Latency | None = None
    cost: Cost | None = None
    demo: tuple[FlowCost, ...] = field(default_factory=tuple)
    demo_cost: Cost | None = None
    sandboxed: Throughput | None = None
    """The second pair of rounds, both workers in Temporal's sandbox."""
    action_price_per_million: float = ACTION_PRICE_PER_MILLION
    page: PageViews | None = None

    def per_1000_usd(self) -> tuple[float, float] | None:
        """Temporal Cloud actions and SMS, in dollars per 1,000 delivered shipments of the
        throughput flow (one lifecycle, one delivered shipment)."""
        usage = self.throughput.waypost_usage
        if usage is None or self.cost is None:
            return None
        return (
            usage.actions_usd_per_1000(self.action_price_per_million),
            self.cost.cost_each * 1000,
        )


@dataclass(frozen=True)
class Burst:
    """Events to distinct random shipments, posted all at once or paced."""

    rate: float | None
    """Events per second they were paced at; None: all at once."""
    seconds: float
    """From the first POST until the last SMS arrived."""
    stats: LatencyStats
    missing: int

    @property
    def drain_rate(self) -> float:
        return self.stats.count / self.seconds if self.seconds else math.nan

    @property
    def how(self) -> str:
        return f"paced at {self.rate:.2f}/s" if self.rate else "all at once"


@dataclass(frozen=True)
class ScaleReport:
    started_at: str
    seconds: float
    environment: dict[str, str]
    shipments: int
    concurrency: int
    start_seconds: float
    """Until every start (and its arrival at the pickup point) was accepted by Temporal."""
    settle_seconds: float
    """Until every message of those arrivals had reached the fakes: all shipments waiting."""
    rss_idle_mb: float
    rss_after_burst_mb: float
    rss_peak_mb: float
    idle: LatencyStats
    bursts: tuple[Burst, ...]
    temporal_disk_mb: float
    ledger_disk_mb: float

    def factors(self, burst: Burst) -> tuple[float, float]:
        """The burst's p50 and p99 over the idle figure's."""
        return burst.stats.p50_ms / self.idle.p50_ms, burst.stats.p99_ms / self.idle.p99_ms


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def summary_line(report: BenchReport) -> str:
    """The last line `make bench` prints: every figure, each beside its reference."""
    t = report.throughput
    parts = [f"ratio {t.ratio:.2f} (equal terms)"]
    ours, bare = t.waypost_usage, t.bare_usage
    if ours is not None and bare is not None:
        parts.append(f"worker cpu {ours.worker_cpu_ms:.1f} ms vs {bare.worker_cpu_ms:.1f} ms")
        parts.append(f"actions {ours.actions_total:.1f} vs {bare.actions_total:.1f}")
    if report.latency is not None:
        parts.append(f"p99 {report.latency.to_sms.p99_ms:.0f} ms")
    if report.page is not None:
        parts.append(f"page p99 {report.page.latency.p99_ms:.0f} ms")
    money = report.per_1000_usd()
    if money is not None:
        actions, sms = money
        parts.append(f"${actions + sms:.2f} per 1,000 (actions ${actions:.2f} + SMS ${sms:.2f})")
    return " · ".join(parts)


def _burst_brief(report: ScaleReport, burst: Burst) -> str:
    p50, p99 = report.factors(burst)
    return (
        f"burst of {burst.stats.count} {burst.how} p50 {burst.stats.p50_ms:.0f} ms p99 "
        f"{burst.stats.p99_ms:.0f} ms ({p50:.1f}x/{p99:.1f}x idle)"
    )


def scale_summary_line(report: ScaleReport) -> str:
    r = report
    return " · ".join(
        [
            f"{r.shipments} waiting shipments: started in {r.start_seconds:.0f} s "
            f"({r.shipments / r.start_seconds:.0f}/s), all waiting after {r.settle_seconds:.0f} s",
            f"worker RSS idle {r.rss_idle_mb:.0f} MB, peak {r.rss_peak_mb:.0f} MB",
            f"latency idle p50 {r.idle.p50_ms:.0f} ms p99 {r.idle.p99_ms:.0f} ms",
            *(_burst_brief(r, b) for b in r.bursts),
            f"dev server disk {r.temporal_disk_mb:.0f} MB",
        ]
    )


def _stats_row(label: str, stats: LatencyStats) -> str:
    return (
        f"| {label} | {stats.count} | {stats.p50_ms:.0f} | {stats.p95_ms:.0f} | "
        f"{stats.p99_ms:.0f} | {stats.max_ms:.0f} |"
    )


def _environment(env: dict[str, str]) -> list[str]:
    return [", ".join(f"{k}: {v}" for k, v in env.items()), ""]


def markdown(report: BenchReport) -> str:
    t = report.throughput
    lines = [
        f"# Waypost benchmark, {report.started_at}",
        "",
        *_environment(report.environment),
        "## Throughput",
        "",
        f"{t.n} full lifecycles per round (start, four carrier events as signals, the messages "
        f"they cause through the PostgreSQL ledger and the Twilio/SendGrid fakes), concurrency "
        f"{t.concurrency}, {t.rounds} rounds in alternating order, against a bare workflow of "
        "the same shape on the same dev server.",
        "",
        "| round | waypost /s | bare /s |",
        "| --- | --- | --- |",
        *(
            f"| {i + 1} | {w:.1f} | {b:.1f} |"
            for i, (w, b) in enumerate(zip(t.waypost, t.bare, strict=True))
        ),
        "",
        f"Best: waypost {t.best_waypost:.1f}/s, bare {t.best_bare:.1f}/s. **Ratio {t.ratio:.2f}** "
        f"(goal >= {RATIO_GOAL}: {_verdict(t.ratio >= RATIO_GOAL)}), equal terms: each worker "
        f"in its own process, same settings, workflow runner {t.runner}.",
        "",
        *_usage_table(t, report.action_price_per_million),
        *_usage_goals(t),
    ]
    if report.sandboxed is not None:
        s = report.sandboxed
        lines += [
            f"### Both {s.runner}",
            "",
            f"The same rounds with both workers in Temporal's sandbox: best waypost "
            f"{s.best_waypost:.1f}/s, bare {s.best_bare:.1f}/s, ratio {s.ratio:.2f}.",
            "",
            *_usage_table(s, report.action_price_per_million),
        ]
    if report.latency is not None:
        lat = report.latency
        lines += [
            "## Latency",
            "",
            f"{lat.events} signed generic out_for_delivery events posted to "
            f"/v1/carriers/generic/events at {lat.rate:.2f}/s ({lat.rate_basis}), open loop; "
            "from just before the POST until the SMS reached the Twilio fake. The webhook "
            "answers when the workflow's update returns; the SMS is sent after that.",
            "",
            "| ms | count | p50 | p95 | p99 | max |",
            "| --- | --- | --- | --- | --- | --- |",
            _stats_row("to the SMS", lat.to_sms),
            _stats_row("HTTP answer", lat.http_answer),
            "",
            f"p99 {lat.to_sms.p99_ms:.0f} ms (goal < {P99_GOAL_MS:.0f} ms: "
            f"{_verdict(lat.to_sms.p99_ms < P99_GOAL_MS)}); missing {lat.missing}; worst send "
            f"lag {lat.max_send_lag_ms:.0f} ms.",
            "",
        ]
    if report.page is not None:
        page = report.page
        lines += [
            "## Tracking page",
            "",
            f"{page.views} views of running shipments' tracking pages (GET /t/{{token}}) at "
            f"{page.rate:.1f}/s, open loop, {page.shown} shown.",
            "",
            "| ms | count | p50 | p95 | p99 | max |",
            "| --- | --- | --- | --- | --- | --- |",
            _stats_row("page view", page.latency),
            "",
            f"p99 {page.latency.p99_ms:.0f} ms (goal < {PAGE_P99_GOAL_MS:.0f} ms: "
            f"{_verdict(page.latency.p99_ms < PAGE_P99_GOAL_MS)}). Per view: "
            f"{page.queries_per_view:.2f} workflow queries (each a billable action and a "
            f"worker task), worker CPU {page.worker_cpu_ms:.1f} ms, dev server CPU "
            f"{page.server_cpu_ms:.1f} ms.",
            "",
        ]
    if report.cost is not None or report.demo:
        lines += ["## Cost per delivered shipment", ""]
    if report.cost is not None:
        lines += [_cost_paragraph(report.cost), ""]
    money = report.per_1000_usd()
    if money is not None:
        lines += [
            f"Per 1,000 delivered shipments of that flow: Temporal Cloud actions ${money[0]:.2f} "
            f"(at ${report.action_price_per_million:g} per million), SMS ${money[1]:.2f}.",
            "",
        ]
    if report.demo:
        lines += [
            "The demo's eight flows, one shipment each, through the same stack:",
            "",
            "| flow | end | SMS | segments | emails | SMS cost $ |",
            "| --- | --- | --- | --- | --- | --- |",
            *(
                f"| {f.name}{'' if f.ok else ' (unexpected)'} | {f.status} | {f.sms} | "
                f"{f.segments} | {f.emails} | {f.cost_usd:.4f} |"
                for f in report.demo
            ),
            "",
        ]
    if report.demo_cost is not None:
        lines += [_cost_paragraph(report.demo_cost), ""]
    lines.append(f"Took {report.seconds:.0f} s. Summary: {summary_line(report)}")
    return "\n".join(lines) + "\n"


def _usage_table(t: Throughput, price: float) -> list[str]:
    """Per lifecycle, each design beside the other: CPU, history, billable actions by kind."""
    ours, bare = t.waypost_usage, t.bare_usage
    if ours is None or bare is None:
        return []

    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.1f}"

    kinds = sorted(set(ours.actions) | set(bare.actions))
    rows = [
        ("worker CPU, ms (own process)", ms(ours.worker_cpu_ms), ms(bare.worker_cpu_ms)),
        ("dev server CPU, ms", ms(ours.server_cpu_ms), ms(bare.server_cpu_ms)),
        ("PostgreSQL CPU, ms", ms(ours.postgres_cpu_ms), ms(bare.postgres_cpu_ms)),
        ("history events", f"{ours.history_events:.1f}", f"{bare.history_events:.1f}"),
        ("history bytes", f"{ours.history_bytes:.0f}", f"{bare.history_bytes:.0f}"),
        ("payload bytes", f"{ours.payload_bytes:.0f}", f"{bare.payload_bytes:.0f}"),
        *(
            (f"actions: {k}", f"{ours.actions.get(k, 0):.1f}", f"{bare.actions.get(k, 0):.1f}")
            for k in kinds
        ),
        ("**billable actions**", f"{ours.actions_total:.1f}", f"{bare.actions_total:.1f}"),
        (
            f"actions $ per 1,000 lifecycles at ${price:g} per million",
            f"{ours.actions_usd_per_1000(price):.2f}",
            f"{bare.actions_usd_per_1000(price):.2f}",
        ),
    ]
    return [
        f"Per lifecycle ({ours.lifecycles} measured; histories: {ours.histories} and "
        f"{bare.histories} read back; PostgreSQL: {ours.postgres_note}). Actions by Temporal "
        "Cloud's rules, from the histories (queries and heartbeats are not in them):",
        "",
        "| per lifecycle | waypost | bare |",
        "| --- | --- | --- |",
        *(f"| {label} | {a} | {b} |" for label, a, b in rows),
        "",
    ]


def _usage_goals(t: Throughput) -> list[str]:
    """The per-lifecycle goals: worker CPU against the bare design's, and billable actions no
    more than its."""
    ours, bare = t.waypost_usage, t.bare_usage
    if ours is None or bare is None or not bare.worker_cpu_ms:
        return []
    cpu = ours.worker_cpu_ms / bare.worker_cpu_ms
    actions_ok = ours.actions_total <= bare.actions_total
    return [
        f"Worker CPU {cpu:.2f} times the bare design's (goal <= {WORKER_CPU_GOAL}: "
        f"{_verdict(cpu <= WORKER_CPU_GOAL)}); billable actions {ours.actions_total:.1f} "
        f"against {bare.actions_total:.1f} (goal: no more: {_verdict(actions_ok)}).",
        "",
    ]


def _cost_paragraph(cost: Cost) -> str:
    return (
        f"{cost.flows}: {cost.delivered} of {cost.shipments} shipments delivered; per delivered "
        f"shipment {cost.sms_each:.2f} SMS, {cost.segments_each:.2f} segments, "
        f"{cost.emails_each:.2f} emails, estimated SMS cost ${cost.cost_each:.4f} "
        "(from the ledger; emails are not priced)."
    )


def scale_markdown(report: ScaleReport) -> str:
    r = report
    rss_ok = r.rss_peak_mb < RSS_GOAL_MB
    burst_rows = [
        _stats_row(f"burst, {b.how} (drained in {b.seconds:.1f} s, {b.drain_rate:.1f}/s)", b.stats)
        for b in r.bursts
    ]
    verdicts = [
        f"{b.how}: p50 {p50:.1f}x, p99 {p99:.1f}x the idle figure (goal <= "
        f"{BURST_GOAL_FACTOR:.0f}x: {_verdict(max(p50, p99) <= BURST_GOAL_FACTOR)}; "
        f"{b.missing} missing)"
        for b in r.bursts
        for p50, p99 in [r.factors(b)]
    ]
    return "\n".join(
        [
            f"# Waypost scale benchmark, {r.started_at}",
            "",
            *_environment(r.environment),
            f"{r.shipments} pickup-point shipments started (concurrency {r.concurrency}) and "
            "brought to `available_for_pickup`, each then waiting on timers days away.",
            "",
            "| figure | value |",
            "| --- | --- |",
            f"| starts (with the arrival event) accepted | {r.start_seconds:.1f} s "
            f"({r.shipments / r.start_seconds:.1f}/s) |",
            f"| all their messages delivered to the fakes | {r.settle_seconds:.1f} s |",
            f"| worker RSS idle / after the burst / peak | {r.rss_idle_mb:.0f} / "
            f"{r.rss_after_burst_mb:.0f} / {r.rss_peak_mb:.0f} MB |",
            f"| dev server database on disk | {r.temporal_disk_mb:.1f} MB |",
            f"| ledger database (PostgreSQL) | {r.ledger_disk_mb:.1f} MB |",
            "",
            "Latency from the carrier webhook's POST (a `delivered` event: picked up) to the SMS "
            "at the Twilio fake. Each burst goes to its own random shipments; the paced one at "
            "half the rate the first drained at, as the latency benchmark runs at half the "
            "maximum throughput.",
            "",
            "| ms | count | p50 | p95 | p99 | max |",
            "| --- | --- | --- | --- | --- | --- |",
            _stats_row("idle, one at a time", r.idle),
            *burst_rows,
            "",
            f"Peak RSS {r.rss_peak_mb:.0f} MB (goal < {RSS_GOAL_MB:.0f} MB: {_verdict(rss_ok)}).",
            "",
            *(f"- {v}" for v in verdicts),
            "",
            f"Took {r.seconds:.0f} s. Summary: {scale_summary_line(r)}",
            "",
        ]
    )


def _plain(value: Any) -> Any:
    """JSON-ready: NaN (no sample) becomes null."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def report_json(report: BenchReport | ScaleReport) -> dict[str, Any]:
    """Every measured figure, plus the derived ones a reader would otherwise recompute."""
    data = asdict(report)
    if isinstance(report, BenchReport):
        for key, t in (("throughput", report.throughput), ("sandboxed", report.sandboxed)):
            if t is None:
                continue
            data[key] |= {
                "best_waypost": t.best_waypost,
                "best_bare": t.best_bare,
                "ratio": t.ratio,
            }
            for design, u in (("waypost_usage", t.waypost_usage), ("bare_usage", t.bare_usage)):
                if u is not None:
                    data[key][design] |= {
                        "actions_total": u.actions_total,
                        "actions_usd_per_1000": u.actions_usd_per_1000(
                            report.action_price_per_million
                        ),
                    }
        data["runners"] = {
            "equal_terms": report.throughput.runner,
            "second_pair": report.sandboxed.runner if report.sandboxed else None,
        }
        money = report.per_1000_usd()
        if money is not None:
            data["per_1000_delivered_usd"] = {"actions": money[0], "sms": money[1]}
        for key, cost in (("cost", report.cost), ("demo_cost", report.demo_cost)):
            if cost is not None:
                data[key] |= {
                    "sms_per_delivered": cost.sms_each,
                    "segments_per_delivered": cost.segments_each,
                    "emails_per_delivered": cost.emails_each,
                    "cost_usd_per_delivered": cost.cost_each,
                }
        if report.page is not None:
            data["page"]["queries_per_view"] = report.page.queries_per_view
        data["summary"] = summary_line(report)
    else:
        for burst, figures in zip(report.bursts, data["bursts"], strict=True):
            p50, p99 = report.factors(burst)
            figures |= {"drain_rate": burst.drain_rate, "factor_p50": p50, "factor_p99": p99}
        data["summary"] = scale_summary_line(report)
    plain: dict[str, Any] = _plain(data)
    return plain


def write_report(
    report: BenchReport | ScaleReport, folder: Path, stamp: str, prefix: str = ""
) -> tuple[Path, Path]:
    """`<prefix><stamp>.json|md` and `<prefix>latest.json|md` in `folder`; the JSON path and
    the Markdown path are returned."""
    folder.mkdir(parents=True, exist_ok=True)
    text_json = json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    text_md = scale_markdown(report) if isinstance(report, ScaleReport) else markdown(report)
    for name in (stamp, "latest"):
        (folder / f"{prefix}{name}.json").write_text(text_json, encoding="utf-8")
        (folder / f"{prefix}{name}.md").write_text(text_md, encoding="utf-8")
    return folder / f"{prefix}{stamp}.json", folder / f"{prefix}{stamp}.md"
