"""Which shipment a carrier event is for, when the carrier names only a tracking number.

Tracking numbers are not unique across shops: two shops may ship with the same carrier account,
a carrier may recycle numbers, and a shop may register another shop's number, by mistake or to
read its customer's events (the courier's name and phone, the window, a pickup code). So the
rule is: an event reaches a shipment only when exactly one shop can be meant.

- On a shop's own webhook (`/v1/carriers/{carrier}/shops/{shop_id}/events`) only that shop's
  shipments are candidates.
- On the shared webhook (`/v1/carriers/{carrier}/events`) every shop's are; when the number
  belongs (or belonged, until retention anonymises it) to shipments of more than one shop, the
  event is refused as ambiguous rather than guessed, and the answer names the shop webhook.
- Within one shop, the newest open shipment with the number wins (a re-sent parcel), else the
  newest closed one (its events are answered as duplicates or as closed).

Pure: the router gathers the candidates (ledger, then Temporal's visibility) and applies this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Candidate:
    """A shipment carrying the event's tracking number, oldest first in a candidate list."""

    ref: str
    shop_id: str
    open: bool


class Unroutable(Enum):
    NONE = "none"
    """No shipment (of the shop, on a shop webhook) carries the number."""
    AMBIGUOUS = "ambiguous"
    """Shipments of several shops carry it: only a shop's own webhook can say which."""


def choose_shipment(candidates: Sequence[Candidate], shop_id: str | None) -> str | Unroutable:
    """The workflow id the event goes to, or why it goes nowhere.

    `shop_id` is the shop whose webhook received the event (None: the shared webhook)."""
    mine = [c for c in candidates if shop_id is None or c.shop_id == shop_id]
    if not mine:
        return Unroutable.NONE
    if len({c.shop_id for c in mine}) > 1:
        return Unroutable.AMBIGUOUS
    open_ones = [c for c in mine if c.open]
    return (open_ones or mine)[-1].ref
