"""Exceptions and date-only estimates in ShipmentWorkflow on a real Temporal dev server, with
the real ledger activity (issue 15)."""

from __future__ import annotations

import pytest
from temporalio.client import Client
from temporalio.worker import Replayer, Worker

from infra.converter import pydantic_converter
from models.kinds import EXCEPTION_KIND
from models.notification import NotificationKind, NotificationStatus
from models.shipment import Recipient
from models.status import ExceptionReason, ShipmentStatus
from testing.factories import T0, event, shipment
from tests.polling import all_settled, eventually
from workers.worker import WORKFLOW_RUNNER
from workflows.client import report_event, start_shipment
from workflows.shipment import EXCEPTION_REASONS, PATCH_SET, TAKEN_BY_PATCH_SET, ShipmentWorkflow

S, R = ShipmentStatus, ExceptionReason
pytestmark = pytest.mark.usefixtures("worker")


async def test_a_damaged_parcel_is_told_once_and_no_delay_watch_follows(
    client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    damaged = event(S.EXCEPTION, 30, exception=R.DAMAGED, detail="failure/damaged")
    await report_event(client, start.workflow_id, damaged)
    again = event(S.EXCEPTION, 90, exception=R.DAMAGED, detail="failure/damaged")
    await report_event(client, start.workflow_id, again)

    state = await eventually(client, start.workflow_id, all_settled)

    told = [n for n in state.notifications if n.kind is NotificationKind.EXCEPTION_DAMAGED]
    assert {n.channel.value for n in told} == {"sms", "email"}
    assert all(n.status is NotificationStatus.SENT for n in told)
    assert not any(w.what.startswith("timer: delay_notice") for w in state.waiting_for)


async def test_an_exception_without_a_reason_is_told_as_an_unexplained_problem(
    client: Client, worker: Worker
) -> None:
    """New runs take the patched path: no reason means `other`, which has its own message."""
    start = shipment()
    await start_shipment(client, start, worker.task_queue)

    await report_event(client, start.workflow_id, event(S.EXCEPTION, 30))
    state = await eventually(client, start.workflow_id, all_settled)

    assert state.exception is R.OTHER
    assert EXCEPTION_KIND[R.OTHER] in {n.kind for n in state.notifications}


async def test_a_date_only_estimate_arms_the_delay_watch_after_the_day_ends_where_the_recipient_is(
    client: Client, worker: Worker
) -> None:
    person = Recipient(name="Sam", phone="+14155550100", time_zone="America/Los_Angeles")
    start = shipment(recipient=person)
    await start_shipment(client, start, worker.task_queue)
    day = T0.date()

    await report_event(client, start.workflow_id, event(S.IN_TRANSIT, 10, estimated_day=day))
    state = await eventually(client, start.workflow_id, all_settled)

    [watch] = [w for w in state.waiting_for if w.what.startswith("timer: delay_notice")]
    assert watch.until is not None
    assert watch.until.date() > day  # in UTC too: LA's day ends at 08:00 UTC the day after
    assert state.estimated_day == day


async def test_a_run_that_took_the_patched_path_replays(client: Client, worker: Worker) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(S.EXCEPTION, 30))
    await report_event(client, start.workflow_id, event(S.DELIVERED, 60))
    await client.get_workflow_handle(start.workflow_id).result()

    history = await client.get_workflow_handle(start.workflow_id).fetch_history()

    replayer = Replayer(
        workflows=[ShipmentWorkflow],
        data_converter=pydantic_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )
    await replayer.replay_workflow(history)
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert EXCEPTION_REASONS in TAKEN_BY_PATCH_SET
    assert any(PATCH_SET.encode() in m.SerializeToString() for m in markers)
