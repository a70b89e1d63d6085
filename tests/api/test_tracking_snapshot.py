"""The tracking page of a running shipment is served from the ledger's sealed snapshot of the
live state, with no workflow query per view: it shows what the workflow's query would have shown
(window, courier, slot offer, pickup point, consent, calendar), the snapshot is ciphertext in the
database when payload keys are set, it is gone once the shipment closes, a shipment without one
is still served by the query, and the view a form redirects to asks the workflow itself."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import update
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.tracking.calendar import calendar_file
from api.tracking.view import build_view, consent_block
from benchmarks.page import QueryCounter, counting_client
from infra.connection import connect
from infra.encryption import Keyring
from infra.links import TrackingLinks
from infra.page_snapshot import seal_live
from infra.settings import Settings
from ledger.schema import Shipment
from models.page import LiveView
from models.policy import NotificationPolicy, ThankYou
from models.shipment import (
    Courier,
    DeliveryKind,
    DeliveryOption,
    PickupPoint,
    ShipmentStart,
    Window,
)
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.api.conftest import PUBLIC_URL
from tests.polling import reader, recorded, snapshot
from workers.worker import running_worker
from workflows.client import report_event, shipment_state, start_shipment

S = ShipmentStatus
KEYS = {"page-1": SecretStr(base64.b64encode(b"\x11" * 32).decode())}
COURIER = Courier(name="Piotr Nowak", phone="+48600999888")
POINT = PickupPoint(name="Kiosk Maple", address="12 Maple Road, Leeds", pickup_code="PK-774411")


def soon(minutes: int, hours: int = 2) -> Window:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)
    return Window(start=start, end=start + timedelta(hours=hours))


def slots() -> list[Window]:
    first = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    return [
        Window(start=first + timedelta(days=d), end=first + timedelta(days=d, hours=2))
        for d in (1, 2, 3)
    ]


@pytest.fixture
def counter() -> QueryCounter:
    return QueryCounter()


@pytest.fixture
def sealed_settings(api_settings: Settings) -> Settings:
    """The service and the worker with a payload key: snapshots are sealed with it."""
    return api_settings.model_copy(update={"payload_keys": KEYS})


async def _serving(
    client: Client, settings: Settings, counter: QueryCounter
) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(settings, client=counting_client(client, counter))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http:
            yield http


@pytest.fixture
async def page_http(
    client: Client, api_settings: Settings, api_worker: object, counter: QueryCounter
) -> AsyncIterator[httpx.AsyncClient]:
    """The service (its queries counted) with a worker; encryption off, as in `make dev`."""
    async for http in _serving(client, api_settings, counter):
        yield http


@pytest.fixture
async def sealing_client(temporal_env: WorkflowEnvironment, sealed_settings: Settings) -> Client:
    target = temporal_env.client.service_client.config.target_host
    return await connect(sealed_settings, target=target)


@pytest.fixture
async def sealed_http(
    sealing_client: Client, sealed_settings: Settings, counter: QueryCounter
) -> AsyncIterator[httpx.AsyncClient]:
    """The service and a worker both holding the payload key."""
    async with running_worker(sealing_client, sealed_settings):
        async for http in _serving(sealing_client, sealed_settings, counter):
            yield http


def path_of(settings: Settings, ref: str) -> str:
    return "/t/" + TrackingLinks.from_settings(settings).token(ref, datetime.now(UTC))


async def running(
    client: Client, settings: Settings, start: ShipmentStart, *events: object
) -> tuple[str, LiveView]:
    """A started shipment with `events` applied, once its snapshot is recorded."""
    await start_shipment(client, start, settings.task_queue)
    for e in events:
        await report_event(client, start.workflow_id, e)  # type: ignore[arg-type]
    return start.workflow_id, await recorded(client, settings, start.workflow_id)


def thanking_shipment() -> ShipmentStart:
    """A shop that sends a thank-you: the page offers the opt-in to it."""
    thanks = ThankYou(enabled=True, delay=timedelta(hours=1), coupon_code="THANKS10")
    return shipment(policy=NotificationPolicy(quiet_hours=None, thank_you=thanks))


def pickup_shipment() -> ShipmentStart:
    return shipment(delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT, pickup_point=POINT))


SCENARIOS = {
    "courier question and opt-in": (
        thanking_shipment,
        [event(S.OUT_FOR_DELIVERY, 60, window=soon(30), courier=COURIER)],
    ),
    "slot offer": (shipment, [event(S.IN_TRANSIT, 30, slots=slots())]),
    "pickup point": (pickup_shipment, [event(S.AVAILABLE_FOR_PICKUP, 90)]),
}


@pytest.mark.parametrize("scenario", SCENARIOS)
async def test_the_snapshot_shows_what_the_workflows_query_shows(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, scenario: str
) -> None:
    make, events = SCENARIOS[scenario]
    ref, stored = await running(client, api_settings, make(), *events)
    queried = await shipment_state(client, ref)
    row = reader(api_settings).shipment(ref)
    assert row is not None
    now = datetime.now(UTC)

    from_ledger = build_view(row, [], [], stored, now)
    from_query = build_view(row, [], [], queried, now)

    assert from_ledger == from_query
    assert consent_block(stored, False, False) == consent_block(queried, False, False)
    assert calendar_file(from_ledger, now) == calendar_file(from_query, now)


async def test_a_running_shipments_page_is_served_without_a_workflow_query(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, counter: QueryCounter
) -> None:
    start = thanking_shipment()
    ref, _ = await running(
        client, api_settings, start, event(S.OUT_FOR_DELIVERY, 60, window=soon(30), courier=COURIER)
    )
    path = path_of(api_settings, ref)
    before = counter.queries

    page = await page_http.get(path)
    ics = await page_http.get(f"{path}/calendar.ics")

    assert counter.queries == before
    assert page.status_code == 200 and ics.status_code == 200
    assert 'data-testid="courier-question"' in page.text
    assert 'data-testid="courier"' in page.text and "Piotr Nowak" in page.text
    assert 'data-testid="consent-form"' in page.text
    assert "BEGIN:VEVENT" in ics.text


async def test_a_slot_offer_on_the_page_comes_from_the_ledger(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, counter: QueryCounter
) -> None:
    ref, _ = await running(client, api_settings, shipment(), event(S.IN_TRANSIT, 30, slots=slots()))
    before = counter.queries

    page = await page_http.get(path_of(api_settings, ref))

    assert counter.queries == before
    assert page.text.count('name="slot"') == 3


async def test_the_page_after_a_slot_choice_shows_the_chosen_window(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, counter: QueryCounter
) -> None:
    offered = slots()
    ref, _ = await running(client, api_settings, shipment(), event(S.IN_TRANSIT, 30, slots=offered))
    path = path_of(api_settings, ref)

    answer = await page_http.post(f"{path}/slot", data={"slot": "2"})
    before = counter.queries
    page = await page_http.get(answer.headers["location"])

    assert counter.queries == before + 1  # the redirected view asks the workflow itself
    assert 'data-testid="slot-form"' not in page.text
    chosen = offered[1].start.astimezone(ZoneInfo("Europe/London")).isoformat(timespec="minutes")
    assert f'<time datetime="{chosen}">' in page.text


async def test_a_shipment_without_a_snapshot_is_served_by_the_workflows_query(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, counter: QueryCounter
) -> None:
    ref, _ = await running(client, api_settings, shipment(), event(S.IN_TRANSIT, 30, slots=slots()))
    with reader(api_settings).engine.begin() as conn:  # as before snapshots existed
        conn.execute(
            update(Shipment).where(Shipment.ref == ref).values(page_contact=None, page_live=None)
        )
    before = counter.queries

    page = await page_http.get(path_of(api_settings, ref))

    assert counter.queries == before + 1
    assert page.text.count('name="slot"') == 3


async def test_a_snapshot_sealed_with_a_key_the_service_lacks_falls_back_to_the_query(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings, counter: QueryCounter
) -> None:
    ref, stored = await running(
        client, api_settings, shipment(), event(S.IN_TRANSIT, 30, slots=slots())
    )
    elsewhere = Keyring(keys={"other": b"\x22" * 32}, active="other")
    with reader(api_settings).engine.begin() as conn:
        conn.execute(
            update(Shipment)
            .where(Shipment.ref == ref)
            .values(page_live=seal_live(elsewhere, ref, stored.page))
        )
    before = counter.queries

    page = await page_http.get(path_of(api_settings, ref))

    assert counter.queries == before + 1
    assert page.text.count('name="slot"') == 3


async def test_with_a_payload_key_the_snapshot_is_ciphertext_in_the_database(
    sealed_http: httpx.AsyncClient,
    sealing_client: Client,
    sealed_settings: Settings,
    counter: QueryCounter,
) -> None:
    start = pickup_shipment()
    ref, _ = await running(
        sealing_client, sealed_settings, start, event(S.AVAILABLE_FOR_PICKUP, 90)
    )
    stored = reader(sealed_settings).sealed_page(ref)
    assert stored is not None and stored.page_contact and stored.page_live
    raw = stored.page_contact + stored.page_live
    before = counter.queries

    page = await sealed_http.get(path_of(sealed_settings, ref))

    for personal in (b"+447700900123", b"sam@example.com", b"PK-774411", b"Kiosk Maple"):
        assert personal not in raw, personal
    assert counter.queries == before
    assert "PK-774411" in page.text  # the service holding the key opens it


async def test_the_snapshot_is_cleared_when_the_shipment_closes(
    page_http: httpx.AsyncClient, client: Client, api_settings: Settings
) -> None:
    ref, _ = await running(client, api_settings, shipment(), event(S.IN_TRANSIT, 30))
    assert snapshot(api_settings, ref) is not None

    await report_event(client, ref, event(S.DELIVERED, 120))
    await client.get_workflow_handle(ref).result()

    stored = reader(api_settings).sealed_page(ref)
    assert stored is not None and (stored.page_contact, stored.page_live) == (None, None)
