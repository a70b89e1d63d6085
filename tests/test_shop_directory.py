"""Which shop a message names: the registry's profile, else the settings', else the shop's id;
read at most once a minute per shop."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from activities.shops import RegistryShops, SettingsShops
from ledger.engine import make_engine
from ledger.shops import ShopRegistry
from ledger.views import LedgerReader
from models.shop import ShopProfile
from tests.db_fixtures import unique

ACME = ShopProfile(display_name="Acme Outdoor")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry(database_url: str) -> Iterator[ShopRegistry]:
    engine = make_engine(database_url)
    try:
        yield ShopRegistry(engine)
    finally:
        engine.dispose()


def directory(registry: ShopRegistry, clock: Clock, **profiles: ShopProfile) -> RegistryShops:
    return RegistryShops(
        LedgerReader(registry.engine), fallback=SettingsShops(profiles), clock=clock
    )


def test_a_registered_shop_is_named_by_its_profile(registry: ShopRegistry) -> None:
    shop_id = unique("shop")
    registry.create(shop_id, ACME)

    assert directory(registry, Clock()).profile(shop_id) == ACME


def test_a_shop_not_in_the_registry_is_named_by_the_settings_or_its_id(
    registry: ShopRegistry,
) -> None:
    shops = directory(registry, Clock(), demo=ACME)

    assert shops.profile("demo") == ACME
    assert shops.profile("elsewhere") == ShopProfile(display_name="elsewhere")


def test_a_renamed_shop_is_read_again_after_a_minute(registry: ShopRegistry) -> None:
    shop_id = unique("shop")
    registry.create(shop_id, ACME)
    clock = Clock()
    shops = directory(registry, clock)
    shops.profile(shop_id)
    renamed = ACME.model_copy(update={"display_name": "Acme Mountain"})
    registry.update(shop_id, renamed)

    before = shops.profile(shop_id)
    clock.now += RegistryShops.TTL_SECONDS + 1

    assert (before, shops.profile(shop_id)) == (ACME, renamed)
