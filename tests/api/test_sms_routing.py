"""Which shop an inbound STOP is meant for (pure): the shop's own number or Messaging Service
names it; only the shared sender falls back to the last shop texting from it."""

from __future__ import annotations

from api.sms_routing import NOBODY, Addressed, addressed
from models.shop import ShopProfile, SmsSender

SHARED, SHARED_SERVICE = "+15005550006", "MG" + "f" * 32
SERVICE = "MG" + "0123456789abcdef" * 2
PROFILES = {
    "numbered": ShopProfile(display_name="A", sms=SmsSender(from_number="+15005550101")),
    "serviced": ShopProfile(display_name="B", sms=SmsSender(messaging_service_sid=SERVICE)),
    "plain": ShopProfile(display_name="C"),
}


def meant(to: str, service: str | None = None) -> Addressed:
    return addressed(PROFILES, to, service, shared_number=SHARED, shared_service=SHARED_SERVICE)


def test_a_shops_own_number_names_that_shop() -> None:
    assert meant("+15005550101") == Addressed(among=frozenset({"numbered"}))


def test_a_shops_messaging_service_names_that_shop_whatever_number_of_its_pool() -> None:
    assert meant("+15005550777", SERVICE) == Addressed(among=frozenset({"serviced"}))


def test_the_shared_number_means_the_shops_without_a_sender_of_their_own() -> None:
    expected = Addressed(besides=frozenset({"numbered", "serviced"}))
    assert meant(SHARED) == expected
    assert meant("+15005550555", SHARED_SERVICE) == expected
    assert meant("") == expected  # no To: nothing to tell the shops apart by


def test_a_number_no_shop_sends_from_means_no_shop() -> None:
    assert meant("+15005550199") == NOBODY


def test_shops_sharing_one_number_are_all_candidates() -> None:
    twins = {
        name: ShopProfile(display_name=name, sms=SmsSender(from_number="+15005550101"))
        for name in ("x", "y")
    }
    found = addressed(twins, "+15005550101", None, shared_number=SHARED, shared_service=None)
    assert found == Addressed(among=frozenset({"x", "y"}))
