"""`make bench` and `make bench-scale` run end to end, small: each command brings up its stack
(dev server, throwaway PostgreSQL database, provider fakes), measures, writes its reports and
prints its summary last, and takes the stack down. The figures themselves are not judged here
(speed is a benchmark, not a timed test); that the commands work is."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.db_fixtures import POSTGRES_ADMIN_URL

# The benchmarks make their own throwaway database on this server (skipped without it, but
# under CI=true, where a missing service fails).
pytestmark = pytest.mark.usefixtures("postgres_server")


def run_benchmark(module: str, args: list[str], out: Path) -> list[str]:
    """The benchmark's output lines, after checking that it exited 0."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args, "--out", str(out)],
        env={**os.environ, "WAYPOST_BENCH_POSTGRES_URL": POSTGRES_ADMIN_URL},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout.strip().splitlines()


def test_bench_measures_throughput_latency_and_cost(tmp_path: Path) -> None:
    lines = run_benchmark(
        "benchmarks", ["-n", "10", "--rounds", "1", "--latency-count", "5", "--no-demo"], tmp_path
    )
    assert lines[-1].startswith("ratio ")
    report = json.loads((tmp_path / "latest.json").read_text())
    assert report["latency"]["missing"] == 0
    assert report["throughput"]["waypost"] and report["throughput"]["bare"]


def test_bench_scale_reports_memory_idle_latency_and_both_bursts(tmp_path: Path) -> None:
    lines = run_benchmark(
        "benchmarks.scale", ["-N", "20", "--probes", "2", "--burst-fraction", "0.1"], tmp_path
    )
    assert lines[-1].startswith("20 waiting shipments: ")
    assert any(line.strip().startswith("slowest: ") for line in lines)
    report = json.loads((tmp_path / "scale-latest.json").read_text())
    assert [b["missing"] for b in report["bursts"]] == [0, 0]
    assert 0 < report["rss_peak_mb"] < 300
