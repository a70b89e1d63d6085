"""The tracking page's copy of a running shipment's live state (`models.page`) as the ledger keeps
it: sealed with the payload keyring, each part bound to its shipment and column.

It holds personal data (the recipient's addresses, the courier's name and phone, the pickup
code), which the ledger otherwise never stores in clear: with keys configured only processes
holding them (the worker that seals, the HTTP service that opens) can read it.
"""

from __future__ import annotations

from pydantic import ValidationError

from infra.encryption import Keyring, PayloadKeyError, open_value, seal_value
from models.page import LivePage, LiveView, PageContact

__all__ = ["SnapshotUnreadable", "open_snapshot", "seal_contact", "seal_live"]

CONTACT = "page_contact"
LIVE = "page_live"


class SnapshotUnreadable(Exception):
    """A stored snapshot that cannot be opened or read here (the page asks the workflow)."""


def seal_contact(keyring: Keyring | None, ref: str, contact: PageContact) -> bytes:
    return seal_value(keyring, contact.model_dump_json().encode(), sealed_for=f"{ref}/{CONTACT}")


def seal_live(keyring: Keyring | None, ref: str, page: LivePage) -> bytes:
    return seal_value(keyring, page.model_dump_json().encode(), sealed_for=f"{ref}/{LIVE}")


def open_snapshot(
    keyring: Keyring | None, ref: str, contact: bytes | None, live: bytes | None
) -> LiveView | None:
    """The live view the ledger holds for `ref`; None when it holds none (a shipment started
    before snapshots, or closed). SnapshotUnreadable when it cannot be opened or read here."""
    if contact is None or live is None:
        return None
    try:
        return LiveView(
            contact=PageContact.model_validate_json(
                open_value(keyring, contact, sealed_for=f"{ref}/{CONTACT}")
            ),
            page=LivePage.model_validate_json(
                open_value(keyring, live, sealed_for=f"{ref}/{LIVE}")
            ),
        )
    except (PayloadKeyError, ValidationError) as err:
        raise SnapshotUnreadable(type(err).__name__) from err
