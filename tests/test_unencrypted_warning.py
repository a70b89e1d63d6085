"""Without payload keys, customers' names, phones and emails reach Temporal in plain: `waypost
worker` and `waypost api` say so loudly (stderr and a WARNING log line), naming the setting;
`waypost dev` and `waypost demo` on a local Temporal note it in one line."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from infra.serving import free_port
from infra.settings import Settings
from starters.cli import note_unencrypted

WAYPOST = str(Path(sys.executable).parent / "waypost")
KEYS = json.dumps({"k1": base64.b64encode(b"\x01" * 32).decode()})
WARNING = "WARNING: payload encryption is off"


@pytest.fixture
def env(temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path) -> dict[str, str]:
    environ = {
        **os.environ,
        "WAYPOST_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "WAYPOST_TASK_QUEUE": task_queue,
        "WAYPOST_HOME": str(tmp_path / "home"),
        "WAYPOST_API_PORT": str(free_port()),
        "WAYPOST_LOG_FORMAT": "json",
        "WAYPOST_LOG_LEVEL": "INFO",
    }
    for name in ("DATABASE_URL", "WAYPOST_DATABASE_URL", "WAYPOST_PAYLOAD_KEYS"):
        environ.pop(name, None)
    return environ


async def stderr_until(command: str, env: dict[str, str], ready: str) -> list[str]:
    """`waypost <command>`'s stderr lines up to the first holding `ready`; then SIGTERM."""
    proc = await asyncio.create_subprocess_exec(
        WAYPOST,
        command,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stderr is not None
    lines: list[str] = []
    try:
        while not lines or ready not in lines[-1]:
            line = await asyncio.wait_for(proc.stderr.readline(), 60)
            assert line, f"waypost {command} exited early: {lines}"
            lines.append(line.decode())
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.communicate(), 30)
    return lines


def warning_records(lines: list[str]) -> list[dict[str, object]]:
    records = [json.loads(line) for line in lines if line.startswith("{")]
    return [r for r in records if r.get("setting") == "WAYPOST_PAYLOAD_KEYS"]


async def test_waypost_worker_without_keys_warns_on_stderr_naming_the_setting(
    env: dict[str, str],
) -> None:
    lines = await stderr_until("worker", env, "worker started")

    [warning] = [line for line in lines if line.startswith(WARNING)]
    assert "names, phone numbers, emails" in warning and "WAYPOST_PAYLOAD_KEYS" in warning


async def test_waypost_worker_without_keys_logs_a_warning_line(env: dict[str, str]) -> None:
    lines = await stderr_until("worker", env, "worker started")

    [record] = warning_records(lines)
    assert record["level"] == "warning" and record["process"] == "worker"


async def test_waypost_worker_with_keys_does_not_warn(env: dict[str, str]) -> None:
    lines = await stderr_until("worker", env | {"WAYPOST_PAYLOAD_KEYS": KEYS}, "worker started")

    assert not any("payload encryption is off" in line for line in lines)


async def test_waypost_api_without_keys_warns_on_stderr_and_in_its_log(
    env: dict[str, str],
) -> None:
    lines = await stderr_until("api", env, '"setting": "WAYPOST_PAYLOAD_KEYS"')

    assert any(line.startswith(WARNING) for line in lines)
    [record] = warning_records(lines)
    assert record["level"] == "warning" and record["process"] == "api"


def test_dev_on_a_local_temporal_notes_it_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    note_unencrypted(Settings(temporal_address="127.0.0.1:7233"), None)

    out, err = capsys.readouterr()
    assert out.startswith("Note: payloads are not encrypted") and out.count("\n") == 1
    assert err == ""


def test_dev_on_a_remote_temporal_warns_in_full(capsys: pytest.CaptureFixture[str]) -> None:
    note_unencrypted(Settings(temporal_address="temporal.example.com:7233"), None)

    assert capsys.readouterr().err.startswith(WARNING)


def test_dev_with_keys_says_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    note_unencrypted(Settings(payload_keys=json.loads(KEYS)), None)

    assert capsys.readouterr() == ("", "")
