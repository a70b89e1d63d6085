"""`waypost worker` as a child process, as it runs in production: configured only through the
environment, stopped by a signal. Shared by the crash test (SIGKILL) and the scale-out test
(SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.fakes.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN


def worker_env(
    *, home: Path, temporal_address: str, task_queue: str, database_url: str, twilio_url: str
) -> dict[str, str]:
    """A worker on the test server and ledger, sending SMS to the fake Twilio."""
    return os.environ | {
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


class WorkerProcess:
    """`waypost worker` in a child process, killed without warning or stopped gracefully."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from starters.cli import main; main()", "worker"],
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
