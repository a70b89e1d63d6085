"""The machinery shared by the fake provider servers: a real HTTP server on 127.0.0.1 in a daemon
thread, plus scripted failures and delays, so tests drive the official SDKs over real sockets."""

from __future__ import annotations

import json
import threading
import traceback
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Generic, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

__all__ = ["FakeHttpServer", "Incoming", "Reply"]

F = TypeVar("F")


@dataclass(frozen=True)
class Incoming:
    """One HTTP request as the fake received it; header names are lower-cased."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    client_port: int = 0
    """The client's end of the connection: requests on one kept-alive connection share it."""

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Reply:
    """What the fake answers."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: object, headers: Mapping[str, str] | None = None) -> Reply:
        return cls(
            status,
            json.dumps(payload).encode("utf-8"),
            {"Content-Type": "application/json", **(headers or {})},
        )


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    disable_nagle_algorithm = True
    """Headers and body leave at once, as a real API server sends them (with Nagle, the body waited
    for the client's delayed ACK of the headers: 40 ms a reply)."""
    protocol_version = "HTTP/1.1"
    """Keep-alive, as the real APIs answer: clients reuse their connections."""

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        incoming = Incoming(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            client_port=self.client_address[1],
        )
        try:
            reply = self.server.owner.handle(incoming)
        except Exception:
            traceback.print_exc()
            reply = Reply.json(500, {"message": "the fake server crashed, see stderr"})
        if reply is None:
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            # The client gave up (a timeout): exactly what some tests script.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log; tests read `.requests` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: FakeHttpServer[Any], port: int = 0) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up early are part of the script, not an error worth a traceback.
        pass


class FakeHttpServer(ABC, Generic[F]):
    """Serves `handle` on 127.0.0.1:<free port> until stopped. Thread-safe.

    Scripted failures (type F, defined by each fake) and delays apply to the next requests that
    send a message, in order; reads such as listings are never consumed by them.
    """

    def __init__(self, port: int = 0) -> None:
        self.port = port
        """0: a free port, chosen at each start; another: that one (a server that comes back)."""
        self._lock = threading.RLock()
        self._failures: deque[F] = deque()
        self._hangs: deque[float] = deque()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """Base URL, e.g. `http://127.0.0.1:53127` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self, self.port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; requests still waiting in `hang_next` are dropped unanswered."""
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def hang_next(self, seconds: float, times: int = 1) -> None:
        """Hold the next `times` send requests for `seconds` before handling them normally.

        Like a slow real provider, the fake still accepts the message after the client gave up:
        a timeout does not mean the message was not sent.
        """
        with self._lock:
            self._hangs.extend([seconds] * times)

    def _script(self, failure: F, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._failures.extend([failure] * times)

    def _take_hang(self) -> float:
        with self._lock:
            return self._hangs.popleft() if self._hangs else 0.0

    def _take_failure(self) -> F | None:
        with self._lock:
            return self._failures.popleft() if self._failures else None

    def _pause(self, seconds: float) -> bool:
        """Sleep up to `seconds`; False when the server is stopping meanwhile."""
        return seconds <= 0 or not self._stopping.wait(seconds)

    @abstractmethod
    def handle(self, request: Incoming) -> Reply | None:
        """Answer one request; None drops the connection without an answer."""


def retry_after_header(retry_after: float | None) -> dict[str, str]:
    """A Retry-After header in whole seconds when possible, as providers send it."""
    if retry_after is None:
        return {}
    value = str(int(retry_after)) if float(retry_after).is_integer() else str(retry_after)
    return {"Retry-After": value}
