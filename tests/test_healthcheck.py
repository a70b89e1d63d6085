"""`waypost healthcheck`: what the containers' health checks run. A worker is healthy when
Temporal sees it polling; an HTTP service when its URL answers below 400."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker
from typer.testing import CliRunner

from infra.serving import free_port
from starters.cli import app
from starters.healthcheck import Poller, polling_here

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def poller(identity: str, seconds_ago: float) -> Poller:
    return Poller(identity=identity, last_access=NOW - timedelta(seconds=seconds_ago))


def test_a_recent_poll_from_this_host_is_healthy() -> None:
    pollers = [poller("7@other-host", 1), poller("12@worker-1a2b", 30)]

    assert polling_here(pollers, "worker-1a2b", NOW) == pollers[1]


def test_polls_from_other_hosts_do_not_count() -> None:
    assert polling_here([poller("7@other-host", 1)], "worker-1a2b", NOW) is None


def test_a_poll_older_than_two_minutes_does_not_count() -> None:
    assert polling_here([poller("12@worker-1a2b", 121)], "worker-1a2b", NOW) is None


async def probe(env: dict[str, str]) -> tuple[int, str]:
    """`waypost healthcheck worker` as the container runs it; its exit code and output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from starters.cli import main; main()",
        "healthcheck",
        "worker",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


@pytest.fixture
def probe_env(temporal_env: WorkflowEnvironment) -> Iterator[dict[str, str]]:
    """The worker's environment, metrics port included: that port is the worker's (held here),
    and the probe must not try to serve it too."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield os.environ | {
            "WAYPOST_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
            "WAYPOST_METRICS_BIND": f"127.0.0.1:{held.getsockname()[1]}",
        }


async def test_a_worker_polling_its_task_queue_is_healthy(
    worker: Worker, probe_env: dict[str, str]
) -> None:
    code, out = await probe(probe_env | {"WAYPOST_TASK_QUEUE": worker.task_queue})

    assert code == 0, out
    assert f"@{socket.gethostname()} polls {worker.task_queue!r}" in out


async def test_no_worker_on_the_task_queue_is_unhealthy(
    worker: Worker, probe_env: dict[str, str]
) -> None:
    code, out = await probe(probe_env | {"WAYPOST_TASK_QUEUE": "nobody-polls-this"})

    assert code == 1
    assert "unhealthy: no worker on" in out and "'nobody-polls-this'" in out


async def test_temporal_out_of_reach_is_unhealthy(probe_env: dict[str, str]) -> None:
    address = f"127.0.0.1:{free_port()}"

    code, out = await probe(probe_env | {"WAYPOST_TEMPORAL_ADDRESS": address})

    assert code == 1
    assert f"unhealthy: cannot ask Temporal at {address}" in out


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(int(self.path.strip("/")))
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def http_server() -> Iterator[str]:
    """Answers GET /<status> with that status."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_url_answering_200_is_healthy(http_server: str) -> None:
    result = CliRunner().invoke(app, ["healthcheck", "url", f"{http_server}/200"])

    assert result.exit_code == 0
    assert "healthy" in result.output


def test_a_url_answering_503_is_unhealthy(http_server: str) -> None:
    result = CliRunner().invoke(app, ["healthcheck", "url", f"{http_server}/503"])

    assert result.exit_code == 1
    assert f"unhealthy: {http_server}/503 answered 503" in result.output


def test_a_url_nobody_answers_is_unhealthy() -> None:
    url = f"http://127.0.0.1:{free_port()}/healthz"

    result = CliRunner().invoke(app, ["healthcheck", "url", url, "--timeout", "2"])

    assert result.exit_code == 1
    assert f"unhealthy: {url} does not answer" in result.output
