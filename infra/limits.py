"""Request body limits enforced while the body streams in: a pure ASGI middleware, shared by the
HTTP service and the codec server (so it imports nothing of FastAPI).

Why a middleware and not a check in each route: by the time a route can look at `len(body)` the
framework has read the whole body into memory, and a few concurrent uploads of hundreds of MB
are enough to exhaust it. Here nothing is buffered: a declared Content-Length over the limit is
refused before a byte is read, and any other body (chunked, or whatever the client sends) is
counted chunk by chunk as the app pulls it, and refused with 413 the moment it passes the limit.

Each rule may also say who may send a body at all (`admit`), decided from the headers alone, for
routes whose framework reads a declared body before any of the route's own checks run.

An answer given before the request's body was fully received closes the connection, so the
server never reads a large body nobody will look at. Just before closing it reads and drops a
little more (`linger_bytes`, within `linger_seconds`), as nginx's lingering close does: most
clients read the answer only once they have sent their whole body, and closing on unread data
resets the connection, losing the answer. So a client a little over a limit gets a clear 413;
one sending hundreds of MB gets its connection reset, and costs no memory either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field

import structlog
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("waypost.limits")

KiB = 1024
MiB = 1024 * KiB
LINGER_BYTES = 2 * MiB
LINGER_SECONDS = 2.0


@dataclass(frozen=True)
class Refusal:
    """An answer given instead of calling the app: `{"detail": ...}` as JSON."""

    status: int
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)


Admit = Callable[[Headers], Refusal | Awaitable[Refusal | None] | None]
"""Who may send a body here, from the request's headers: None admits it. It may be a coroutine
(the shop API looks keys up in the ledger)."""


@dataclass(frozen=True)
class BodyRule:
    """The body limit (bytes) of every path under `prefix`."""

    name: str
    """What the limit is for, in the 413 answer and the logs. Never the path itself: a tracking
    page's path is the customer's token."""
    prefix: str
    """`/v1/shipments` covers `/v1/shipments` and `/v1/shipments/...`; `/` covers everything; a
    `*` segment stands for any one segment (`/v1/shipments/*/calls`). The longest prefix wins."""
    limit: int
    admit: Admit | None = None
    """Checked before any byte of a request's body is read, for requests that carry one."""
    on_too_large: Callable[[Scope], None] | None = None
    """Told of each refusal for size (metrics)."""

    def covers(self, path: str) -> bool:
        base = self.prefix.rstrip("/")
        if "*" in base:  # "/v1/shipments/*/calls": a "*" stands for any one path segment
            wanted, given = base.split("/"), path.rstrip("/").split("/")
            return len(given) >= len(wanted) and all(
                w == g or (w == "*" and g != "") for w, g in zip(wanted, given, strict=False)
            )
        return path == self.prefix or path == base or path.startswith(f"{base}/")

    def too_large(self) -> Refusal:
        return Refusal(
            413, f"request body larger than {self.limit} bytes (the limit for {self.name})"
        )


class BodyLimits:
    """The ASGI middleware: the most specific rule covering a path applies, else `default`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        rules: Sequence[BodyRule],
        default: BodyRule,
        refusal_headers: Callable[[Headers], Mapping[str, str]] | None = None,
        linger_bytes: int = LINGER_BYTES,
        linger_seconds: float = LINGER_SECONDS,
    ) -> None:
        self.app = app
        self.rules = sorted(rules, key=lambda r: len(r.prefix), reverse=True)
        self.default = default
        self.refusal_headers = refusal_headers
        """Headers every refusal carries (the codec server's CORS headers, so a browser can read
        the answer)."""
        self.linger_bytes, self.linger_seconds = linger_bytes, linger_seconds

    def rule_for(self, path: str) -> BodyRule:
        return next((r for r in self.rules if r.covers(path)), self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rule = self.rule_for(scope["path"])
        headers = Headers(scope=scope)
        declared = declared_length(headers)
        if declared is not None and declared > rule.limit:
            log.warning(
                "request body refused", route=rule.name, limit=rule.limit, declared=declared
            )
            if rule.on_too_large is not None:
                rule.on_too_large(scope)
            # A client a little over the limit has it read and dropped, as if streamed; none is
            # read when it waits for our answer (Expect: 100-continue) or is far over.
            waits = headers.get("expect", "").lower() == "100-continue"
            linger = not waits and declared <= rule.limit + self.linger_bytes
            await self.refuse(
                rule.too_large(), headers, send, receive if linger else None, budget=declared
            )
            return
        if not (declared or "transfer-encoding" in headers):
            await self.app(scope, receive, send)  # no body: nothing to count
            return
        refused = rule.admit(headers) if rule.admit is not None else None
        if inspect.isawaitable(refused):
            refused = await refused
        if refused is not None:
            log.info("request refused before its body", route=rule.name, status=refused.status)
            await self.refuse(refused, headers, send, receive)
            return
        await _Metered(self, rule, scope, receive, send).run()

    async def refuse(
        self,
        refusal: Refusal,
        headers: Headers,
        send: Send,
        linger_on: Receive | None,
        budget: int | None = None,
    ) -> None:
        """Answer `refusal` and close the connection, lingering on `linger_on` first."""
        extra = dict(self.refusal_headers(headers)) if self.refusal_headers else {}
        body = json.dumps({"detail": refusal.detail}).encode()
        raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in {**refusal.headers, **extra}.items()
        ]
        await send(
            {
                "type": "http.response.start",
                "status": refusal.status,
                "headers": closing(
                    [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                        *raw,
                    ]
                ),
            }
        )
        await self.finish(send, body, linger_on, budget)

    async def finish(
        self, send: Send, body: bytes, linger_on: Receive | None, budget: int | None = None
    ) -> None:
        """The answer's last body message, after lingering: the answer is complete for the
        client (its Content-Length is met) while the server still reads what it sends."""
        if linger_on is None:
            await send({"type": "http.response.body", "body": body})
            return
        await send({"type": "http.response.body", "body": body, "more_body": True})
        await self.linger(linger_on, self.linger_bytes if budget is None else budget)
        await send({"type": "http.response.body", "body": b""})

    async def linger(self, receive: Receive, budget: int) -> None:
        """Read and drop what the client still sends, up to `budget` bytes or `linger_seconds`."""
        drained = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.linger_seconds):
                while drained < budget:
                    message = await receive()
                    if message["type"] != "http.request":
                        return
                    drained += len(message.get("body", b""))
                    if not message.get("more_body", False):
                        return


class _Metered:
    """One request whose body is counted as the app receives it."""

    def __init__(
        self, limits: BodyLimits, rule: BodyRule, scope: Scope, receive: Receive, send: Send
    ) -> None:
        self.limits, self.rule, self.scope = limits, rule, scope
        self._receive, self._send = receive, send
        self.received = 0
        self.complete = False
        """The whole body has been received."""
        self.early = False
        """The app answered before the whole body was received."""
        self.refused = False
        """We answered 413: the app's own answer (to the disconnect it was told of) goes nowhere."""
        self.started = False

    async def run(self) -> None:
        try:
            await self.limits.app(self.scope, self.receive, self.send)
        except Exception:
            if not self.refused:
                raise
            # The app failed on the body we cut short (a ClientDisconnect): already answered.
            log.debug("app stopped after its body was refused", route=self.rule.name)

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if self.received > self.rule.limit:
            log.warning(
                "request body refused while streaming", route=self.rule.name, limit=self.rule.limit
            )
            if self.rule.on_too_large is not None:
                self.rule.on_too_large(self.scope)
            if not self.started:
                self.refused = True
                await self.limits.refuse(
                    self.rule.too_large(), Headers(scope=self.scope), self._send, self._receive
                )
            return {"type": "http.disconnect"}
        if not message.get("more_body", False):
            self.complete = True
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.started = True
            if not self.complete:
                self.early = True
                message = {**message, "headers": closing(message.get("headers", []))}
        elif self.early and not message.get("more_body", False):  # the answer's last part
            await self.limits.finish(self._send, message.get("body", b""), self._receive)
            return
        await self._send(message)


def declared_length(headers: Headers) -> int | None:
    """The Content-Length the client declared; None when absent or unreadable (the server's
    HTTP parser refuses a malformed one; the body is then counted anyway)."""
    value = headers.get("content-length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def closing(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` with `Connection: close`: the server closes the connection after the answer
    rather than read the rest of a body nobody will look at."""
    kept = [(k, v) for k, v in headers if k.lower() != b"connection"]
    return [*kept, (b"connection", b"close")]
