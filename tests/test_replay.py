"""Every saved history replays against today's ShipmentWorkflow.

A shipment lives for days, so a deploy meets workflows started by older code: a change that
alters the commands an old history recorded breaks them on their next task. Replay catches it
here, without a server. Histories come from `python -m tests.histories.record`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from infra.converter import pydantic_converter
from tests.histories.record import CONTINUE_AS_NEW, HERE, file_name, flow_names
from workers.worker import WORKFLOW_RUNNER
from workflows.shipment import ShipmentWorkflow

HISTORIES = sorted(HERE.glob("*.json"))


def load(path: Path) -> WorkflowHistory:
    """The history with its real workflow id (the JSON keeps it only in the start event)."""
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    started = history.events[0].workflow_execution_started_event_attributes
    return WorkflowHistory(started.workflow_id or path.stem, history.events)


@pytest.fixture(scope="module")
def replayer() -> Replayer:
    return Replayer(
        workflows=[ShipmentWorkflow],
        data_converter=pydantic_converter,
        workflow_runner=WORKFLOW_RUNNER,
    )


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: path.name)
async def test_history_replays(replayer: Replayer, path: Path) -> None:
    await replayer.replay_workflow(load(path))


def test_every_flow_has_a_history() -> None:
    """Deleting a history would silently stop guarding the flow it recorded."""
    names = {path.name for path in HISTORIES}
    wanted = {file_name(flow, None) for flow in flow_names()}
    wanted.add(file_name(CONTINUE_AS_NEW, None, run=2))
    assert wanted <= names, f"missing: {sorted(wanted - names)}"
