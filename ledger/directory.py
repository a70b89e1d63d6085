"""Which shop a message or a page is from: the profile that names and brands it.

The sending activity asks a `ShopDirectory` when it renders (not the workflow: the shop's name
never enters a workflow's history, so saved histories replay unchanged and a renamed shop's next
message carries the new name); the tracking page asks the same directory for its header and help
block. Both use `RegistryShops`: the ledger's shop registry (`waypost shop ...`), then
`WAYPOST_SHOP_PROFILES` (`SettingsShops`, for the demo and compose), then the shop's id as its
name. It lives with the ledger's read side (it reads only `LedgerReader`), so the worker and the
HTTP service share one lookup (`activities.shops` re-exports it for the sending path).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

from ledger.views import LedgerReader
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


class RegistryShops:
    """The registry's profile of a shop, read at most once a minute per shop (a renamed shop's
    messages carry the new name within a minute), else the fallback's."""

    TTL_SECONDS = 60.0

    def __init__(
        self,
        reader: LedgerReader,
        fallback: ShopDirectory,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader = reader
        self.fallback = fallback
        self._clock = clock
        self._cache: dict[str, tuple[float, ShopProfile | None]] = {}

    def profile(self, shop_id: str) -> ShopProfile | None:
        now = self._clock()
        cached = self._cache.get(shop_id)
        if cached is None or now - cached[0] > self.TTL_SECONDS:
            view = self.reader.shop(shop_id)
            cached = self._cache[shop_id] = (now, view.shop.profile if view else None)
        return cached[1] or self.fallback.profile(shop_id)
