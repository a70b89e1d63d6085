"""The benchmark's report code: percentiles, the summary line, the JSON and Markdown files, the
cost per delivered shipment, reading a worker's memory. No stack is started here."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from benchmarks.cost import ShipmentMessages, summarize
from benchmarks.report import (
    BenchReport,
    Burst,
    Cost,
    FlowCost,
    Latency,
    LatencyStats,
    ScaleReport,
    Throughput,
    markdown,
    percentile,
    report_json,
    scale_markdown,
    summary_line,
    write_report,
)
from benchmarks.stack import read_memory, settings_env
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


def throughput() -> Throughput:
    return Throughput(n=200, concurrency=50, rounds=2, waypost=(12.0, 14.1), bare=(27.0, 25.0))


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


def test_the_summary_line_holds_every_figure_beside_its_reference() -> None:
    report = BenchReport("2026-11-24T10:00:00+00:00", 200.0, {}, throughput(), latency(), cost())
    assert summary_line(report) == (
        "ratio 0.52 (waypost 14.1/s, bare 27.0/s) · latency p50 41 ms p95 80 ms p99 120 ms "
        "at 7.05/s · 3.0 SMS (3.0 segments), 1.0 email, $0.0237 per delivered shipment"
    )
    assert summary_line(BenchReport("t", 1.0, {}, throughput())) == (
        "ratio 0.52 (waypost 14.1/s, bare 27.0/s)"
    )


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


def test_markdown_names_the_goals_and_the_flows() -> None:
    demo = (FlowCost("next-day courier", "delivered", True, 2, 2, 1, 0.0158),)
    report = BenchReport("t", 1.0, {"cpus": "2"}, throughput(), latency(), cost(), demo, cost())
    text = markdown(report)
    assert "**Ratio 0.52** (goal >= 0.8: not met)" in text
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
