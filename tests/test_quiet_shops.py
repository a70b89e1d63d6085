"""Which shops the ledger tries a one-statement write for (`ledger.one_statement.QuietShops`):
every shop on PostgreSQL, but one seen with a webhook URL for a while."""

from __future__ import annotations

from ledger.one_statement import QuietShops


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_quiet_writes_are_tried_on_postgresql_only() -> None:
    assert QuietShops("postgresql").first("acme")
    assert not QuietShops("sqlite").first("acme")


def test_a_shop_seen_with_a_webhook_url_is_tried_again_once_the_memory_has_passed() -> None:
    clock = Clock()
    shops = QuietShops("postgresql", memory=60, clock=clock)

    shops.loud("acme")
    skipped = shops.first("acme")
    clock.now = 60

    assert (skipped, shops.first("acme")) == (False, True)


def test_a_transaction_that_reads_no_webhook_url_makes_the_shop_quiet_again() -> None:
    shops = QuietShops("postgresql", memory=60, clock=Clock())
    shops.loud("acme")

    shops.heard("acme", None)

    assert shops.first("acme")
