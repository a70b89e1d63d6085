"""Record the histories `tests/test_replay.py` replays: every demo flow, plus one shipment that
continues as new (each run is saved).

    python -m tests.histories.record [--tag NAME]

It runs a throwaway dev server and worker (nothing downloaded, nothing outside a temp folder),
then writes `<flow>.json` (`<flow>.runN.json` for later runs) here, or `<flow>@NAME...` with
`--tag`. Existing files are never overwritten: a history of a shape still in flight must stay
replayable, so a deliberate, patched change adds its shape under a new tag.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys
import tempfile
import traceback
import uuid
from contextlib import redirect_stdout
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from temporalio.client import Client, WorkflowHistory

from infra.converter import pydantic_converter
from infra.logs import configure_logging
from infra.serving import free_port
from infra.settings import Settings
from infra.trackers import tracker_plan
from models.state import ShipmentResume, ShipmentState, WorkflowLimits
from models.status import ShipmentStatus
from models.tracking import TrackerMode
from starters.demo import run_scenario, scenarios
from starters.devserver import DevServer
from starters.process import leave
from testing.factories import T0, event, shipment
from testing.tracker_servers import EASYPOST_KEY, FakeEasyPost, Scan
from workers.worker import running_worker
from workflows.client import report_event, shipment_state, start_shipment
from workflows.shipment import ShipmentWorkflow

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CONTINUE_AS_NEW = "continue-as-new"
CARRIER_TRACKERS = "carrier-trackers"


def slug(text: str) -> str:
    """A scenario's name without its parenthesised aside, as a stable file name."""
    words = text.split("(")[0].lower().replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", words).strip("-")


def flow_names() -> list[str]:
    """The flows every recording holds: the demo's scenarios and the continue-as-new one."""
    return [slug(s.name) for s in scenarios()] + [CONTINUE_AS_NEW, CARRIER_TRACKERS]


def file_name(flow: str, tag: str | None, run: int = 1) -> str:
    stem = f"{flow}@{tag}" if tag else flow
    return f"{stem}.json" if run == 1 else f"{stem}.run{run}.json"


async def runs(client: Client, workflow_id: str, run_id: str | None) -> list[WorkflowHistory]:
    """The history of each run from `run_id` on, following continue-as-new."""
    histories: list[WorkflowHistory] = []
    while run_id:
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        histories.append(history)
        last = history.events[-1]
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    return histories


async def continue_as_new(client: Client, task_queue: str) -> list[WorkflowHistory]:
    """A shipment whose history limit is small enough that it continues as new."""
    start = shipment(shipment_id="continue-as-new", order_id="ORD-CAN")
    resume = ShipmentResume(
        state=ShipmentState(shipment=start, status_since=T0),
        limits=WorkflowLimits(history_events=60),
    )
    handle = await client.start_workflow(
        ShipmentWorkflow.run, resume, id=start.workflow_id, task_queue=task_queue
    )
    for minutes in range(10, 80, 10):
        await report_event(client, start.workflow_id, event(ShipmentStatus.IN_TRANSIT, minutes))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 200))
    final = await asyncio.wait_for(handle.result(), timeout=60)
    if final.runs < 2:
        raise RuntimeError("the continue-as-new shipment never continued as new")
    return await runs(client, start.workflow_id, handle.result_run_id)


async def carrier_trackers(
    client: Client, task_queue: str, settings: Settings
) -> list[WorkflowHistory]:
    """A shipment whose EasyPost tracker Waypost creates and polls: the tracker's first scan
    applies from the create, then scans reported meanwhile re-arm the poll timer until delivery."""
    start = shipment(
        shipment_id="carrier-trackers", order_id="ORD-TRK", tracking_number="EZ1000000001"
    )
    start = start.model_copy(update={"tracker": tracker_plan(settings, start.shop_id)})
    handle = (await start_shipment(client, start, task_queue)).handle
    for _ in range(600):
        state = await shipment_state(client, start.workflow_id)
        if state.status is ShipmentStatus.IN_TRANSIT:
            break
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("the tracker's first scan never applied")
    await report_event(client, start.workflow_id, event(ShipmentStatus.OUT_FOR_DELIVERY, 60))
    await report_event(client, start.workflow_id, event(ShipmentStatus.DELIVERED, 120))
    final = await asyncio.wait_for(handle.result(), timeout=60)
    if final.tracker is None or final.tracker.tracker_id is None:
        raise RuntimeError("the carrier-trackers shipment has no tracker")
    return await runs(client, start.workflow_id, handle.result_run_id)


async def record() -> dict[str, list[WorkflowHistory]]:
    """Each flow's runs, recorded on a throwaway dev server and worker."""
    with tempfile.TemporaryDirectory(prefix="waypost-record-") as tmp, FakeEasyPost() as easypost:
        scratch = Path(tmp)
        easypost.plan("EZ1000000001", [Scan("in_transit", at=T0 + timedelta(minutes=30))])
        settings = Settings(
            home=scratch,
            database_url=f"sqlite:///{scratch}/ledger.db",
            task_queue=f"record-{uuid.uuid4().hex[:8]}",
            # Only the carrier-trackers flow's start carries a tracker plan.
            easypost_api_key=SecretStr(EASYPOST_KEY),
            easypost_api_base=easypost.url,
            easypost_tracker_mode=TrackerMode.POLLING,
        )
        dev = DevServer(port=free_port(), ui_port=None, db_file=scratch / "temporal.db")
        async with dev:
            client = await Client.connect(dev.address, data_converter=pydantic_converter)
            async with running_worker(client, settings):
                results = await asyncio.gather(
                    *(
                        run_scenario(client, settings.task_queue, s, "replay", i)
                        for i, s in enumerate(scenarios(), 1)
                    )
                )
                flows: dict[str, list[WorkflowHistory]] = {}
                for result in results:
                    if not result.ok:  # a flow that went wrong is no shape to keep
                        raise RuntimeError(f"{result.scenario.name}: {result.surprises}")
                    flows[slug(result.scenario.name)] = await runs(
                        client, result.state.shipment.workflow_id, result.run_id
                    )
                flows[CONTINUE_AS_NEW] = await continue_as_new(client, settings.task_queue)
                flows[CARRIER_TRACKERS] = await carrier_trackers(
                    client, settings.task_queue, settings
                )
                return flows


def main() -> None:
    """Record and write the files, then leave without interpreter finalization as
    `starters.cli.main` does: Temporal's native threads can abort it ("PyGILState_Release")."""
    parser = argparse.ArgumentParser(prog="python -m tests.histories.record")
    parser.add_argument("--tag", help="suffix for a new shape's files, e.g. the patch id")
    args = parser.parse_args()
    tag = slug(args.tag) if args.tag else None
    code = 0
    try:
        taken = [name for f in flow_names() if (HERE / (name := file_name(f, tag))).exists()]
        if taken:
            raise FileExistsError(f"not overwriting {', '.join(taken)}: add a shape with --tag")
        configure_logging("WARNING", "console")
        # The console providers print every message; only the files written are worth reading.
        with open(os.devnull, "w") as sink, redirect_stdout(sink):
            flows = asyncio.run(record())
        for flow, histories in flows.items():
            for run, history in enumerate(histories, 1):
                path = HERE / file_name(flow, tag, run)
                path.write_text(history.to_json() + "\n")
                events = len(history.events)
                print(f"wrote {path.relative_to(ROOT)} ({events} events, {history.workflow_id})")
    except FileExistsError as err:
        print(err, file=sys.stderr)
        code = 1
    except Exception:
        traceback.print_exc()
        code = 1
    leave(code)


if __name__ == "__main__":
    main()
