"""Waiting, in tests, for a workflow's queried state to reach what a test expects, and for the
ledger's tracking page snapshot to catch up with it."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable

from temporalio.client import Client

from infra.encryption import Keyring
from infra.page_snapshot import open_snapshot
from infra.settings import Settings
from ledger.engine import make_engine
from ledger.views import LedgerReader
from models.notification import NotificationStatus
from models.page import LiveView
from models.state import ShipmentState
from workflows.client import shipment_state
from workflows.page import live_view


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


@functools.cache
def _reader(url: str) -> LedgerReader:
    return LedgerReader(make_engine(url))


def reader(settings: Settings) -> LedgerReader:
    return _reader(settings.ledger_url)


def snapshot(settings: Settings, ref: str) -> LiveView | None:
    """The tracking page's live state as the ledger holds it (None: not recorded yet)."""
    stored = reader(settings).sealed_page(ref)
    if stored is None:
        return None
    keyring = Keyring.from_settings(settings)
    return open_snapshot(keyring, ref, stored.page_contact, stored.page_live)


async def recorded(client: Client, settings: Settings, ref: str) -> LiveView:
    """The ledger's snapshot once it shows what the workflow's query shows: the page reads it,
    and the ledger activity records a change after the workflow took it."""
    for _ in range(300):
        queried = live_view(await shipment_state(client, ref))
        stored = snapshot(settings, ref)
        if stored == queried:
            return stored
        await asyncio.sleep(0.05)
    raise AssertionError(f"the snapshot never matched the query: {stored} != {queried}")
