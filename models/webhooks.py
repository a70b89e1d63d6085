"""Webhooks to the shop: the events Waypost tells a shop, their payloads, and how a delivery is
retried. Values only: the ledger records each event (`ledger.webhooks`), a small workflow per
event delivers it (`workflows.webhook`), signed in the Standard Webhooks format.

A payload carries identifiers and statuses: the shop's own shipment and order ids, the carrier
and tracking number, what happened. Never a phone number or an email address (the shop knows
its customers by their order; the delivery log must not become a list of them).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

STORAGE_DEADLINE_EVENT = "waypost:storage-deadline:"
"""The prefix of the event Waypost records itself when a parcel's storage deadline passes (the
parcel goes back): the return of an uncollected parcel."""


class ShopEventType(StrEnum):
    """What a shop is told (the payload's `type`)."""

    SHIPMENT_STATUS_CHANGED = "shipment.status_changed"
    """A carrier event moved the shipment: its status, the carrier's description, location."""
    SHIPMENT_RETURN_UNCOLLECTED = "shipment.return_uncollected"
    """The storage deadline at a pickup point passed: the parcel goes back to the shop."""
    MESSAGE_OUTCOME = "message.outcome"
    """A message to the customer settled: sent, delivered, undelivered, failed, opted_out,
    suppressed, superseded or delegated."""
    CUSTOMER_REPLY = "customer.reply"
    """The customer answered: confirmed the courier, asked to reschedule, chose a slot."""
    RECIPIENT_OPTED_OUT = "recipient.opted_out"
    """SMS STOP (or Twilio's 21610), an email unsubscribe, a spam report, a hard bounce."""
    RECIPIENT_OPTED_IN = "recipient.opted_in"
    """SMS START / UNSTOP lifted the number's SMS opt-outs."""


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    """Recorded; being delivered (or retried, or replayed)."""
    DELIVERED = "delivered"
    """The shop's endpoint answered 2xx."""
    FAILED = "failed"
    """Retried for the whole retry period (a day by default) without a 2xx: given up."""


class WebhookRetry(BaseModel):
    """How a delivery is retried (Temporal's retry policy for the POST activity): doubling from
    `initial_interval` to `maximum_interval`, given up after `give_up_after` in all."""

    model_config = ConfigDict(frozen=True)

    initial_interval: timedelta = timedelta(seconds=10)
    maximum_interval: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)
    request_timeout: timedelta = timedelta(seconds=10)
    """One POST's budget: a slow endpoint costs an attempt, never a customer's message."""


class WebhookDeliveryStart(BaseModel):
    """The delivery workflow's one argument: which event, which delivery of it (replays are
    later generations, each a workflow of its own), and how to retry."""

    delivery_id: str
    shop_id: str
    generation: int = 0
    retry: WebhookRetry = Field(default_factory=WebhookRetry)


class WebhookAttemptInput(BaseModel):
    """What the POST activity needs: the ledger holds the payload, the URL and the secret, read
    at each attempt so a changed endpoint applies to the retries."""

    delivery_id: str
    shop_id: str
    generation: int
    request_timeout: timedelta


class WebhookGiveUp(BaseModel):
    delivery_id: str
    generation: int
    error: str


def delivery_workflow_id(delivery_id: str, generation: int = 0) -> str:
    """Derived from the delivery, so a repeated start finds the workflow already there."""
    suffix = f":replay-{generation}" if generation else ""
    return f"webhook:{delivery_id}{suffix}"


def stable_delivery_id(*parts: str) -> str:
    """A delivery id derived from what the event reports (`webhook-id`, `msg_` and 32 hex): a
    retried ledger write of the same fact finds the same row instead of a second event."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return f"msg_{digest[:32]}"


def envelope(event_type: ShopEventType, data: dict[str, Any], at: datetime) -> str:
    """The body as sent, the Standard Webhooks shape: `type`, `timestamp`, `data`."""
    body = {"type": event_type.value, "timestamp": at.isoformat(), "data": data}
    return json.dumps(body, separators=(",", ":"), sort_keys=True, default=str)


def shipment_data(
    shop_id: str, shipment_id: str, order_id: str, carrier: str, tracking_number: str
) -> dict[str, str]:
    """How every event names its shipment: the shop's own identifiers."""
    return {
        "shop_id": shop_id,
        "shipment_id": shipment_id,
        "order_id": order_id,
        "carrier": carrier,
        "tracking_number": tracking_number,
    }
