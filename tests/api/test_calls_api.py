"""Calls over HTTP: the shop's call centre with its key, a carrier's call centre on the shop's
signed carrier route; two shops never reach each other's shipments; a closed shipment's call goes
straight into the ledger; bad input is a 4xx naming the field, never echoing a value."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from temporalio.client import Client

from api.app import create_app
from carriers import ADAPTERS
from infra.settings import Settings
from ledger.engine import make_engine
from ledger.views import CallView, LedgerReader
from models.shipment import ShipmentStart
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.api.conftest import CARRIER_SECRETS, PUBLIC_URL, shop_auth
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import report_event, shipment_state, start_shipment

WHEN = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "call_id": "crm-1",
        "occurred_at": WHEN,
        "operator": "Ana Marin",
        "outcome": "no_answer",
        "note": "Rang twice, no voicemail box",
    } | overrides


def carrier_signed(payload: Any, carrier: str = "easypost", secret: str | None = None) -> Any:
    """Signed as Waypost's own carrier events are, with that carrier's secret."""
    raw = json.dumps(payload).encode()
    headers = ADAPTERS["generic"].sign(raw, secret or CARRIER_SECRETS[carrier], datetime.now(UTC))
    return {"content": raw, "headers": headers | {"content-type": "application/json"}}


async def started(client: Client, settings: Settings, **overrides: Any) -> ShipmentStart:
    """Started and in the ledger."""
    start = shipment(tracking_number=unique("TRK"), **overrides)
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, all_settled)
    return start


def ledger_calls(settings: Settings, ref: str) -> list[CallView]:
    engine = make_engine(settings.ledger_url)
    try:
        return LedgerReader(engine).calls_for(ref)
    finally:
        engine.dispose()


async def shop_call(
    http: httpx.AsyncClient, start: ShipmentStart, shop: str = "shop-1", **fields: Any
) -> httpx.Response:
    return await http.post(
        f"/v1/shipments/{start.shipment_id}/calls", json=body(**fields), headers=shop_auth(shop)
    )


async def carrier_call(
    http: httpx.AsyncClient, payload: Any, carrier: str = "easypost", secret: str | None = None
) -> httpx.Response:
    """A call posted on shop-1's route for that carrier, signed with its secret (or `secret`)."""
    return await http.post(
        f"/v1/carriers/{carrier}/shops/shop-1/calls", **carrier_signed(payload, carrier, secret)
    )


# The shop's call centre


async def test_a_shop_records_a_call_and_the_state_shows_it(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await shop_call(http, start)

    assert response.status_code == 201
    answer = response.json()
    assert (answer["shipment"], answer["call_id"], answer["outcome"]) == (
        start.workflow_id,
        "crm-1",
        "recorded",
    )
    state = await shipment_state(client, start.workflow_id)
    [call] = state.calls
    assert (call.centre, call.outcome, call.operator) == ("shop", "no_answer", "Ana Marin")


async def test_the_same_call_again_is_a_200_and_changes_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    await shop_call(http, start)

    again = await shop_call(http, start)

    assert again.status_code == 200
    assert again.json()["outcome"] == "duplicate"
    assert len((await shipment_state(client, start.workflow_id)).calls) == 1


async def test_the_same_call_id_with_other_details_is_a_409_naming_fields_not_values(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    await shop_call(http, start)

    changed = await shop_call(http, start, note="Secret words of the customer")

    assert changed.status_code == 409
    assert "note" in changed.json()["detail"]
    assert "Secret words" not in changed.text


async def test_another_shops_key_finds_no_such_shipment(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await shop_call(http, start, shop="shop-2")

    assert response.status_code == 404
    assert (await shipment_state(client, start.workflow_id)).calls == []


async def test_a_call_without_a_key_is_refused(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await http.post(f"/v1/shipments/{start.shipment_id}/calls", json=body())

    assert response.status_code == 401


async def test_an_unknown_outcome_is_a_422_naming_the_field(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await shop_call(http, start, outcome="hung_up")

    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "outcome"]]


async def test_a_note_with_a_control_character_is_a_422_that_does_not_echo_it(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await shop_call(http, start, note="call +447700900123 \x07 now")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]
    assert "+447700900123" not in response.text


async def test_a_call_in_the_future_is_a_422_naming_occurred_at(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    ahead = (datetime.now(UTC) + timedelta(hours=2)).isoformat()

    response = await shop_call(http, start, occurred_at=ahead)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "occurred_at"]


async def test_a_call_without_its_time_is_a_422_naming_occurred_at(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    given = body()
    del given["occurred_at"]

    response = await http.post(
        f"/v1/shipments/{start.shipment_id}/calls", json=given, headers=shop_auth()
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "occurred_at"]


async def test_a_call_about_a_closed_shipment_goes_into_the_ledger(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    handle = client.get_workflow_handle(start.workflow_id)
    await report_event(client, start.workflow_id, event(ShipmentStatus.RETURNED, 60))
    await handle.result()

    response = await shop_call(http, start, outcome="answered")
    again = await shop_call(http, start, outcome="answered")

    assert response.status_code == 201
    assert (response.json()["after_close"], response.json()["status"]) == (True, "returned")
    assert again.status_code == 200
    [call] = ledger_calls(api_settings, start.workflow_id)
    assert call.outcome == "answered"


async def test_a_closed_shipment_of_another_shop_is_not_found_either(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings, shop_id="shop-2")
    handle = client.get_workflow_handle(start.workflow_id)
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 60))
    await handle.result()

    response = await http.post(
        f"/v1/shipments/{start.shipment_id}/calls", json=body(), headers=shop_auth("shop-1")
    )

    assert response.status_code == 404
    assert ledger_calls(api_settings, start.workflow_id) == []


async def test_a_call_body_past_8_kib_is_refused_with_413(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await http.post(
        f"/v1/shipments/{start.shipment_id}/calls",
        content=b"{" + b" " * (9 * 1024) + b"}",
        headers=shop_auth() | {"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert "a shop's call" in response.json()["detail"]


# A carrier's call centre


async def test_a_carrier_records_a_call_by_tracking_number_on_the_shops_route(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    payload = body(call_id="dpd-77", tracking_number=start.tracking_number)

    response = await carrier_call(http, payload)

    assert response.status_code == 201, response.text
    assert response.json()["shipment"] == start.workflow_id
    [call] = (await shipment_state(client, start.workflow_id)).calls
    assert (call.call_id, call.centre) == ("dpd-77", "carrier")


async def test_a_carrier_may_name_the_shops_shipment_id(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    payload = body(shipment_id=start.shipment_id)

    response = await carrier_call(http, payload, "generic")

    assert response.status_code == 201


async def test_a_carrier_call_on_one_shops_route_never_reaches_another_shops_shipment(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    theirs = await started(client, api_settings, shop_id="shop-2")

    by_number = await carrier_call(http, body(tracking_number=theirs.tracking_number))
    by_id = await carrier_call(http, body(shipment_id=theirs.shipment_id))

    assert (by_number.status_code, by_id.status_code) == (404, 404)
    assert (await shipment_state(client, theirs.workflow_id)).calls == []


async def test_an_unsigned_carrier_call_is_a_403_and_records_nothing(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)

    response = await http.post(
        "/v1/carriers/easypost/shops/shop-1/calls",
        json=body(tracking_number=start.tracking_number),
    )

    assert response.status_code == 403
    assert (await shipment_state(client, start.workflow_id)).calls == []


async def test_a_carrier_call_signed_with_another_secret_is_a_403(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    payload = body(tracking_number=start.tracking_number)

    response = await carrier_call(http, payload, secret="not-the-easypost-secret")

    assert response.status_code == 403


async def test_a_carrier_call_naming_no_shipment_is_a_422(
    http: httpx.AsyncClient, api_settings: Settings
) -> None:
    response = await carrier_call(http, body())

    assert response.status_code == 422
    assert "exactly one of tracking_number and shipment_id" in response.text


async def test_an_unknown_carrier_is_a_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/v1/carriers/nobody/shops/shop-1/calls", **carrier_signed(body()))

    assert response.status_code == 404


async def test_a_carrier_call_body_past_8_kib_is_refused_with_413(http: httpx.AsyncClient) -> None:
    payload = body(tracking_number="TRK1", note="x" * (9 * 1024))

    response = await carrier_call(http, payload)

    assert response.status_code == 413
    assert "a carrier's call" in response.json()["detail"]


async def test_the_tracking_page_shows_the_recorded_call(
    http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    await shop_call(http, start, outcome="voicemail")
    await eventually(client, start.workflow_id, all_settled)
    read = await http.get(f"/v1/shipments/{start.shipment_id}", headers=shop_auth())
    link = read.json()["tracking_link"].removeprefix(PUBLIC_URL)

    html = (await http.get(link)).text

    assert 'data-testid="call"' in html and 'data-outcome="voicemail"' in html
    assert "Voicemail left" in html
    assert "Ana Marin" not in html and "voicemail box" not in html


@pytest.fixture
async def own_secret_http(client: Client, api_settings: Settings, api_worker: object) -> Any:
    """The service with a secret of shop-1's own for its EasyPost routes."""
    settings = api_settings.model_copy(
        update={"shop_carrier_secrets": {"shop-1": {"easypost": SecretStr("shop-1-own-secret")}}}
    )
    app: FastAPI = create_app(settings, client=client)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_URL) as http,
    ):
        yield http


async def test_a_shops_own_carrier_secret_signs_its_calls_and_the_shared_one_is_refused(
    own_secret_http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    start = await started(client, api_settings)
    payload = body(tracking_number=start.tracking_number)
    path = "/v1/carriers/easypost/shops/shop-1/calls"

    shared = await own_secret_http.post(path, **carrier_signed(payload))
    own = await own_secret_http.post(path, **carrier_signed(payload, secret="shop-1-own-secret"))

    assert (shared.status_code, own.status_code) == (403, 201)
