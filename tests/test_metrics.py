"""Prometheus metrics, scraped over HTTP from the endpoint a worker (and the HTTP service) serve:
Temporal's SDK metrics and Waypost's own on one address, counted once whatever replays.

The metrics runtime here is one of its own on a free port, used only by this module's client:
the rest of the suite keeps Temporal's default runtime. Counters accumulate over the module, so
tests compare a scrape after with one before (or read labels only their shipment has).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr, ValidationError
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.providers.base import OutgoingMessage, RetryableProviderError
from activities.providers.sendgrid_email import SendGridEmailProvider
from activities.providers.twilio_sms import TwilioSmsProvider
from activities.sending import call_outcome
from api.app import create_app
from carriers import ADAPTERS
from infra import search_attributes as sa
from infra.connection import connect
from infra.serving import free_port
from infra.settings import Settings
from infra.telemetry import MetricsUnavailable, runtime_for
from models.notification import Channel, NotificationKind, NotificationRecord
from models.policy import NotificationPolicy, Party, ThankYou
from models.shipment import CarrierEvent, DeliveryKind, DeliveryOption, ShipmentStart
from models.state import ShipmentResume, ShipmentState, WorkflowLimits
from models.status import ShipmentStatus
from testing.factories import T0, event, out_for_delivery, shipment, window
from testing.sendgrid_server import DEFAULT_API_KEY, FakeSendGrid
from testing.twilio_server import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, FakeTwilio
from tests.db_fixtures import REFUSED_DESCRIPTION, refusing_description
from tests.polling import all_settled, eventually
from workers.worker import running_worker
from workflows.client import report_event, start_shipment
from workflows.lifecycle import apply_event
from workflows.schedule import DEFERRED_MESSAGE, TIMER_KINDS, pending_timer_kinds
from workflows.shipment import ShipmentWorkflow

S = ShipmentStatus
K = NotificationKind
CARRIER_SECRET = "generic-webhook-secret"
WAYPOST = str(Path(sys.executable).parent / "waypost")
_SAMPLE = re.compile(r"^(?P<name>[a-zA-Z_:][\w:]*)(?:\{(?P<labels>.*)\})?\s+(?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class Scrape:
    """One scrape of /metrics in Prometheus' text format."""

    samples: list[tuple[str, dict[str, str], float]]

    @classmethod
    def parse(cls, text: str) -> Scrape:
        samples = []
        for line in text.splitlines():
            found = _SAMPLE.match(line)
            if found and not line.startswith("#"):
                labels = dict(_LABEL.findall(found["labels"] or ""))
                samples.append((found["name"], labels, float(found["value"])))
        return cls(samples)

    def value(self, name: str, **labels: str) -> float:
        """The sum over every series of `name` carrying these labels (others aggregated)."""
        return sum(
            value
            for sample, have, value in self.samples
            if sample == name and all(have.get(k) == v for k, v in labels.items())
        )

    def names(self) -> set[str]:
        return {name for name, _, _ in self.samples}


async def scrape(bind: str) -> Scrape:
    async with httpx.AsyncClient(trust_env=False) as http:
        response = await http.get(f"http://{bind}/metrics", timeout=5)
    response.raise_for_status()
    return Scrape.parse(response.text)


async def scraped(bind: str, check: Callable[[Scrape], bool], seconds: float = 15) -> Scrape:
    """Scrape until `check` holds (the gauge of pending timers follows visibility)."""
    for _ in range(int(seconds / 0.1)):
        found = await scrape(bind)
        if check(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"metrics never matched; last scrape: {found.samples}")


def delta(after: Scrape, before: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


@pytest.fixture(scope="module")
def metrics_bind() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
async def metrics_client(temporal_env: WorkflowEnvironment, metrics_bind: str) -> Client:
    """A client on the runtime `connect` makes when WAYPOST_METRICS_BIND is set."""
    target = temporal_env.client.service_client.config.target_host
    return await connect(Settings(metrics_bind=metrics_bind), target=target)


@pytest.fixture
def metrics_settings(provider_settings: Settings, metrics_bind: str, tmp_path: Path) -> Settings:
    return provider_settings.model_copy(
        update={
            "home": tmp_path,
            "metrics_bind": metrics_bind,
            "metrics_timers_refresh_seconds": 0.2,
            "carrier_secrets": {"generic": SecretStr(CARRIER_SECRET)},
        }
    )


@pytest.fixture
async def metrics_worker(
    metrics_client: Client, metrics_settings: Settings
) -> AsyncIterator[Worker]:
    async with running_worker(metrics_client, metrics_settings) as worker:
        yield worker


@pytest.fixture
async def uncached_worker(
    metrics_client: Client, metrics_settings: Settings
) -> AsyncIterator[Worker]:
    """No workflow cache: every workflow task replays the whole history first."""
    settings = metrics_settings.model_copy(update={"max_cached_workflows": 0})
    async with running_worker(metrics_client, settings) as worker:
        yield worker


async def delivered_out_for_delivery(client: Client, task_queue: str) -> ShipmentStart:
    """A shipment out for delivery, its messages settled."""
    start = shipment()
    await start_shipment(client, start, task_queue)
    await report_event(client, start.workflow_id, out_for_delivery(60))
    await eventually(
        client,
        start.workflow_id,
        lambda s: all_settled(s) and any(n.kind is K.OUT_FOR_DELIVERY for n in s.notifications),
    )
    return start


def pickup_shipment(**overrides: Any) -> ShipmentStart:
    return shipment(delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT), **overrides)


# Waypost's messages


async def test_a_sent_sms_is_counted_by_kind_channel_and_status(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    before = await scrape(metrics_bind)

    await delivered_out_for_delivery(metrics_client, metrics_worker.task_queue)

    after = await scrape(metrics_bind)
    sms = {"kind": "out_for_delivery", "channel": "sms"}
    assert delta(after, before, "waypost_messages", **sms, status="sent") == 1
    assert delta(after, before, "waypost_messages", kind="shipped", channel="email") == 1


async def test_a_message_refused_for_good_is_counted_failed_and_as_a_permanent_error(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str, fake_twilio: FakeTwilio
) -> None:
    start = shipment()
    assert start.recipient.phone is not None
    fake_twilio.reject_recipient(start.recipient.phone, code=21211)
    before = await scrape(metrics_bind)

    await start_shipment(metrics_client, start, metrics_worker.task_queue)
    await report_event(metrics_client, start.workflow_id, out_for_delivery(60))
    await eventually(
        metrics_client,
        start.workflow_id,
        lambda s: all_settled(s) and any(n.kind is K.OUT_FOR_DELIVERY for n in s.notifications),
    )

    after = await scrape(metrics_bind)
    sms = {"kind": "out_for_delivery", "channel": "sms"}
    assert delta(after, before, "waypost_messages", **sms, status="failed") == 1
    assert delta(after, before, "waypost_messages", **sms, status="sent") == 0
    twilio = {"provider": "twilio", "channel": "sms"}
    assert delta(after, before, "waypost_provider_errors", **twilio, error="permanent") == 1


async def test_news_the_shop_owns_is_counted_delegated_once_though_every_task_replays(
    metrics_client: Client, uncached_worker: Worker, metrics_bind: str
) -> None:
    """The workflow counts what it settles itself; its meter is silent while it replays."""
    start = shipment(policy=NotificationPolicy(quiet_hours=None, owners={K.SHIPPED: Party.SHOP}))
    queue = uncached_worker.task_queue

    await start_shipment(metrics_client, start, queue)
    for minutes, status in enumerate((S.IN_TRANSIT, S.IN_TRANSIT, S.OUT_FOR_DELIVERY), 1):
        await report_event(metrics_client, start.workflow_id, event(status, minutes * 10))
    await eventually(metrics_client, start.workflow_id, all_settled)

    after = await scrape(metrics_bind)
    labels = {"kind": "shipped", "status": "delegated", "task_queue": queue}
    assert after.value("waypost_messages", **labels) == 1


# Providers


async def test_a_part_the_ledger_cannot_store_is_counted_set_aside_by_part(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str, metrics_settings: Settings
) -> None:
    start = shipment()
    await start_shipment(metrics_client, start, metrics_worker.task_queue)
    before = await scrape(metrics_bind)
    refused = event(S.IN_TRANSIT, 30, description=REFUSED_DESCRIPTION)

    with refusing_description(metrics_settings.ledger_url):
        await report_event(metrics_client, start.workflow_id, refused)
        after = await scraped(
            metrics_bind,
            lambda now: delta(now, before, "waypost_ledger_set_aside", part="event") == 1,
        )

    assert delta(after, before, "waypost_ledger_set_aside", part="event") == 1


async def test_every_provider_call_is_timed_by_provider_and_channel(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    before = await scrape(metrics_bind)

    await delivered_out_for_delivery(metrics_client, metrics_worker.task_queue)

    after = await scrape(metrics_bind)
    name = "waypost_provider_latency_seconds"
    twilio = {"provider": "twilio", "channel": "sms", "outcome": "accepted"}
    assert delta(after, before, f"{name}_count", **twilio) == 1
    assert delta(after, before, f"{name}_count", provider="sendgrid", channel="email") == 1
    assert 0 < delta(after, before, f"{name}_sum", **twilio) < 5
    assert delta(after, before, f"{name}_bucket", **twilio, le="+Inf") == 1


async def test_a_provider_5xx_is_counted_as_a_retryable_error_and_the_message_sent_once(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str, fake_twilio: FakeTwilio
) -> None:
    fake_twilio.fail_next(503, times=1)
    before = await scrape(metrics_bind)

    await delivered_out_for_delivery(metrics_client, metrics_worker.task_queue)

    after = await scrape(metrics_bind)
    twilio = {"provider": "twilio", "channel": "sms"}
    assert delta(after, before, "waypost_provider_errors", **twilio, error="retryable") == 1
    assert delta(after, before, "waypost_provider_latency_seconds_count", **twilio) == 2
    sent = {"kind": "out_for_delivery", "channel": "sms", "status": "sent"}
    assert delta(after, before, "waypost_messages", **sent) == 1


def test_a_twilio_call_that_is_not_answered_in_time_is_a_timeout(fake_twilio: FakeTwilio) -> None:
    provider = TwilioSmsProvider(
        DEFAULT_ACCOUNT_SID,
        DEFAULT_AUTH_TOKEN,
        from_number="+15005550006",
        api_base=fake_twilio.url,
        timeout=0.2,
    )
    fake_twilio.hang_next(1.0)

    with pytest.raises(RetryableProviderError) as caught:
        provider.send(OutgoingMessage(key="k", channel=Channel.SMS, to="+447700900123", body="hi"))

    assert call_outcome(caught.value) == "timeout"


def test_a_sendgrid_call_that_is_not_answered_in_time_is_a_timeout(
    fake_sendgrid: FakeSendGrid,
) -> None:
    provider = SendGridEmailProvider(
        DEFAULT_API_KEY, "shop@example.com", host=fake_sendgrid.url, timeout=0.2
    )
    fake_sendgrid.hang_next(1.0)
    message = OutgoingMessage(
        key="k", channel=Channel.EMAIL, to="sam@example.com", subject="s", body="hi"
    )

    with pytest.raises(RetryableProviderError) as caught:
        provider.send(message)

    assert call_outcome(caught.value) == "timeout"


# Temporal's own


async def test_the_sdks_metrics_are_served_on_the_same_endpoint(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    await delivered_out_for_delivery(metrics_client, metrics_worker.task_queue)

    after = await scrape(metrics_bind)

    queue = {"task_queue": metrics_worker.task_queue}
    assert after.value("temporal_workflow_task_execution_latency_count", **queue) > 0
    activity = queue | {"activity_type": "publish_update"}
    assert after.value("temporal_activity_execution_latency_count", **activity) > 0


# Carriers


def generic_post(events: list[dict[str, Any]], secret: str = CARRIER_SECRET) -> dict[str, Any]:
    body = json.dumps({"events": events}).encode()
    headers = ADAPTERS["generic"].sign(body, secret, datetime.now(UTC))
    return {"content": body, "headers": headers | {"content-type": "application/json"}}


def generic_event(start: ShipmentStart, event_id: str, status: str, minutes: int) -> dict[str, Any]:
    return {
        "tracking_number": start.tracking_number,
        "shop_id": start.shop_id,
        "shipment_id": start.shipment_id,
        "event_id": event_id,
        "status": status,
        "occurred_at": (T0 + timedelta(minutes=minutes)).isoformat(),
    }


@pytest.fixture
async def webhooks(
    metrics_client: Client, metrics_settings: Settings, metrics_worker: Worker
) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP service's app on the metrics client, with a worker behind it."""
    app = create_app(metrics_settings, client=metrics_client)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://waypost.test") as http:
            yield http


async def test_carrier_events_are_counted_accepted_and_refused_by_carrier(
    webhooks: httpx.AsyncClient,
    metrics_client: Client,
    metrics_worker: Worker,
    metrics_bind: str,
) -> None:
    start = shipment()
    await start_shipment(metrics_client, start, metrics_worker.task_queue)
    await report_event(metrics_client, start.workflow_id, event(S.IN_TRANSIT, 30))
    before = await scrape(metrics_bind)

    events = [
        generic_event(start, "g-1", "in_transit", 40),
        generic_event(start, "g-1", "in_transit", 40),  # the same scan again
        generic_event(start, "g-2", "out_for_delivery", 20),  # older than the last applied
        generic_event(start, "g-3", "lost_in_space", 50),  # not a status: unreadable
    ]
    response = await webhooks.post("/v1/carriers/generic/events", **generic_post(events))

    assert response.status_code == 207
    after = await scrape(metrics_bind)
    generic = {"carrier": "generic"}
    assert delta(after, before, "waypost_carrier_events", **generic, result="accepted") == 1
    # Understood but not applied (a duplicate, one out of order) is ignored, answered 200: only
    # the unreadable event is refused, for the sender to fix.
    assert delta(after, before, "waypost_carrier_events", **generic, result="ignored") == 2
    assert delta(after, before, "waypost_carrier_events", **generic, result="refused") == 1
    late = generic | {"result": "ignored", "outcome": "out_of_order"}
    assert delta(after, before, "waypost_carrier_events", **late) == 1


async def test_a_badly_signed_webhook_request_is_counted_as_refused(
    webhooks: httpx.AsyncClient, metrics_bind: str
) -> None:
    before = await scrape(metrics_bind)

    forged = generic_post([{"event_id": "x"}], secret="not-the-secret")
    response = await webhooks.post("/v1/carriers/generic/events", **forged)

    assert response.status_code == 403
    after = await scrape(metrics_bind)
    labels = {"carrier": "generic", "reason": "signature"}
    assert delta(after, before, "waypost_carrier_requests_refused", **labels) == 1


# Pending timers


def pending(found: Scrape, queue: str, kind: str) -> float:
    return found.value("waypost_pending_timers", task_queue=queue, kind=kind)


async def test_pending_timers_count_a_shipment_waiting_on_a_pickup_reminder(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    start = pickup_shipment()
    queue = metrics_worker.task_queue
    await start_shipment(metrics_client, start, queue)

    await report_event(metrics_client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 10))

    found = await scraped(metrics_bind, lambda s: pending(s, queue, "pickup_reminder") == 1)
    assert pending(found, queue, "pickup_final_warning") == 1
    assert pending(found, queue, "storage_deadline") == 1
    assert pending(found, queue, "delay_notice") == 0


async def test_a_pickup_ends_its_pending_timers(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    start = pickup_shipment()
    queue = metrics_worker.task_queue
    await start_shipment(metrics_client, start, queue)
    await report_event(metrics_client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 10))
    await scraped(metrics_bind, lambda s: pending(s, queue, "pickup_reminder") == 1)

    await report_event(metrics_client, start.workflow_id, event(S.DELIVERED, 20))

    await scraped(metrics_bind, lambda s: pending(s, queue, "pickup_reminder") == 0)


async def test_pending_timers_follow_the_timers_though_every_task_replays(
    metrics_client: Client, uncached_worker: Worker
) -> None:
    start = pickup_shipment()
    started = await start_shipment(metrics_client, start, uncached_worker.task_queue)
    await report_event(metrics_client, start.workflow_id, event(S.IN_TRANSIT, 5))

    await report_event(metrics_client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 10))

    # The UI follows once the recording in flight ends (changes meanwhile fold into one upsert).
    wanted = ["pickup_final_warning", "pickup_reminder", "storage_deadline"]
    for _ in range(100):
        attributes = (await started.handle.describe()).typed_search_attributes
        if attributes.get(sa.PENDING_TIMERS) == wanted:
            break
        await asyncio.sleep(0.05)
    assert attributes.get(sa.PENDING_TIMERS) == wanted


async def test_a_shipment_that_continued_as_new_is_counted_once(
    metrics_client: Client, metrics_worker: Worker, metrics_bind: str
) -> None:
    start = pickup_shipment()
    queue = metrics_worker.task_queue
    resume = ShipmentResume(
        state=ShipmentState(shipment=start, status_since=T0),
        limits=WorkflowLimits(history_events=40),
    )
    handle = await metrics_client.start_workflow(
        ShipmentWorkflow.run, resume, id=start.workflow_id, task_queue=queue
    )
    await report_event(metrics_client, start.workflow_id, event(S.AVAILABLE_FOR_PICKUP, 10))

    for minute in range(11, 31):  # scans that change nothing, until the history is long
        await handle.signal(ShipmentWorkflow.carrier_event, event(S.AVAILABLE_FOR_PICKUP, minute))
    state = await eventually(metrics_client, start.workflow_id, lambda s: s.runs > 1)

    assert state.status is S.AVAILABLE_FOR_PICKUP
    found = await scraped(metrics_bind, lambda s: pending(s, queue, "pickup_reminder") == 1)
    await asyncio.sleep(1)  # visibility catches up with the closed run: still one
    assert pending(await scrape(metrics_bind), queue, "pickup_reminder") == 1
    assert pending(found, queue, "delay_notice") == 0


def state_after(*events: CarrierEvent, policy: NotificationPolicy | None = None) -> ShipmentState:
    start = pickup_shipment(policy=policy or NotificationPolicy(quiet_hours=None))
    state = ShipmentState(shipment=start, status_since=T0)
    for carrier_event in events:
        apply_event(state, carrier_event, T0)
    return state


def test_pending_timer_kinds_name_each_kind_a_shipment_waits_on_once_sorted() -> None:
    state = state_after(event(S.AVAILABLE_FOR_PICKUP, 10))

    assert pending_timer_kinds(state) == [
        "pickup_final_warning",
        "pickup_reminder",
        "storage_deadline",
    ]


def test_a_message_deferred_by_quiet_hours_is_a_pending_timer_too() -> None:
    state = state_after(event(S.IN_TRANSIT, 10))
    state.notifications.append(
        NotificationRecord(
            key="k",
            kind=K.SHIPPED,
            channel=Channel.EMAIL,
            occurrence=1,
            trigger="start",
            planned_at=T0,
            due_at=T0 + timedelta(hours=8),
        )
    )

    assert pending_timer_kinds(state) == ["deferred_message", "delay_notice"]


def test_every_kind_of_timer_is_one_the_metric_reports() -> None:
    thanks = NotificationPolicy(quiet_hours=None, thank_you=ThankYou(enabled=True))
    offering = state_after(event(S.IN_TRANSIT, 10))
    offering.offered_slots = [window(1, 9), window(1, 14)]
    offering.choose_by = T0 + timedelta(hours=12)
    states = [
        state_after(),
        state_after(out_for_delivery(60)),
        state_after(event(S.AVAILABLE_FOR_PICKUP, 10)),
        offering,
        state_after(event(S.DELIVERED, 10), policy=thanks),
    ]

    named = {kind for state in states for kind in pending_timer_kinds(state)}

    assert named == set(TIMER_KINDS) - {DEFERRED_MESSAGE}


# Settings and processes


def test_a_metrics_address_that_is_not_an_ip_and_port_is_refused_naming_the_setting() -> None:
    with pytest.raises(ValidationError, match="WAYPOST_METRICS_BIND must be an IP address"):
        Settings(metrics_bind="localhost:9464")


def test_a_metrics_address_already_taken_says_which_and_what_to_set() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        bind = f"127.0.0.1:{taken.getsockname()[1]}"

        with pytest.raises(MetricsUnavailable, match=f"{bind}.*WAYPOST_METRICS_BIND"):
            runtime_for(Settings(metrics_bind=bind))


async def test_the_worker_process_serves_metrics_and_a_one_off_command_beside_it_does_not(
    temporal_env: WorkflowEnvironment, task_queue: str, tmp_path: Path
) -> None:
    bind = f"127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "WAYPOST_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "WAYPOST_TASK_QUEUE": task_queue,
        "WAYPOST_HOME": str(tmp_path),
        "WAYPOST_METRICS_BIND": bind,
    }
    async with waypost_process("worker", env=env, log=tmp_path / "worker.log") as worker:
        found = await scraped_when_up(bind, worker, lambda s: "waypost_pending_timers" in s.names())
        assert "temporal_worker_task_slots_available" in found.names()
        assert found.value("waypost_pending_timers", task_queue=task_queue) == 0

        show = await asyncio.create_subprocess_exec(
            WAYPOST,
            *("shipment", "show", "shipment:shop-1:nothing"),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(show.communicate(), 30)

        assert show.returncode == 1, err.decode()  # not the port taken by the worker
        assert "no shipment shipment:shop-1:nothing" in err.decode()


async def test_the_http_service_process_serves_metrics(
    temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    bind, port = f"127.0.0.1:{free_port()}", free_port()
    env = {
        **os.environ,
        "WAYPOST_TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "WAYPOST_HOME": str(tmp_path),
        "WAYPOST_API_PORT": str(port),
        "WAYPOST_CARRIER_SECRETS": json.dumps({"generic": CARRIER_SECRET}),
        "WAYPOST_METRICS_BIND": bind,
    }
    async with waypost_process("api", env=env, log=tmp_path / "api.log") as api:
        await scraped_when_up(bind, api, lambda s: True)
        # The metrics endpoint comes up with the runtime, before the HTTP service listens.
        await answering(f"http://127.0.0.1:{port}/healthz", api)

        async with httpx.AsyncClient(trust_env=False) as http:
            forged = generic_post([{"event_id": "x"}], secret="not-the-secret")
            url = f"http://127.0.0.1:{port}/v1/carriers/generic/events"
            response = await http.post(url, **forged)

        assert response.status_code == 403
        found = await scrape(bind)
        labels = {"carrier": "generic", "reason": "signature"}
        assert found.value("waypost_carrier_requests_refused", **labels) == 1


@contextlib.asynccontextmanager
async def waypost_process(
    *args: str, env: dict[str, str], log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`waypost <args>` running in the background, stopped with SIGTERM at the end."""
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            WAYPOST, *args, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 30)


async def answering(url: str, process: asyncio.subprocess.Process) -> None:
    """Until `url` answers at all (any status): the process is listening."""
    async with httpx.AsyncClient(trust_env=False) as http:
        for _ in range(300):
            if process.returncode is not None:
                raise AssertionError(f"the process left with {process.returncode}")
            try:
                await http.get(url)
                return
            except httpx.TransportError:
                await asyncio.sleep(0.1)
    raise AssertionError(f"nothing answers at {url}")


async def scraped_when_up(
    bind: str, process: asyncio.subprocess.Process, check: Callable[[Scrape], bool]
) -> Scrape:
    """The process's metrics once its endpoint answers and `check` holds."""
    for _ in range(300):
        if process.returncode is not None:
            raise AssertionError(f"the process left with {process.returncode}")
        try:
            found = await scrape(bind)
        except httpx.HTTPError:
            await asyncio.sleep(0.1)
            continue
        if check(found):
            return found
        await asyncio.sleep(0.1)
    raise AssertionError(f"no metrics on {bind}")
