"""What every route needs, built once per process: settings, the Temporal client, the ledger,
the link signer. Routes get it through `services()`, so tests build the app on real parts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import TypeVar

from fastapi import Request
from temporalio.client import Client

from infra.encryption import Keyring
from infra.links import TrackingLinks, recipient_hash
from infra.settings import Settings
from ledger.claims import LedgerWriter
from ledger.directory import RegistryShops, SettingsShops, ShopDirectory
from ledger.shops import ShopRegistry
from ledger.views import LedgerReader
from ledger.webhooks import WebhookLog

T = TypeVar("T")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    client: Client
    ledger: LedgerReader
    ledger_writer: LedgerWriter
    """The HTTP service writes only what a provider reports of a message (`provider_hooks`)."""
    links: TrackingLinks
    secret: bytes
    shops: ShopRegistry
    """The shop registry: API keys (their last use), profiles read and updated over /v1/shop."""
    clock: Callable[[], datetime] = utcnow
    directory: ShopDirectory = field(init=False)
    """Who a shipment's shop is, for the tracking page: the registry's profile (read at most
    once a minute per shop), else `WAYPOST_SHOP_PROFILES`, as the worker's messages name it."""

    def __post_init__(self) -> None:
        self.directory = RegistryShops(self.ledger, SettingsShops(self.settings.shop_profiles))

    @cached_property
    def keyring(self) -> Keyring | None:
        """Opens the tracking page's sealed snapshots (None: encryption is off)."""
        return Keyring.from_settings(self.settings)

    @cached_property
    def webhooks(self) -> WebhookLog:
        """Webhooks to the shop: replies recorded as events, the shop's delivery log, replays."""
        return WebhookLog(self.ledger.engine, clock=self.clock)

    def hash_recipient(self, address: str) -> str:
        return recipient_hash(self.secret, address)

    def tracking_link(self, ref: str) -> str | None:
        return self.links.url(ref, self.clock())

    async def db(self, fn: Callable[..., T], *args: object) -> T:
        """Run a (blocking) ledger call off the event loop."""
        return await asyncio.to_thread(fn, *args)


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found
