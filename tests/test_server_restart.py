"""The Temporal dev server stopped and started again on its persisted file: running shipments
carry on, and a courier's one-hour timer set before the stop fires after it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import Client
from temporalio.service import RPCError

from infra.connection import connect
from infra.serving import free_port
from infra.settings import Settings
from models.notification import NotificationKind
from models.shipment import Courier, Window
from models.state import ShipmentState
from models.status import ShipmentStatus
from starters.devserver import DevServer
from testing.factories import event, shipment
from workers.worker import running_worker
from workflows.client import report_event, shipment_state, start_shipment

TIMER_DUE_IN = timedelta(seconds=8)


async def one_hour_sent(client: Client, ref: str) -> ShipmentState:
    """Poll until the courier's one-hour SMS settled; the restarted server may refuse at first."""
    deadline = datetime.now(UTC) + TIMER_DUE_IN + timedelta(seconds=60)
    while datetime.now(UTC) < deadline:
        try:
            state = await shipment_state(client, ref)
        except RPCError:
            state = None
        if state and any(
            n.kind is NotificationKind.COURIER_ONE_HOUR and n.settled_at
            for n in state.notifications
        ):
            return state
        await asyncio.sleep(0.2)
    raise AssertionError("the one-hour timer set before the restart never fired")


async def test_a_timer_set_before_a_server_restart_fires_after_it(
    tmp_path: Path, worker_settings: Settings
) -> None:
    port = free_port()

    def server() -> DevServer:
        return DevServer(port=port, ui_port=None, db_file=tmp_path / "temporal.db")

    first = server()
    await first.start()
    try:
        client = await connect(worker_settings, target=first.address)
        async with running_worker(client, worker_settings):
            start = shipment()
            await start_shipment(client, start, worker_settings.task_queue)
            window_start = datetime.now(UTC) + timedelta(hours=1) + TIMER_DUE_IN
            await report_event(
                client,
                start.workflow_id,
                event(
                    ShipmentStatus.OUT_FOR_DELIVERY,
                    1,
                    window=Window(start=window_start, end=window_start + timedelta(hours=2)),
                    courier=Courier(name="Piotr"),
                ),
            )
            first.stop()
            await asyncio.sleep(2)
            second = server()
            await second.start()
            try:
                state = await one_hour_sent(client, start.workflow_id)
            finally:
                second.stop()
    finally:
        first.stop()

    assert state.status is ShipmentStatus.OUT_FOR_DELIVERY
