"""The Twilio and SendGrid fakes in a process of their own, as the real providers are: in the
benchmark's process their request handling would share the worker's GIL and cost Waypost
throughput that production spends at Twilio (measured: about a fifth of it).

The child (`python -m benchmarks.fakes`) prints the two base URLs as one JSON line, then one line
per accepted message: `sms <received_at> <to>` or `email <received_at>`, `received_at` being
time.monotonic(), which on Linux is one clock for every process. It runs until its stdin closes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from types import TracebackType
from typing import IO, Protocol

from testing.sendgrid_server import FakeSendGrid, SendGridRequest
from testing.twilio_server import FakeTwilio, TwilioRequest

ROOT = Path(__file__).resolve().parents[1]


class Sink(Protocol):
    def add_sms(self, to: str, received_at: float) -> None: ...

    def add_email(self, received_at: float) -> None: ...


class FakeProviders:
    """The child process, started and answering; accepted messages go to `sink` as they come."""

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None
        self.twilio_url = ""
        self.sendgrid_url = ""

    def __enter__(self) -> FakeProviders:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fakes"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        if not first:
            self._process.wait()
            raise RuntimeError(f"the fake providers exited with {self._process.returncode}")
        urls = json.loads(first)
        self.twilio_url, self.sendgrid_url = urls["twilio"], urls["sendgrid"]
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), name="fake-providers", daemon=True
        )
        self._reader.start()
        return self

    def _read(self, lines: IO[str]) -> None:
        for line in lines:
            kind, at, *rest = line.split()
            if kind == "sms":
                self._sink.add_sms(rest[0] if rest else "", float(at))
            elif kind == "email":
                self._sink.add_email(float(at))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is None:
            return
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        if self._reader is not None:
            self._reader.join(timeout=5)


def serve() -> None:
    """The child: both fakes, keeping nothing in memory, reporting each accepted message."""
    lock = threading.Lock()

    def emit(line: str) -> None:
        with lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    def on_sms(request: TwilioRequest) -> None:
        if request.sid is not None:
            emit(f"sms {request.received_at!r} {request.to}")

    def on_email(request: SendGridRequest) -> None:
        if request.message_id is not None:
            emit(f"email {request.received_at!r}")

    with FakeTwilio(record=False) as twilio, FakeSendGrid(record=False) as sendgrid:
        twilio.subscribe(on_sms)
        sendgrid.subscribe(on_email)
        emit(json.dumps({"twilio": twilio.url, "sendgrid": sendgrid.url}))
        sys.stdin.read()  # until the parent closes it, or dies
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    serve()
