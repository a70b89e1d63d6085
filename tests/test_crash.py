"""A worker killed (SIGKILL) in the middle of sending, again and again: after recovery every
message went out exactly once. Where a request reached Twilio before the worker died, the retry
finds it in Twilio's message list instead of sending again, and records that decision."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from ledger.claims import Ledger
from ledger.engine import make_engine
from models.notification import Channel, NotificationKind, NotificationStatus
from models.shipment import ShipmentStart
from testing.factories import out_for_delivery, shipment
from testing.twilio_server import FakeTwilio
from tests.polling import eventually
from tests.worker_processes import WorkerProcess, worker_env
from workflows.client import report_event, start_shipment

KILLS = int(os.environ.get("WAYPOST_SOAK_KILLS", "2"))
"""How many times the worker is killed: 2 in `make test`, more under `make soak`."""

HELD_AT_TWILIO = 3.0
"""Seconds the fake holds each SMS request: the worker is killed while requests are held, and
the fake accepts them afterwards, as a slow provider does after its client went away."""


@pytest.fixture
def worker_process(
    temporal_env: WorkflowEnvironment,
    postgres_database_url: str,
    fake_twilio: FakeTwilio,
    task_queue: str,
    tmp_path: Path,
) -> Iterator[WorkerProcess]:
    env = worker_env(
        home=tmp_path,
        temporal_address=temporal_env.client.service_client.config.target_host,
        task_queue=task_queue,
        database_url=postgres_database_url,
        twilio_url=fake_twilio.url,
    )
    worker = WorkerProcess(env, tmp_path / "worker.log")
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def shipments(count: int, batch: int) -> list[ShipmentStart]:
    """Shipments with a phone each, so Twilio's list tells one customer's SMS from another's."""
    return [
        shipment(
            recipient=shipment().recipient.model_copy(update={"phone": f"+4477009{batch}{i:04d}"})
        )
        for i in range(count)
    ]


async def send_while_killing(
    client: Client, worker: WorkerProcess, fake_twilio: FakeTwilio, starts: list[ShipmentStart]
) -> None:
    """Out-for-delivery SMS for every shipment; the worker dies while Twilio holds them."""
    fake_twilio.hang_next(HELD_AT_TWILIO, times=len(starts))
    for start in starts:
        await report_event(client, start.workflow_id, out_for_delivery(60))
    await asyncio.sleep(HELD_AT_TWILIO / 2)
    worker.kill()
    worker.start()


async def test_a_worker_killed_mid_send_again_and_again_sends_each_sms_exactly_once(
    client: Client,
    worker_process: WorkerProcess,
    fake_twilio: FakeTwilio,
    postgres_database_url: str,
    task_queue: str,
) -> None:
    rounds = [shipments(4, batch) for batch in range(1, KILLS + 1)]
    for starts in rounds:
        for start in starts:
            await start_shipment(client, start, task_queue)
        await send_while_killing(client, worker_process, fake_twilio, starts)

    everyone = [start for starts in rounds for start in starts]
    for start in everyone:
        await eventually(
            client,
            start.workflow_id,
            lambda s: any(
                n.kind is NotificationKind.OUT_FOR_DELIVERY and n.settled_at
                for n in s.notifications
            ),
            seconds=120,
        )
    at_twilio = [m["to"] for m in fake_twilio.messages]
    assert sorted(at_twilio) == sorted(s.recipient.phone for s in everyone if s.recipient.phone)
    ledger = Ledger(make_engine(postgres_database_url))
    for start in everyone:
        key = f"{start.workflow_id}:out_for_delivery:1:{Channel.SMS.value}"
        notification = ledger.notification(key)
        assert notification is not None and notification.status is NotificationStatus.SENT
    decisions = [
        a.error_message or ""
        for start in everyone
        for a in ledger.attempts(f"{start.workflow_id}:out_for_delivery:1:sms")
        if a.outcome == "reconciled"
    ]
    assert any("not sent again" in d for d in decisions), decisions
