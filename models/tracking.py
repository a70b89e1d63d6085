"""Trackers Waypost creates at a tracking service (EasyPost, Shippo) for a shop's shipment.

A shop that ships through EasyPost or Shippo would otherwise create each tracker there itself
and point its webhook at Waypost. With the service's key in the settings, the workflow creates
the tracker when the shipment starts and, in polling mode, fetches it on a durable timer.

`TrackerPlan` is decided when the shipment starts (from the settings, by whoever starts it) and
travels in the workflow's input, so the workflow never reads settings (replay stays
deterministic) and no key ever reaches its history: the activity looks the key up by shop.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class TrackerService(StrEnum):
    EASYPOST = "easypost"
    SHIPPO = "shippo"


class TrackerMode(StrEnum):
    WEBHOOK = "webhook"
    """Create the tracker; its events arrive on the carrier webhook (as when a shop made it)."""
    POLLING = "polling"
    """Create the tracker and fetch it on a durable timer: for accounts with no webhook."""


class TrackerPlan(BaseModel):
    """Which service tracks the shipment, how its events arrive, and whose account it is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: TrackerService
    mode: TrackerMode = TrackerMode.WEBHOOK
    shop_account: bool = False
    """The shop's own key (settings: shop_tracker_keys) rather than the deployment's."""


class TrackerRequest(BaseModel):
    """The create and poll activities' input: one shipment's tracker at one service."""

    shop_id: str
    shipment_ref: str
    plan: TrackerPlan
    carrier: str
    tracking_number: str
    tracker_id: str | None = None
    """Known once created: polling EasyPost fetches the tracker by it."""


class TrackerState(BaseModel):
    """The tracker as the workflow knows it: shown to support (`waypost shipment show`, the UI's
    details) and carried across continue-as-new, so a resumed run never creates a second one."""

    service: TrackerService
    mode: TrackerMode
    tracker_id: str | None = None
    created_at: datetime | None = None
    error: str | None = None
    """Why there is no tracker: the service refused it for good (a 4xx: unknown carrier, invalid
    tracking number, bad key) or stayed down through every retry. Support fixes it; the
    customer's messages never wait for it."""
    last_poll_at: datetime | None = None
    last_poll_error: str | None = None
    polls: int = 0
    next_poll_at: datetime | None = None

    def summary(self) -> str:
        """One line for support: service, mode, id or why there is none, last poll."""
        what = f"{self.service.value} tracker ({self.mode.value})"
        if self.error:
            what += f": not created, {self.error}"
        elif self.tracker_id:
            what += f" {self.tracker_id}"
        else:
            what += ": being created"
        if self.mode is TrackerMode.POLLING and self.polls:
            stamp = self.last_poll_at.strftime("%Y-%m-%d %H:%M %Z") if self.last_poll_at else "-"
            what += f"; polled {self.polls}x, last {stamp}"
            if self.last_poll_error:
                what += f" (failed: {self.last_poll_error})"
        if self.mode is TrackerMode.POLLING and self.next_poll_at:
            what += f"; next poll {self.next_poll_at.strftime('%Y-%m-%d %H:%M %Z')}"
        return what
