"""The benchmark's report code: percentiles, the summary line, the JSON and Markdown files, the
cost per delivered shipment, reading a worker's memory. No stack is started here."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.common.v1 import Payload, Payloads, SearchAttributes
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskStartedEventAttributes,
    HistoryEvent,
    MarkerRecordedEventAttributes,
    UpsertWorkflowSearchAttributesEventAttributes,
    WorkflowExecutionSignaledEventAttributes,
)

from benchmarks.actions import count_actions, payload_bytes
from benchmarks.cost import ShipmentMessages, summarize
from benchmarks.report import (
    BenchReport,
    Burst,
    Cost,
    FlowCost,
    Latency,
    LatencyStats,
    PageViews,
    ScaleReport,
    Throughput,
    Usage,
    markdown,
    percentile,
    report_json,
    scale_markdown,
    summary_line,
    write_report,
)
from benchmarks.stack import read_cpu_seconds, read_memory, settings_env
from benchmarks.throughput import warm_up
from infra.settings import Settings


def test_percentile_is_nearest_rank_and_always_a_measured_value() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([3.0, 1.0, 2.0], 50) == 2
    assert percentile([7.0], 99) == 7
    assert math.isnan(percentile([], 50))


def test_latency_stats_are_in_milliseconds() -> None:
    stats = LatencyStats.of([0.010, 0.020, 0.030, 0.040])
    assert stats.count == 4
    assert stats.p50_ms == 20
    assert stats.p99_ms == 40
    assert stats.max_ms == 40
    assert math.isclose(stats.mean_ms, 25)
    assert math.isnan(LatencyStats.of([]).p50_ms)


def usage(worker_ms: float, actions: dict[str, float]) -> Usage:
    return Usage(
        lifecycles=400,
        worker_cpu_ms=worker_ms,
        server_cpu_ms=60.0,
        postgres_cpu_ms=None,
        postgres_note="not attributable",
        histories=20,
        history_events=29.0,
        history_bytes=17000.0,
        payload_bytes=12000.0,
        actions=actions,
    )


BARE_ACTIONS = {"workflow started": 1.0, "signal": 4.0, "activity started": 4.0}


def throughput(runner: str = "unsandboxed") -> Throughput:
    return Throughput(
        n=200,
        concurrency=50,
        rounds=2,
        waypost=(12.0, 14.1),
        bare=(27.0, 25.0),
        runner=runner,
        waypost_usage=usage(51.04, BARE_ACTIONS | {"activity started": 3.0, "timer started": 2.0}),
        bare_usage=usage(27.5, BARE_ACTIONS),
    )


def latency() -> Latency:
    return Latency(
        rate=7.05,
        rate_basis="half the measured 14.1 lifecycles/s",
        events=211,
        to_sms=LatencyStats(211, 41.2, 80.4, 120.3, 150.0, 45.0),
        http_answer=LatencyStats(211, 30.0, 60.0, 90.0, 100.0, 33.0),
        missing=0,
        max_send_lag_ms=3.0,
    )


def cost() -> Cost:
    return Cost(
        flows="throughput run",
        shipments=10,
        delivered=10,
        sms=30,
        segments=30,
        emails=10,
        cost_usd=0.237,
    )


def page() -> PageViews:
    return PageViews(
        rate=20.0,
        views=200,
        shown=200,
        latency=LatencyStats(200, 12.0, 30.0, 48.6, 60.0, 15.0),
        queries=200,
        worker_cpu_ms=1.5,
        server_cpu_ms=2.0,
    )


def test_the_summary_line_holds_every_figure_beside_its_reference() -> None:
    report = BenchReport(
        "2026-11-24T10:00:00+00:00", 200.0, {}, throughput(), latency(), cost(), page=page()
    )
    # 10 actions at $50 a million: $0.50 per 1,000; 1,000 x $0.0237 of SMS: $23.70.
    assert summary_line(report) == (
        "ratio 0.52 (equal terms) · worker cpu 51.0 ms vs 27.5 ms · actions 10.0 vs 9.0 · "
        "p99 120 ms · page p99 49 ms · $24.20 per 1,000 (actions $0.50 + SMS $23.70)"
    )
    bare = Throughput(n=1, concurrency=1, rounds=1, waypost=(14.1,), bare=(27.0,))
    assert summary_line(BenchReport("t", 1.0, {}, bare)) == "ratio 0.52 (equal terms)"
    priced = BenchReport("t", 1.0, {}, throughput(), cost=cost(), action_price_per_million=25)
    assert summary_line(priced).endswith("$23.95 per 1,000 (actions $0.25 + SMS $23.70)")


def test_the_json_report_carries_derived_figures_and_no_nan() -> None:
    empty = Latency(1.0, "--latency-rate", 0, LatencyStats.of([]), LatencyStats.of([]), 0, 0.0)
    report = BenchReport("t", 1.0, {"cpus": "2"}, throughput(), empty, cost())
    data = report_json(report)
    json.dumps(data, allow_nan=False)  # NaN would make it invalid JSON
    assert data["throughput"]["ratio"] == 14.1 / 27.0
    assert data["throughput"]["best_bare"] == 27.0
    assert data["latency"]["to_sms"]["p99_ms"] is None
    assert data["cost"]["sms_per_delivered"] == 3.0
    assert data["summary"] == summary_line(report)
    assert data["runners"] == {"equal_terms": "unsandboxed", "second_pair": None}
    ours = data["throughput"]["waypost_usage"]
    assert ours["worker_cpu_ms"] == 51.04 and ours["postgres_cpu_ms"] is None
    assert ours["actions"]["timer started"] == 2.0
    assert ours["actions_total"] == 10.0
    assert math.isclose(ours["actions_usd_per_1000"], 0.5)
    assert data["throughput"]["bare_usage"]["actions_total"] == 9.0
    assert math.isclose(data["per_1000_delivered_usd"]["sms"], 23.7)


def test_the_json_report_names_both_runners_and_rates_the_sandboxed_pair() -> None:
    report = BenchReport("t", 1.0, {}, throughput(), sandboxed=throughput("sandboxed"))
    data = report_json(report)
    assert data["runners"] == {"equal_terms": "unsandboxed", "second_pair": "sandboxed"}
    assert data["sandboxed"]["ratio"] == 14.1 / 27.0
    assert data["sandboxed"]["runner"] == "sandboxed"
    text = markdown(report)
    assert "### Both sandboxed" in text
    assert "| actions: timer started | 2.0 | 0.0 |" in text
    assert "| **billable actions** | 10.0 | 9.0 |" in text
    assert "| PostgreSQL CPU, ms | n/a | n/a |" in text


def test_markdown_judges_worker_cpu_and_billable_actions_against_the_bare_design() -> None:
    report = BenchReport("t", 1.0, {"cpus": "2"}, throughput(), None, cost(), (), None)

    text = markdown(report)

    assert (
        "Worker CPU 1.86 times the bare design's (goal <= 1.25: not met); billable actions "
        "10.0 against 9.0 (goal: no more: not met)." in text
    )


def test_markdown_names_the_goals_and_the_flows() -> None:
    demo = (FlowCost("next-day courier", "delivered", True, 2, 2, 1, 0.0158),)
    report = BenchReport("t", 1.0, {"cpus": "2"}, throughput(), latency(), cost(), demo, cost())
    text = markdown(report)
    assert "**Ratio 0.52** (goal >= 0.9: not met)" in text
    assert "(goal < 250 ms: met)" in text
    assert "| next-day courier | delivered | 2 | 2 | 1 | 0.0158 |" in text
    assert text.rstrip().endswith(summary_line(report))


def scale_report() -> ScaleReport:
    return ScaleReport(
        started_at="t",
        seconds=100.0,
        environment={},
        shipments=2000,
        concurrency=50,
        start_seconds=40.0,
        settle_seconds=180.0,
        rss_idle_mb=250.0,
        rss_after_burst_mb=255.0,
        rss_peak_mb=260.0,
        idle=LatencyStats(20, 40.0, 60.0, 80.0, 80.0, 45.0),
        bursts=(
            Burst(None, 2.0, LatencyStats(20, 400.0, 900.0, 990.0, 990.0, 500.0), 0),
            Burst(5.0, 4.0, LatencyStats(20, 60.0, 100.0, 120.0, 120.0, 70.0), 0),
        ),
        temporal_disk_mb=50.0,
        ledger_disk_mb=30.0,
    )


def test_scale_report_compares_each_burst_with_the_idle_figure() -> None:
    report = scale_report()
    at_once, paced = report.bursts
    assert report.factors(at_once) == (10.0, 12.375)
    assert report.factors(paced) == (1.5, 1.5)
    assert at_once.drain_rate == 10.0
    text = scale_markdown(report)
    assert "(goal < 300 MB: met)" in text
    assert "- all at once: p50 10.0x, p99 12.4x the idle figure (goal <= 2x: not met" in text
    assert "- paced at 5.00/s: p50 1.5x, p99 1.5x the idle figure (goal <= 2x: met" in text
    data = report_json(report)
    assert data["bursts"][1]["factor_p99"] == 1.5
    assert data["bursts"][0]["rate"] is None


def test_write_report_keeps_a_timestamped_copy_and_latest(tmp_path: Path) -> None:
    report = BenchReport("t", 1.0, {}, throughput())
    json_path, md_path = write_report(report, tmp_path / "bench", "20261124T100000Z")
    assert json_path.name == "20261124T100000Z.json"
    assert md_path.read_text() == (tmp_path / "bench" / "latest.md").read_text()
    assert json.loads((tmp_path / "bench" / "latest.json").read_text())["throughput"]["n"] == 200
    write_report(scale_report(), tmp_path / "bench", "20261124T110000Z", prefix="scale-")
    assert (tmp_path / "bench" / "scale-latest.md").exists()


def test_cost_counts_the_delivered_shipments_only() -> None:
    shipments = [
        ShipmentMessages("a", "delivered", sms=2, segments=3, emails=1, cost=Decimal("0.0237")),
        ShipmentMessages("b", "delivered", sms=2, segments=2, emails=1, cost=Decimal("0.0158")),
        ShipmentMessages("c", "returned", sms=5, segments=5, emails=3, cost=Decimal("0.0395")),
    ]
    summary = summarize("flows", shipments)
    assert (summary.shipments, summary.delivered) == (3, 2)
    assert (summary.sms_each, summary.segments_each, summary.emails_each) == (2.0, 2.5, 1.0)
    assert math.isclose(summary.cost_each, 0.01975)
    assert math.isnan(summarize("none", []).cost_each)


def event(kind: EventType.ValueType, **attributes: object) -> HistoryEvent:
    return HistoryEvent(event_type=kind, **attributes)  # type: ignore[arg-type]


def test_billable_actions_are_counted_from_a_history_by_temporal_clouds_rules() -> None:
    E = EventType
    change_version = SearchAttributes(indexed_fields={"TemporalChangeVersion": Payload()})
    timers = SearchAttributes(indexed_fields={"WaypostPendingTimers": Payload()})
    history = [
        event(E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
        event(E.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED),  # workflow tasks are free
        event(E.EVENT_TYPE_WORKFLOW_TASK_STARTED),
        event(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED),
        # two markers in workflow task 4 (a patch and a side effect): one action together
        event(
            E.EVENT_TYPE_MARKER_RECORDED,
            marker_recorded_event_attributes=MarkerRecordedEventAttributes(
                workflow_task_completed_event_id=4
            ),
        ),
        event(
            E.EVENT_TYPE_MARKER_RECORDED,
            marker_recorded_event_attributes=MarkerRecordedEventAttributes(
                workflow_task_completed_event_id=4
            ),
        ),
        event(
            E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
            upsert_workflow_search_attributes_event_attributes=(
                UpsertWorkflowSearchAttributesEventAttributes(search_attributes=change_version)
            ),
        ),  # exempt
        event(
            E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
            upsert_workflow_search_attributes_event_attributes=(
                UpsertWorkflowSearchAttributesEventAttributes(search_attributes=timers)
            ),
        ),
        event(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        event(E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        event(E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
        event(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
        # started on its third attempt: the two before it were started too
        event(
            E.EVENT_TYPE_ACTIVITY_TASK_STARTED,
            activity_task_started_event_attributes=ActivityTaskStartedEventAttributes(attempt=3),
        ),
        event(E.EVENT_TYPE_ACTIVITY_TASK_COMPLETED),
        event(E.EVENT_TYPE_TIMER_STARTED),
        event(E.EVENT_TYPE_TIMER_FIRED),
        event(E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED),
        event(
            E.EVENT_TYPE_MARKER_RECORDED,
            marker_recorded_event_attributes=MarkerRecordedEventAttributes(
                workflow_task_completed_event_id=9
            ),
        ),
        event(E.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW),  # the next run's start counts
    ]
    assert count_actions(history) == {
        "workflow started": 1,
        "markers (per workflow task)": 2,
        "search attribute upsert": 1,
        "signal": 2,
        "update": 1,
        "activity started": 3,
        "timer started": 1,
        "child workflow": 2,
    }
    assert count_actions([]) == {}


def test_payload_bytes_are_every_payload_inside_an_event() -> None:
    data = Payload(metadata={"encoding": b"json/plain"}, data=b'{"to":"+4479"}')
    signaled = event(
        EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
        workflow_execution_signaled_event_attributes=WorkflowExecutionSignaledEventAttributes(
            signal_name="carrier_event", input=Payloads(payloads=[data, data])
        ),
    )
    assert payload_bytes(signaled) == 2 * data.ByteSize()
    assert payload_bytes(event(EventType.EVENT_TYPE_TIMER_FIRED)) == 0


def test_worker_cpu_is_read_from_proc_stat() -> None:
    # pid (comm, with a space and a parenthesis) state ppid ... utime=250 stime=50 (fields 14, 15)
    stat = "4242 (waypost (w) x) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0 20 0 12 0\n"
    assert read_cpu_seconds(stat, ticks=100) == 3.0


def test_worker_memory_is_read_from_proc_status() -> None:
    status = "Name:\tpython\nVmHWM:\t  307200 kB\nVmRSS:\t  204800 kB\nThreads:\t12\n"
    memory = read_memory(status)
    assert (memory.rss_mb, memory.peak_mb) == (200.0, 300.0)


def test_a_child_worker_gets_the_same_settings_through_its_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = Settings(
        home=tmp_path,
        database_url="postgresql://postgres@127.0.0.1/x",
        twilio_account_sid="AC123",
        twilio_auth_token=SecretStr("token"),
        twilio_api_base="http://127.0.0.1:1234",
        carrier_secrets={"generic": SecretStr("s")},
        max_concurrent_activities=7,
    )
    env = settings_env(settings)
    assert env["WAYPOST_TWILIO_AUTH_TOKEN"] == "token"
    assert json.loads(env["WAYPOST_CARRIER_SECRETS"]) == {"generic": "s"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings() == settings


def test_the_tracking_page_is_reported_with_its_server_cost_per_view() -> None:
    report = BenchReport("t", 1.0, {}, throughput(), latency(), cost(), page=page())
    data = report_json(report)
    assert data["page"]["queries_per_view"] == 1.0
    assert data["page"]["latency"]["p99_ms"] == 48.6
    text = markdown(report)
    assert "| page view | 200 | 12 | 30 | 49 | 60 |" in text
    assert "p99 49 ms (goal < 100 ms: met). Per view: 1.00 workflow queries" in text


def test_each_design_warms_up_with_twice_its_concurrency_before_it_is_measured() -> None:
    assert warm_up(60, concurrency=50) == 100
    assert warm_up(5000, concurrency=50) == 500
