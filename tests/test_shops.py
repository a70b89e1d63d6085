"""The shop registry on SQLite and PostgreSQL: profiles, hashed keys, revocation, last use,
the migration; and the pure rules shops go by (default policy, profile patches)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from pydantic import ValidationError
from sqlalchemy import inspect, text

from ledger.claims import Ledger
from ledger.engine import make_engine
from ledger.migrations import alembic_config, upgrade_database
from ledger.shops import KEY_PREFIX, TOUCH_EVERY, RegistryError, ShopRegistry, key_hash
from models.notification import Channel, NotificationKind
from models.policy import NotificationPolicy
from models.shop import ShopProfile, patched_profile, shipment_policy
from testing.factories import T0, shipment
from tests.db_fixtures import unique

PROFILE = ShopProfile(display_name="Acme Outdoor", postal_address="1 Hill Road, Leeds")


@pytest.fixture
def registry(database_url: str) -> Iterator[ShopRegistry]:
    engine = make_engine(database_url)
    try:
        yield ShopRegistry(engine)
    finally:
        engine.dispose()


@pytest.fixture
def shop_id(registry: ShopRegistry) -> str:
    made = unique("shop")
    registry.create(made, PROFILE, now=T0)
    return made


def everything_stored(registry: ShopRegistry) -> str:
    with registry.engine.connect() as conn:
        rows = [
            *conn.execute(text("SELECT * FROM shops")),
            *conn.execute(text("SELECT * FROM shop_api_keys")),
        ]
    return "\n".join(repr(value) for row in rows for value in row)


# Profiles


def test_a_shop_is_read_back_with_its_profile(registry: ShopRegistry, shop_id: str) -> None:
    view = registry.reader.shop(shop_id)

    assert view is not None
    assert view.shop.profile == PROFILE
    assert shop_id in [v.shop.shop_id for v in registry.reader.shops()]


def test_a_shop_cannot_be_created_twice(registry: ShopRegistry, shop_id: str) -> None:
    with pytest.raises(RegistryError, match="exists"):
        registry.create(shop_id, PROFILE)


def test_an_update_replaces_the_profile(registry: ShopRegistry, shop_id: str) -> None:
    registry.update(shop_id, PROFILE.model_copy(update={"display_name": "Acme"}))

    view = registry.reader.shop(shop_id)
    assert view is not None and view.shop.profile.display_name == "Acme"


# Keys


def test_a_key_is_stored_only_as_its_hash(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production")

    stored = everything_stored(registry)
    assert made.key.startswith(KEY_PREFIX)
    assert made.key not in stored
    assert made.key[len(made.view.prefix) :] not in stored
    assert key_hash(made.key) in stored


def test_a_key_is_shown_once_only(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production")

    listed = registry.reader.api_keys(shop_id)
    assert made.key not in repr(listed)
    assert [k.name for k in listed] == ["production"]


def test_a_key_names_its_shop(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production")

    known = registry.authenticate(made.key)
    assert known is not None and known.shop_id == shop_id


def test_an_unknown_key_names_no_shop(registry: ShopRegistry, shop_id: str) -> None:
    registry.create_key(shop_id, "production")

    assert registry.authenticate(KEY_PREFIX + "x" * 43) is None
    assert registry.authenticate("not-a-registry-key") is None


def test_a_revoked_key_is_refused(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production")
    kept = registry.create_key(shop_id, "staging")

    revoked = registry.revoke_key(shop_id, made.view.prefix)

    assert revoked.revoked_at is not None
    assert registry.authenticate(made.key) is None
    assert registry.authenticate(kept.key) is not None


def test_a_key_is_revoked_by_its_name(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production")

    registry.revoke_key(shop_id, "production")

    assert registry.authenticate(made.key) is None


def test_a_shop_cannot_revoke_another_shops_key(registry: ShopRegistry, shop_id: str) -> None:
    other = unique("shop")
    registry.create(other, PROFILE)
    made = registry.create_key(other, "production")

    with pytest.raises(RegistryError):
        registry.revoke_key(shop_id, made.view.prefix)
    assert registry.authenticate(made.key) is not None


def test_two_keys_of_a_shop_cannot_share_a_name(registry: ShopRegistry, shop_id: str) -> None:
    registry.create_key(shop_id, "production")

    with pytest.raises(RegistryError, match="named"):
        registry.create_key(shop_id, "production")


def test_last_use_is_recorded_at_most_once_a_minute(registry: ShopRegistry, shop_id: str) -> None:
    made = registry.create_key(shop_id, "production", now=T0)

    registry.authenticate(made.key, now=T0 + timedelta(seconds=1))
    registry.authenticate(made.key, now=T0 + timedelta(seconds=30))
    first = registry.reader.api_keys(shop_id)[0].last_used_at
    registry.authenticate(made.key, now=T0 + timedelta(seconds=1) + TOUCH_EVERY)
    later = registry.reader.api_keys(shop_id)[0].last_used_at

    assert first == T0 + timedelta(seconds=1)
    assert later == T0 + timedelta(seconds=1) + TOUCH_EVERY


# The migration


def test_0005_adds_the_registry_and_keeps_the_shipments(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0004")
    start = shipment()
    engine = make_engine(empty_database_url)
    try:
        Ledger(engine).record_shipment(start.workflow_id, start)

        upgrade_database(empty_database_url)

        assert {"shops", "shop_api_keys"} <= set(inspect(engine).get_table_names())
        assert Ledger(engine).shipment(start.workflow_id) is not None
        ShopRegistry(engine).create("shop-1", PROFILE)
        command.downgrade(config, "0004")
        assert "shops" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


# The rules


DEFAULT = NotificationPolicy(
    sms_cap=5, channels={NotificationKind.SHIPPED: (Channel.EMAIL,)}, shop_email="ops@acme.example"
)


def test_without_a_default_the_request_policy_stands() -> None:
    requested = NotificationPolicy(sms_cap=4)

    assert shipment_policy(None, requested, {"sms_cap"}) == requested


def test_a_request_without_a_policy_takes_the_shops_default() -> None:
    assert shipment_policy(DEFAULT, NotificationPolicy(), set()) == DEFAULT


def test_each_top_level_field_the_request_gives_wins_whole() -> None:
    requested = NotificationPolicy(sms_cap=4, channels={NotificationKind.DELIVERED: ()})

    merged = shipment_policy(DEFAULT, requested, {"sms_cap", "channels"})

    assert merged.sms_cap == 4
    assert merged.channels == NotificationPolicy().channels | {NotificationKind.DELIVERED: ()}
    assert merged.shop_email == "ops@acme.example"


def test_a_profile_patch_changes_only_what_it_names() -> None:
    patched = patched_profile(PROFILE, {"brand": {"accent_colour": "#000000"}})

    assert patched.brand.accent_colour == "#000000"
    assert patched.display_name == PROFILE.display_name
    assert patched.postal_address == PROFILE.postal_address


def test_a_null_in_a_profile_patch_resets_the_field() -> None:
    assert patched_profile(PROFILE, {"postal_address": None}).postal_address is None


def test_a_bad_profile_patch_names_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        patched_profile(PROFILE, {"brand": {"accent_colour": "red"}})

    assert raised.value.errors()[0]["loc"] == ("brand", "accent_colour")
