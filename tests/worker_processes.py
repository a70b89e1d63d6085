"""`waypost worker` (or `waypost dev`) as a child process, as it runs in production: configured
only through the environment, stopped by a signal. Shared by the crash test (SIGKILL), the
scale-out test (SIGTERM) and the demo-logs test; registered as a pytest plugin for the
`process_env` fixture."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio


def worker_env(
    *,
    home: Path,
    temporal_address: str,
    task_queue: str,
    database_url: str,
    twilio_url: str,
    sendgrid_url: str | None = None,
) -> dict[str, str]:
    """A worker on the test server and ledger, sending SMS to the fake Twilio (and emails to the
    fake SendGrid when given; else to the console)."""
    email = (
        {
            "WAYPOST_SENDGRID_API_KEY": DEFAULT_API_KEY,
            "WAYPOST_SENDGRID_FROM_EMAIL": "parcels@shop.example",
            "WAYPOST_SENDGRID_HOST": sendgrid_url,
        }
        if sendgrid_url
        else {}
    )
    return (
        os.environ
        | email
        | {
            "WAYPOST_HOME": str(home),
            "WAYPOST_TEMPORAL_ADDRESS": temporal_address,
            "WAYPOST_TASK_QUEUE": task_queue,
            "WAYPOST_DATABASE_URL": database_url,
            "WAYPOST_SEND_LEASE_SECONDS": "15",
            "WAYPOST_PUBLIC_URL": "",
            "TWILIO_ACCOUNT_SID": DEFAULT_ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": DEFAULT_AUTH_TOKEN,
            "WAYPOST_TWILIO_FROM_NUMBER": "+15005550006",
            "WAYPOST_TWILIO_API_BASE": twilio_url,
        }
    )


@pytest.fixture
def process_env(
    temporal_env: WorkflowEnvironment,
    postgres_database_url: str,
    fake_twilio: FakeTwilio,
    fake_sendgrid: FakeSendGrid,
    task_queue: str,
    tmp_path: Path,
) -> dict[str, str]:
    """`worker_env` on the session's dev server, the test's PostgreSQL ledger and both fakes."""
    return worker_env(
        home=tmp_path,
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=task_queue,
        database_url=postgres_database_url,
        twilio_url=fake_twilio.url,
        sendgrid_url=fake_sendgrid.url,
    )


class WorkerProcess:
    """`waypost worker` (or another long-running command) in a child process, killed without
    warning or stopped gracefully; its stdout and stderr go to `log`."""

    def __init__(self, env: dict[str, str], log: Path, command: str = "worker", *args: str) -> None:
        self.env, self.log, self.command, self.args = env, log, command, args
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from starters.cli import main; main()",
                    self.command,
                    *self.args,
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, as `docker compose stop` sends it; the exit code once the worker is gone."""
        assert self.process is not None
        self.process.terminate()
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
