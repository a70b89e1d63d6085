"""`waypost shipment call` round trips in a real subprocess: into a running shipment's workflow,
again (nothing changes), into the ledger once the shipment has closed, and `waypost shipment
show` lists them; bad input names the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from ledger.engine import make_engine
from ledger.views import LedgerReader
from models.status import ShipmentStatus
from testing.factories import event, shipment
from tests.polling import all_settled, eventually
from tests.test_cli import cli_env, waypost
from workflows.client import report_event, shipment_state, start_shipment

pytestmark = pytest.mark.usefixtures("worker")
__all__ = ["cli_env"]  # the fixture, shared with tests/test_cli.py
WHEN = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()


@pytest.fixture
def env(cli_env: dict[str, str], sqlite_ledger_url: str) -> dict[str, str]:
    """The CLI on the worker's Temporal and ledger."""
    return {**cli_env, "WAYPOST_DATABASE_URL": sqlite_ledger_url}


def call_args(shop: str, shipment_id: str, *extra: str) -> list[str]:
    return [
        "shipment",
        "call",
        shop,
        shipment_id,
        "--outcome",
        "answered",
        "--by",
        "Ana (agent 42)",
        "--note",
        "Will be home after six",
        "--id",
        "crm-9",
        "--at",
        WHEN,
        *extra,
    ]


async def test_a_call_goes_to_the_running_shipment_and_show_lists_it(
    env: dict[str, str], client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)

    run = await waypost(*call_args(start.shop_id, start.shipment_id), env=env)
    again = await waypost(*call_args(start.shop_id, start.shipment_id), env=env)

    assert run.code == 0, run.err
    assert f"recorded call crm-9 for {start.workflow_id}: answered, status shipped" in run.out
    assert again.code == 0 and "already recorded call crm-9" in again.out
    [call] = (await shipment_state(client, start.workflow_id)).calls
    assert (call.operator, call.note, call.centre) == (
        "Ana (agent 42)",
        "Will be home after six",
        "shop",
    )
    await eventually(client, start.workflow_id, all_settled)
    shown = await waypost("shipment", "show", start.workflow_id, env=env)
    assert "calls:" in shown.out
    assert "outbound shop    answered     Ana (agent 42) [crm-9] - Will be home after six" in (
        shown.out
    )


async def test_a_call_about_a_closed_shipment_goes_into_the_ledger(
    env: dict[str, str], client: Client, worker: Worker, sqlite_ledger_url: str
) -> None:
    start = shipment()
    started = await start_shipment(client, start, worker.task_queue)
    await report_event(client, start.workflow_id, event(ShipmentStatus.RETURNED, 60))
    await started.handle.result()

    run = await waypost(
        *call_args(start.shop_id, start.shipment_id, "--centre", "carrier"), env=env
    )

    assert run.code == 0, run.err
    assert "status returned (closed: recorded in the ledger)" in run.out
    engine = make_engine(sqlite_ledger_url)
    try:
        [stored] = LedgerReader(engine).calls_for(start.workflow_id)
    finally:
        engine.dispose()
    assert (stored.call_id, stored.centre) == ("crm-9", "carrier")
    shown = await waypost("shipment", "show", start.workflow_id, env=env)
    assert "calls recorded after the shipment closed (ledger):" in shown.out


async def test_the_same_id_with_another_outcome_is_refused(
    env: dict[str, str], client: Client, worker: Worker
) -> None:
    start = shipment()
    await start_shipment(client, start, worker.task_queue)
    await waypost(*call_args(start.shop_id, start.shipment_id), env=env)

    args = call_args(start.shop_id, start.shipment_id)
    args[args.index("answered")] = "busy"
    run = await waypost(*args, env=env)

    assert run.code == 1
    assert "different outcome" in run.err


async def test_an_unknown_outcome_is_refused_before_anything_is_sent(
    env: dict[str, str],
) -> None:
    args = call_args("shop-1", "s-1")
    args[args.index("answered")] = "hung_up"

    run = await waypost(*args, env=env)

    assert run.code == 2
    assert "--outcome" in run.err


async def test_a_naive_time_is_refused_naming_occurred_at(env: dict[str, str]) -> None:
    args = call_args("shop-1", "s-1")
    args[args.index(WHEN)] = "2026-11-25T10:00:00"

    run = await waypost(*args, env=env)

    assert run.code == 2
    assert "occurred_at" in run.err


async def test_an_unknown_shipment_says_so(env: dict[str, str]) -> None:
    run = await waypost(*call_args("shop-1", "nowhere-1"), env=env)

    assert run.code == 1
    assert "no shipment shipment:shop-1:nowhere-1" in run.err
