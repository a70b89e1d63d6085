"""Retention of the ledger: its modes, what anonymising does to each column, what a run did.

A shipment closed longer ago than the retention period (`WAYPOST_RETENTION_DAYS`) is either
deleted with everything recorded about it, or anonymised: every value that identifies the parcel,
the order or the customer is cleared or replaced by a meaningless one, and everything the report
counts (shop, carrier, kinds, channels, statuses, segments, costs, dates) stays, so `waypost
report` gives the same figures before and after. `ANONYMISATION` below says, for every column of
every ledger table, what happens to it and why; a test fails when a column has no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from infra.settings import RetentionMode

__all__ = [
    "ANONYMISATION",
    "ANONYMISED_PREFIX",
    "ColumnRule",
    "Fate",
    "RetentionMode",
    "RetentionSummary",
    "cleared_columns",
    "cutoff",
]

ANONYMISED_PREFIX = "anonymised"
"""Replacement identifiers start with it: `anonymised:<random>` for a shipment's ref,
`anonymised-<random>` or `anonymised-<row id>` for the others."""


class Fate(StrEnum):
    KEEP = "keep"
    CLEAR = "clear"
    """Set to NULL, or to an empty string where the schema wants a value."""
    REPLACE = "replace"
    """Set to a fresh meaningless value where the schema needs one that is unique."""
    STAMP = "stamp"
    """Set to the moment of anonymisation."""
    DROP = "drop"
    """The whole row is deleted with its shipment, whatever the mode."""


@dataclass(frozen=True)
class ColumnRule:
    fate: Fate
    why: str


K, C, R = Fate.KEEP, Fate.CLEAR, Fate.REPLACE
_DATE = "a date: the report's periods and days, and the retention cutoff"
_SHOP = "the shop registry: a business's settings, no shipment's, so retention never touches it"

ANONYMISATION: dict[str, dict[str, ColumnRule]] = {
    "shipments": {
        "ref": ColumnRule(
            R,
            "the workflow id embeds the shop's shipment id: becomes `anonymised:<random>`, "
            "so the shipment's rows stay linked to each other and to nothing else",
        ),
        "shop_id": ColumnRule(K, "the report is per shop; a shop is a business, not a person"),
        "shipment_id": ColumnRule(
            R,
            "the shop's own id of the parcel, a key into its customer records: becomes "
            "`anonymised-<random>` (the schema wants it unique per shop)",
        ),
        "order_id": ColumnRule(C, "the customer's order in the shop: who bought what"),
        "carrier": ColumnRule(K, "a company shared by many shipments; reports may compare them"),
        "tracking_number": ColumnRule(
            C, "the carrier's key to the parcel, its route and its addressee"
        ),
        "delivery_kind": ColumnRule(K, "courier or pickup point, shared by many: an outcome"),
        "locale": ColumnRule(K, "one of four languages, shared by many customers"),
        "status": ColumnRule(K, "the outcome the report counts"),
        "created_at": ColumnRule(K, _DATE),
        "updated_at": ColumnRule(K, _DATE),
        "closed_at": ColumnRule(K, _DATE),
        "anonymised_at": ColumnRule(Fate.STAMP, "marks the row done: a later run passes it by"),
        "marketing_consent_at": ColumnRule(
            C, "proof of one person's consent: once nobody can be named, it proves nothing"
        ),
        "marketing_consent_source": ColumnRule(C, "goes with the consent's date"),
        "page_contact": ColumnRule(
            C,
            "the recipient's addresses, sealed, for the page of a running shipment: cleared "
            "when it closes already",
        ),
        "page_live": ColumnRule(
            C,
            "the live state's courier, pickup code and slots, sealed, for the page of a running "
            "shipment: cleared when it closes already",
        ),
    },
    "shipment_events": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "shipment_ref": ColumnRule(R, "follows the shipment's new ref"),
        "event_id": ColumnRule(
            R, "the carrier's scan id, traceable at the carrier: becomes `anonymised-<row id>`"
        ),
        "status": ColumnRule(K, "the timeline's statuses tell a pickup from a doorstep delivery"),
        "occurred_at": ColumnRule(K, _DATE),
        "received_at": ColumnRule(K, _DATE),
        "location": ColumnRule(
            C, "a depot, pickup point or town near where the customer lives or collects"
        ),
        "description": ColumnRule(
            C, "the carrier's free text: may name a neighbour, a safe place or an address"
        ),
        "outcome": ColumnRule(K, "applied, duplicate, out of order or refused: a count"),
        "reason": ColumnRule(C, "free text about the event, may quote what the carrier sent"),
    },
    "notifications": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "idempotency_key": ColumnRule(
            R, "embeds the shipment's ref: rebuilt from the new ref, kind, occurrence, channel"
        ),
        "shipment_ref": ColumnRule(R, "follows the shipment's new ref"),
        "kind": ColumnRule(K, "which news it was: messages by kind, delay notices"),
        "occurrence": ColumnRule(K, "the n-th message of its kind: a count"),
        "channel": ColumnRule(K, "SMS or email: messages by channel, SMS cost"),
        "recipient_masked": ColumnRule(
            C, "a phone's country code and last digits, an email's initial and domain"
        ),
        "recipient_hash": ColumnRule(
            C, "a keyed hash of the phone number: whoever has the key can test a number"
        ),
        "status": ColumnRule(K, "sent, delivered, failed...: the delivered share"),
        "provider": ColumnRule(K, "Twilio, SendGrid or the console: per-provider figures"),
        "provider_message_id": ColumnRule(
            C, "the provider's id of the message, which its logs tie to the recipient"
        ),
        "claim_token": ColumnRule(C, "a sending attempt's token: of no use once settled"),
        "claimed_at": ColumnRule(K, _DATE),
        "attempts": ColumnRule(K, "how many provider calls it took: a count"),
        "last_error": ColumnRule(C, "the provider's free text, may quote the recipient"),
        "segments": ColumnRule(K, "SMS segments: the report's volume and cost"),
        "cost": ColumnRule(K, "the SMS's estimated cost: the report's cost"),
        "created_at": ColumnRule(K, _DATE),
        "sent_at": ColumnRule(K, "a date, and what tells a message sent from one refused"),
        "updated_at": ColumnRule(K, _DATE),
    },
    "notification_attempts": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "notification_id": ColumnRule(K, "a row number: follows its (anonymised) message"),
        "attempt": ColumnRule(K, "the attempt's number: a count"),
        "provider": ColumnRule(K, "a company"),
        "started_at": ColumnRule(K, _DATE),
        "finished_at": ColumnRule(K, _DATE),
        "outcome": ColumnRule(K, "sent, retryable, permanent or reconciled: a count"),
        "error_code": ColumnRule(K, "the provider's code (e.g. Twilio 21211): names no one"),
        "error_message": ColumnRule(
            C, "free text: the provider's words and message ids of reconciliations"
        ),
    },
    "delivery_reports": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "notification_id": ColumnRule(K, "a row number: follows its (anonymised) message"),
        "provider": ColumnRule(K, "a company"),
        "provider_message_id": ColumnRule(
            C, "the provider's id of the message, which its logs tie to the recipient"
        ),
        "event_id": ColumnRule(
            R,
            "the provider's callback id (Twilio's embeds the message id): becomes "
            "`anonymised-<row id>` (the schema wants it unique per provider)",
        ),
        "event": ColumnRule(K, "the provider's word: delivered, bounce, dropped..."),
        "status": ColumnRule(K, "what the callback moved the message to"),
        "permanent": ColumnRule(K, "a hard failure or not: a count"),
        "error_code": ColumnRule(K, "the provider's code: names no one"),
        "detail": ColumnRule(C, "free text: a bounce's reason quotes the mail server's reply"),
        "occurred_at": ColumnRule(K, _DATE),
        "received_at": ColumnRule(K, _DATE),
    },
    "calls": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "shipment_ref": ColumnRule(R, "follows the shipment's new ref"),
        "call_id": ColumnRule(
            R,
            "the call centre's id of the call, a key into its records of the customer: becomes "
            "`anonymised-<row id>` (the schema wants it unique per shipment)",
        ),
        "occurred_at": ColumnRule(K, _DATE),
        "centre": ColumnRule(K, "the shop's or the carrier's call centre: calls by who made them"),
        "operator": ColumnRule(C, "a call-centre employee's name or id: a person"),
        "direction": ColumnRule(K, "outbound or inbound: a count"),
        "outcome": ColumnRule(K, "answered, no answer...: the report's calls by outcome"),
        "note": ColumnRule(C, "the operator's free text: what the customer said, where they live"),
        "recorded_at": ColumnRule(K, _DATE),
    },
    "set_aside": {
        column: ColumnRule(
            Fate.DROP,
            "a part the ledger could not store, kept for support: its payload holds the raw "
            "values anonymising clears, and no report counts it",
        )
        for column in (
            "id",
            "shipment_ref",
            "part",
            "key",
            "error_class",
            "error",
            "payload",
            "set_aside_at",
        )
    },
    "webhook_deliveries": {
        column: ColumnRule(
            Fate.DROP,
            "an event told to the shop: its payload names the order and the parcel, and no "
            "report counts it; it goes with its shipment (one about no shipment, an opt-out, "
            "once older than the cutoff)",
        )
        for column in (
            "id",
            "shop_id",
            "shipment_ref",
            "event_type",
            "payload",
            "created_at",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "delivered_at",
            "generation",
            "started_at",
        )
    },
    "webhook_attempts": {
        column: ColumnRule(Fate.DROP, "an attempt at a webhook delivery: goes with it")
        for column in (
            "id",
            "delivery_id",
            "generation",
            "attempt",
            "started_at",
            "finished_at",
            "status_code",
            "error",
            "outcome",
        )
    },
    "shops": {
        "shop_id": ColumnRule(K, _SHOP),
        "profile": ColumnRule(
            K, _SHOP + "; its contacts and address are the business's, published to customers"
        ),
        "webhook_secret": ColumnRule(
            K,
            _SHOP + "; a secret stored as given, not hashed, since Waypost signs the shop's "
            "webhooks with it: never logged, printed or answered",
        ),
        "created_at": ColumnRule(K, _SHOP),
        "updated_at": ColumnRule(K, _SHOP),
    },
    "shop_api_keys": {
        column: ColumnRule(
            K, _SHOP + "; a key is stored only as its SHA-256 and a short prefix, never itself"
        )
        for column in (
            "id",
            "shop_id",
            "name",
            "key_hash",
            "prefix",
            "created_at",
            "last_used_at",
            "revoked_at",
        )
    },
    "opt_outs": {
        "id": ColumnRule(K, "a row number of the ledger's own"),
        "shop_id": ColumnRule(K, "the shop the customer said stop to: a business"),
        "channel": ColumnRule(K, "SMS or email: what the opt-out stops"),
        "recipient_hash": ColumnRule(
            K,
            "a keyed hash, tied to no shipment: clearing it would message someone who said "
            "stop, so an opt-out outlives every parcel (its own legal basis, GDPR art. 21)",
        ),
        "category": ColumnRule(K, "transactional or marketing: what the opt-out stops"),
        "source": ColumnRule(K, "STOP, a provider's refusal, an unsubscribe: names no one"),
        "created_at": ColumnRule(K, "when consent was withdrawn: the proof the shop may need"),
    },
}
"""Every ledger column's fate when its shipment is anonymised, and why."""


def cleared_columns() -> list[str]:
    """`table.column` of everything anonymising clears or replaces (for the command to say)."""
    return [
        f"{table}.{column}"
        for table, columns in ANONYMISATION.items()
        for column, rule in columns.items()
        if rule.fate in (Fate.CLEAR, Fate.REPLACE)
    ]


def cutoff(now: datetime, days: int) -> datetime:
    """Shipments closed before this moment are due; `days` must be at least one."""
    if days < 1:
        raise ValueError(f"the retention period must be at least 1 day, not {days}")
    return now - timedelta(days=days)


class RetentionSummary(BaseModel):
    """What a retention run did (or, dry, would do): shipments and the rows that went with them."""

    model_config = ConfigDict(frozen=True)

    mode: RetentionMode
    days: int
    cutoff: datetime
    dry_run: bool
    shipments_by_shop: dict[str, int] = {}
    events: int = 0
    notifications: int = 0
    attempts: int = 0
    delivery_reports: int = 0
    calls: int = 0
    unmatched_reports: int = 0
    """Provider callbacks received before the cutoff that never matched a message: deleted in
    both modes (they belong to no shipment a report could count)."""
    batches: int = 0

    @property
    def shipments(self) -> int:
        return sum(self.shipments_by_shop.values())
