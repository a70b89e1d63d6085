"""Which shop a message is from: `ledger.directory`'s lookup (the registry, then
`WAYPOST_SHOP_PROFILES`, then the shop's id), shared with the tracking page."""

from ledger.directory import RegistryShops, SettingsShops, ShopDirectory

__all__ = ["RegistryShops", "SettingsShops", "ShopDirectory"]
