"""Waiting, in tests, for a workflow's queried state to reach what a test expects."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from temporalio.client import Client

from models.notification import NotificationStatus
from models.state import ShipmentState
from workflows.client import shipment_state


async def eventually(
    client: Client, ref: str, check: Callable[[ShipmentState], bool], seconds: float = 15
) -> ShipmentState:
    """Query the shipment until `check` holds (activities settle after the update answers)."""
    for _ in range(int(seconds / 0.05)):
        state = await shipment_state(client, ref)
        if check(state):
            return state
        await asyncio.sleep(0.05)
    raise AssertionError(f"{ref} never reached the expected state: {state.model_dump_json()}")


def all_settled(state: ShipmentState) -> bool:
    """Every planned message has its ledger answer."""
    return all(
        n.status not in (NotificationStatus.PLANNED, NotificationStatus.SENDING)
        for n in state.notifications
    )
