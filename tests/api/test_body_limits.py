"""Request bodies against the real app: each endpoint's limit holds while the body streams in
(chunked uploads from a generator, never held whole by the test either), and a request nobody
may send is refused before its body is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.client import Client

from api.app import create_app
from api.body_rules import DEFAULT_LIMIT, SHOP_API_LIMIT, TRACKING_FORM_LIMIT, TWILIO_LIMIT
from infra.limits import LINGER_BYTES, KiB, MiB
from infra.settings import Settings
from tests.api.conftest import PUBLIC_URL, shop_auth

CHUNK = 16 * KiB


class Upload:
    """A body of `total` bytes made chunk by chunk as it is sent (so chunked, no Content-Length),
    counting how much of it the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            chunk = b"x" * min(CHUNK, self.total - self.pulled)
            self.pulled += len(chunk)
            yield chunk


class Watched:
    """The app, noting how much of `upload` had been read when its answer started."""

    def __init__(self, app: ASGIApp, upload: Upload) -> None:
        self.app, self.upload = app, upload
        self.read_before_answer: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.read_before_answer = self.upload.pulled
            await send(message)

        await self.app(scope, receive, watched)


async def post_watched(
    app: ASGIApp, path: str, headers: dict[str, str]
) -> tuple[httpx.Response, int | None]:
    """A 200 MB upload to `path`: the answer, and how much of the body was read before it."""
    upload = Upload(200 * MiB)
    watched = Watched(app, upload)
    transport = httpx.ASGITransport(app=watched)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
        response = await http.post(path, content=upload, headers=headers)
    return response, watched.read_before_answer


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The app alone: every request here is refused before a workflow is involved."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http_client:
        yield http_client


def too_large(limit: int, what: str) -> dict[str, str]:
    return {"detail": f"request body larger than {limit} bytes (the limit for {what})"}


JSON = {"content-type": "application/json"}


def read_at_most(limit: int) -> int:
    """What the service reads of a body it refuses for size: up to the limit, then what it
    lingers on so the client can read the answer (a chunk more of each, as they come)."""
    return limit + CHUNK + LINGER_BYTES + CHUNK


async def test_a_shipment_streamed_past_64_kib_is_refused_with_413_while_it_streams(
    http: httpx.AsyncClient,
) -> None:
    upload = Upload(10 * MiB)

    response = await http.post("/v1/shipments", content=upload, headers=shop_auth() | JSON)

    assert response.status_code == 413
    assert response.json() == too_large(SHOP_API_LIMIT, "the shop API")
    assert upload.pulled <= read_at_most(SHOP_API_LIMIT)


async def test_a_shipment_declared_larger_than_64_kib_is_refused_before_it_is_read(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/v1/shipments", content=b"x" * (SHOP_API_LIMIT + 1), headers=shop_auth() | JSON
    )

    assert response.status_code == 413
    assert response.headers["connection"] == "close"


async def test_a_shipment_of_exactly_64_kib_is_read_and_validated(
    http: httpx.AsyncClient,
) -> None:
    body = b'{"padding": "' + b"x" * (SHOP_API_LIMIT - 15) + b'"}'
    assert len(body) == SHOP_API_LIMIT

    response = await http.post("/v1/shipments", content=body, headers=shop_auth() | JSON)

    assert response.status_code == 422  # read, and refused for what it says


async def test_the_shop_api_without_a_key_answers_401_before_reading_the_body(
    app: FastAPI,
) -> None:
    response, read = await post_watched(app, "/v1/shipments", JSON)

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("missing API key")
    assert read == 0


async def test_the_shop_api_with_an_unknown_key_answers_401_before_reading_the_body(
    app: FastAPI,
) -> None:
    response, read = await post_watched(
        app, "/v1/shipments", {"Authorization": "Bearer nope"} | JSON
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "unknown API key"}
    assert read == 0


async def test_a_refused_client_has_at_most_a_little_more_read_and_dropped(
    http: httpx.AsyncClient,
) -> None:
    upload = Upload(200 * MiB)

    await http.post("/v1/shipments", content=upload, headers=JSON)

    assert upload.pulled <= LINGER_BYTES + CHUNK  # so it can read its answer, then closed


async def test_an_unsigned_carrier_webhook_answers_403_before_reading_the_body(
    app: FastAPI,
) -> None:
    response, read = await post_watched(app, "/v1/carriers/easypost/events", JSON)

    assert response.status_code == 403
    assert response.json() == {"detail": "signature refused: missing X-Hmac-Signature header"}
    assert read == 0


async def test_a_carrier_webhook_past_5_mib_is_refused_with_413_while_it_streams(
    http: httpx.AsyncClient,
) -> None:
    upload = Upload(20 * MiB)
    signed = {"X-Waypost-Signature": "v1=00", "X-Waypost-Timestamp": "0"}

    response = await http.post("/v1/carriers/generic/events", content=upload, headers=signed | JSON)

    assert response.status_code == 413
    assert response.json() == too_large(5 * MiB, "carrier webhooks")
    assert upload.pulled <= read_at_most(5 * MiB)


async def test_a_carrier_without_a_secret_answers_403_before_reading_the_body(
    client: Client, api_settings: Settings
) -> None:
    settings = api_settings.model_copy(update={"carrier_secrets": {}})
    application = create_app(settings, client=client)
    async with application.router.lifespan_context(application):
        response, read = await post_watched(
            application,
            "/v1/carriers/easypost/events",
            {"X-Hmac-Signature": "hmac-sha256-hex=00"} | JSON,
        )

    assert response.status_code == 403
    assert "WAYPOST_CARRIER_SECRETS" in response.json()["detail"]
    assert read == 0


async def test_a_twilio_callback_without_its_signature_answers_403_before_reading(
    app: FastAPI,
) -> None:
    form = {"content-type": "application/x-www-form-urlencoded"}

    response, read = await post_watched(app, "/v1/twilio/status", form)

    assert response.status_code == 403
    assert read == 0


async def test_a_twilio_callback_past_64_kib_is_refused_with_413(
    http: httpx.AsyncClient,
) -> None:
    upload = Upload(10 * MiB)
    headers = {"content-type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "x"}

    response = await http.post("/v1/twilio/inbound", content=upload, headers=headers)

    assert response.status_code == 413
    assert response.json() == too_large(TWILIO_LIMIT, "Twilio callbacks")


async def test_sendgrid_events_without_their_signature_answer_403_before_reading(
    app: FastAPI,
) -> None:
    response, read = await post_watched(app, "/v1/sendgrid/events", JSON)

    assert response.status_code == 403
    assert response.json() == {"detail": "missing X-Twilio-Email-Event-Webhook-Signature header"}
    assert read == 0


async def test_sendgrid_events_past_1_mib_are_refused_with_413(http: httpx.AsyncClient) -> None:
    upload = Upload(10 * MiB)
    signed = {
        "X-Twilio-Email-Event-Webhook-Signature": "x",
        "X-Twilio-Email-Event-Webhook-Timestamp": "0",
    }

    response = await http.post("/v1/sendgrid/events", content=upload, headers=signed | JSON)

    assert response.status_code == 413
    assert response.json() == too_large(1 * MiB, "SendGrid events")
    assert upload.pulled <= read_at_most(1 * MiB)


async def test_a_tracking_page_form_past_8_kib_is_refused_with_413(
    http: httpx.AsyncClient,
) -> None:
    upload = Upload(1 * MiB)
    form = {"content-type": "application/x-www-form-urlencoded"}

    response = await http.post("/t/any-token/slot", content=upload, headers=form)

    assert response.status_code == 413
    assert response.json() == too_large(TRACKING_FORM_LIMIT, "the tracking page's forms")


async def test_any_other_endpoint_takes_a_small_body_at_most(http: httpx.AsyncClient) -> None:
    response = await http.post("/healthz", content=b"x" * (DEFAULT_LIMIT + 1))

    assert response.status_code == 413
    assert response.json() == too_large(DEFAULT_LIMIT, "this endpoint")


async def test_an_operator_raises_the_carrier_limit_with_a_setting(
    client: Client, api_settings: Settings
) -> None:
    settings = api_settings.model_copy(update={"carrier_max_body_bytes": 8 * MiB})
    application = create_app(settings, client=client)
    signed = {"X-Waypost-Signature": "v1=00", "X-Waypost-Timestamp": "0"}
    async with (
        application.router.lifespan_context(application),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=application), base_url=PUBLIC_URL
        ) as http,
    ):
        under = await http.post(
            "/v1/carriers/generic/events", content=Upload(6 * MiB), headers=signed | JSON
        )
        over = await http.post(
            "/v1/carriers/generic/events", content=Upload(9 * MiB), headers=signed | JSON
        )

    assert under.status_code == 403  # read whole, then its signature refused
    assert over.status_code == 413


async def test_over_a_real_socket_a_client_a_little_over_the_limit_reads_its_413(
    site: Settings,
) -> None:
    upload = Upload(5 * MiB + 512 * KiB)
    signed = {"X-Waypost-Signature": "v1=00", "X-Waypost-Timestamp": "0"}

    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{site.api_port}") as http:
        response = await http.post(
            "/v1/carriers/generic/events", content=upload, headers=signed | JSON
        )

    assert response.status_code == 413
    assert response.json() == too_large(5 * MiB, "carrier webhooks")


async def test_over_a_real_socket_an_unsigned_upload_reads_its_403(site: Settings) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{site.api_port}") as http:
        response = await http.post(
            "/v1/carriers/easypost/events", content=Upload(1 * MiB), headers=JSON
        )

    assert response.status_code == 403
    assert response.headers["connection"] == "close"
