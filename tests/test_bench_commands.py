"""`make bench` and `make bench-scale` run end to end, small: each command brings up its stack
(dev server, throwaway PostgreSQL database, provider fakes), measures, writes its reports and
prints its summary last, and takes the stack down. The figures themselves are not judged here
(speed is a benchmark, not a timed test); that the commands work is."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def bench_postgres(postgres_admin_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The benchmarks make their own throwaway database on the session's server."""
    monkeypatch.setenv("WAYPOST_BENCH_POSTGRES_URL", postgres_admin_url)


def run_benchmark(module: str, args: list[str], out: Path) -> list[str]:
    """The benchmark's output lines, after checking that it exited 0."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--out", str(out)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.strip().splitlines()


def test_bench_measures_throughput_latency_and_cost(tmp_path: Path) -> None:
    lines = run_benchmark(
        "benchmarks",
        [
            *("-n", "10", "--rounds", "1", "--latency-count", "5", "--no-demo"),
            *("--histories", "3", "--page-views", "10"),
        ],
        tmp_path,
    )
    assert re.fullmatch(
        r"ratio [\d.]+ \(equal terms\) · worker cpu [\d.]+ ms vs [\d.]+ ms · "
        r"actions [\d.]+ vs 9\.0 · p99 \d+ ms · page p99 \d+ ms · \$[\d.]+ per 1,000 "
        r"\(actions \$[\d.]+ \+ SMS \$[\d.]+\)",
        lines[-1],
    ), lines[-1]
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["latency"]["missing"] == 0
    assert report["page"]["views"] == report["page"]["shown"] == 10
    # A running shipment's page is served from the ledger's snapshot: no workflow query.
    assert report["page"]["queries"] == 0
    assert report["runners"] == {"equal_terms": "unsandboxed", "second_pair": "sandboxed"}
    for pair in ("throughput", "sandboxed"):
        assert report[pair]["waypost"] and report[pair]["bare"]
        ours, bare = report[pair]["waypost_usage"], report[pair]["bare_usage"]
        assert ours["worker_cpu_ms"] > 0 and bare["worker_cpu_ms"] > 0
        assert ours["histories"] == bare["histories"] == 3
        # The bare lifecycle: started, four signals, four activities (no retries on a no-op).
        assert bare["actions"] == {"activity started": 4.0, "signal": 4.0, "workflow started": 1.0}
        assert ours["actions"]["signal"] == 4.0 and ours["actions"]["workflow started"] == 1.0


def test_bench_scale_reports_memory_idle_latency_and_both_bursts(tmp_path: Path) -> None:
    lines = run_benchmark(
        "benchmarks.scale", ["-N", "20", "--probes", "2", "--burst-fraction", "0.1"], tmp_path
    )
    assert lines[-1].startswith("20 waiting shipments: ")
    assert any(line.strip().startswith("slowest: ") for line in lines)
    report = json.loads((tmp_path / "scale-latest.json").read_text())
    assert [b["missing"] for b in report["bursts"]] == [0, 0]
    assert 0 < report["rss_peak_mb"] < 300
