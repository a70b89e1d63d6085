"""The body-limit middleware on a tiny ASGI app, driven message by message, so what it reads from
the client and what it hands the app are counted exactly. Lingering (reading a little past a
refusal so the client sees the answer) is off unless a test is about it."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.datastructures import Headers
from starlette.types import Message, Receive, Scope, Send

from infra.limits import BodyLimits, BodyRule, Refusal

LIMIT = 100
RULE = BodyRule("the test route", "/upload", LIMIT)
DEFAULT = BodyRule("anything else", "/", 10)


@dataclass
class Client:
    """The server side of one request: its body in chunks, pulled one at a time, and what was
    answered."""

    chunks: list[bytes]
    pulled: int = 0
    sent: list[Message] = field(default_factory=list)

    async def receive(self) -> Message:
        if self.pulled >= len(self.chunks):
            return {"type": "http.disconnect"}
        chunk = self.chunks[self.pulled]
        self.pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": self.pulled < len(self.chunks)}

    async def send(self, message: Message) -> None:
        self.sent.append(message)

    @property
    def status(self) -> int:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, f"one answer expected, got {len(starts)}"
        status: int = starts[0]["status"]
        return status

    @property
    def headers(self) -> Headers:
        start = next(m for m in self.sent if m["type"] == "http.response.start")
        return Headers(raw=start["headers"])

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


@dataclass
class App:
    """Reads the whole body as Starlette does (a disconnect raises) and answers its length."""

    seen: list[int] = field(default_factory=list)
    """The size of each chunk it received."""
    called: bool = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("client disconnected")
            self.seen.append(len(message["body"]))
            if not message["more_body"]:
                break
        await answer(send, 200, str(sum(self.seen)).encode())


async def answer(send: Send, status: int, body: bytes = b"") -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": body})


def scope(path: str = "/upload", method: str = "POST", **headers: str) -> Scope:
    raw = [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "http", "method": method, "path": path, "headers": raw}


def chunked(size: int, count: int) -> tuple[Scope, Client]:
    return scope(transfer_encoding="chunked"), Client([b"x" * size] * count)


async def run(
    app: Callable[[Scope, Receive, Send], Awaitable[None]],
    request: Scope,
    client: Client,
    *rules: BodyRule,
    linger_bytes: int = 0,
) -> None:
    middleware = BodyLimits(app, rules=rules or [RULE], default=DEFAULT, linger_bytes=linger_bytes)
    await middleware(request, client.receive, client.send)


async def test_a_declared_length_over_the_limit_is_refused_before_anything_is_read() -> None:
    app, client = App(), Client([b"x" * (LIMIT + 1)])

    await run(app, scope(content_length=str(LIMIT + 1)), client)

    assert client.status == 413
    assert client.pulled == 0
    assert not app.called


async def test_the_413_says_the_limit_and_for_what_as_json() -> None:
    client = Client([])

    await run(App(), scope(content_length=str(LIMIT + 1)), client)

    assert client.headers["content-type"] == "application/json"
    assert json.loads(client.body) == {
        "detail": "request body larger than 100 bytes (the limit for the test route)"
    }


async def test_a_chunked_body_is_refused_the_moment_it_passes_the_limit() -> None:
    app = App()
    request, client = chunked(40, count=10)

    await run(app, request, client)

    assert client.status == 413
    assert client.pulled == 3  # 120 bytes: the third chunk passed the limit, nothing after it
    assert app.seen == [40, 40]  # the app never saw the chunk that passed it


async def test_a_client_a_little_over_the_limit_has_the_rest_read_and_dropped_not_reset() -> None:
    app = App()
    request, client = chunked(40, count=10)

    await run(app, request, client, linger_bytes=1000)

    assert client.status == 413
    assert client.pulled == 10  # the whole body, so closing sends no reset
    assert app.seen == [40, 40]
    assert client.sent[-1] == {"type": "http.response.body", "body": b""}  # after lingering


async def test_lingering_reads_no_more_than_its_budget() -> None:
    request, client = chunked(40, count=100)

    await run(App(), request, client, linger_bytes=100)

    assert client.pulled == 3 + 3  # 120 bytes to pass the limit, then 120 to pass the budget


async def test_an_early_answer_lingers_too() -> None:
    async def forbidden(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 403, b"no")

    request, client = chunked(40, count=5)

    await run(forbidden, request, client, linger_bytes=1000)

    assert (client.status, client.body, client.pulled) == (403, b"no", 5)


async def test_a_body_lying_about_its_length_is_counted_as_it_comes() -> None:
    app, client = App(), Client([b"x" * 60] * 3)

    await run(app, scope(content_length="10"), client)

    assert client.status == 413
    assert app.seen == [60]


async def test_a_body_exactly_at_the_limit_is_accepted() -> None:
    app = App()
    request, client = chunked(25, count=4)

    await run(app, request, client)

    assert (client.status, client.body) == (200, b"100")


async def test_a_declared_body_exactly_at_the_limit_is_accepted() -> None:
    client = Client([b"x" * LIMIT])

    await run(App(), scope(content_length=str(LIMIT)), client)

    assert (client.status, client.body) == (200, b"100")


async def test_the_body_reaches_the_app_chunk_by_chunk_never_gathered() -> None:
    app = App()
    request, client = chunked(10, count=5)

    await run(app, request, client)

    assert app.seen == [10, 10, 10, 10, 10]


async def test_what_the_app_answers_after_the_refusal_goes_nowhere() -> None:
    async def polite(scope: Scope, receive: Receive, send: Send) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        await answer(send, 400, b"There was an error parsing the body")

    request, client = chunked(60, count=3)

    await run(polite, request, client)

    assert client.status == 413


async def test_an_app_failing_on_the_body_cut_short_is_answered_413_not_an_error() -> None:
    request, client = chunked(60, count=3)

    await run(App(), request, client)  # App raises ConnectionError on the disconnect

    assert client.status == 413


async def test_an_answer_given_before_the_body_was_read_closes_the_connection() -> None:
    async def forbidden(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 403)

    request, client = chunked(40, count=2)

    await run(forbidden, request, client)

    assert client.status == 403
    assert client.headers["connection"] == "close"
    assert client.pulled == 0


async def test_an_answer_after_the_whole_body_keeps_the_connection() -> None:
    request, client = chunked(40, count=2)

    await run(App(), request, client)

    assert "connection" not in client.headers


async def test_every_refusal_closes_the_connection() -> None:
    client = Client([])

    await run(App(), scope(content_length=str(LIMIT + 1)), client)

    assert client.headers["connection"] == "close"


async def test_admit_refuses_before_a_byte_of_the_body_is_read() -> None:
    def keyless(headers: Headers) -> Refusal | None:
        if "authorization" in headers:
            return None
        return Refusal(401, "missing API key", {"WWW-Authenticate": "Bearer"})

    app = App()
    request, client = chunked(40, count=2)

    await run(app, request, client, BodyRule("the test route", "/upload", LIMIT, admit=keyless))

    assert client.status == 401
    assert client.headers["www-authenticate"] == "Bearer"
    assert json.loads(client.body) == {"detail": "missing API key"}
    assert client.pulled == 0
    assert not app.called


async def test_admit_is_not_asked_about_requests_without_a_body() -> None:
    def refuse_all(headers: Headers) -> Refusal | None:
        return Refusal(401, "no")

    async def ok(scope: Scope, receive: Receive, send: Send) -> None:
        await answer(send, 200)

    client = Client([])

    await run(ok, scope(method="GET"), client, BodyRule("x", "/upload", LIMIT, admit=refuse_all))

    assert client.status == 200


async def test_the_most_specific_rule_covering_the_path_applies() -> None:
    limits = BodyLimits(
        App(),
        rules=[BodyRule("v1", "/v1", 10), BodyRule("big", "/v1/big", 1000)],
        default=DEFAULT,
    )

    assert limits.rule_for("/v1/big/x").name == "big"
    assert limits.rule_for("/v1/big").name == "big"
    assert limits.rule_for("/v1/other").name == "v1"
    assert limits.rule_for("/v1bigger").name == "anything else"
    assert limits.rule_for("/").name == "anything else"


async def test_a_star_segment_stands_for_any_one_segment_and_the_longer_rule_wins() -> None:
    limits = BodyLimits(
        App(),
        rules=[
            BodyRule("shipments", "/v1/shipments", 1000),
            BodyRule("calls", "/v1/shipments/*/calls", 8),
        ],
        default=DEFAULT,
    )

    assert limits.rule_for("/v1/shipments/s-1/calls").name == "calls"
    assert limits.rule_for("/v1/shipments/s-1/calls/").name == "calls"
    assert limits.rule_for("/v1/shipments/s-1/cancel").name == "shipments"
    assert limits.rule_for("/v1/shipments//calls").name == "shipments"  # "*" is never empty
    assert limits.rule_for("/v1/shipments").name == "shipments"


async def test_each_refusal_for_size_is_reported_once() -> None:
    reported: list[str] = []
    rule = BodyRule(
        "the test route", "/upload", LIMIT, on_too_large=lambda s: reported.append(s["path"])
    )
    request, client = chunked(60, count=3)

    await run(App(), request, client, rule)
    await run(App(), scope(content_length="1000"), Client([]), rule)

    assert reported == ["/upload", "/upload"]


async def test_refusals_carry_the_configured_headers() -> None:
    client = Client([])
    middleware = BodyLimits(
        App(),
        rules=[RULE],
        default=DEFAULT,
        refusal_headers=lambda headers: {"Vary": "Origin", "X-Seen-Origin": headers["origin"]},
    )

    await middleware(scope(content_length="1000", origin="http://ui"), client.receive, client.send)

    assert client.headers["vary"] == "Origin"
    assert client.headers["x-seen-origin"] == "http://ui"


async def test_websockets_and_lifespan_pass_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    middleware = BodyLimits(app, rules=[RULE], default=DEFAULT)
    await middleware({"type": "lifespan"}, Client([]).receive, Client([]).send)

    assert seen == ["lifespan"]


async def test_a_declared_body_a_little_over_the_limit_is_read_and_dropped_after_the_413() -> None:
    app, client = App(), Client([b"x" * 50] * 3)

    await run(app, scope(content_length="150"), client, linger_bytes=1000)

    assert (client.status, client.pulled, app.called) == (413, 3, False)


async def test_a_client_waiting_for_100_continue_has_nothing_read() -> None:
    client = Client([b"x" * 50] * 3)

    await run(App(), scope(content_length="150", expect="100-continue"), client, linger_bytes=1000)

    assert (client.status, client.pulled) == (413, 0)
