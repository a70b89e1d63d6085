"""Which shop a message is from: the profile that names and brands it.

The sending activity asks a `ShopDirectory` when it renders (not the workflow: the shop's name
never enters a workflow's history, so saved histories replay unchanged and a renamed shop's next
message carries the new name). The ledger's shop registry is the real directory; until it is
there, `SettingsShops` reads `WAYPOST_SHOP_PROFILES` and names any other shop by its id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from models.shop import ShopProfile


class ShopDirectory(Protocol):
    def profile(self, shop_id: str) -> ShopProfile | None:
        """The shop's profile, or None when the directory does not know the shop."""
        ...


class SettingsShops:
    """Profiles from the settings (`WAYPOST_SHOP_PROFILES`, JSON shop id -> profile); a shop
    not listed is named by its id, so every message still names who it is from."""

    def __init__(self, profiles: Mapping[str, ShopProfile]) -> None:
        self.profiles = dict(profiles)

    def profile(self, shop_id: str) -> ShopProfile | None:
        return self.profiles.get(shop_id) or ShopProfile(display_name=shop_id)


def shop_of(shipment_ref: str) -> str | None:
    """The shop id in a workflow id `shipment:<shop_id>:<shipment_id>`."""
    parts = shipment_ref.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "shipment" and parts[1] else None
