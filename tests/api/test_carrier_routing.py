"""The routing rule on its own: an event reaches a shipment only when one shop can be meant."""

from __future__ import annotations

from api.carrier_routing import Candidate, Unroutable, choose_shipment


def test_the_newest_open_shipment_of_the_one_shop_is_chosen() -> None:
    candidates = [
        Candidate("shipment:a:1", "a", open=True),
        Candidate("shipment:a:2", "a", open=True),
        Candidate("shipment:a:3", "a", open=False),
    ]

    assert choose_shipment(candidates, None) == "shipment:a:2"


def test_a_closed_shipment_is_chosen_when_none_is_open() -> None:
    candidates = [Candidate("shipment:a:1", "a", open=False)]

    assert choose_shipment(candidates, None) == "shipment:a:1"


def test_shipments_of_two_shops_make_the_shared_webhook_ambiguous() -> None:
    candidates = [
        Candidate("shipment:a:1", "a", open=False),
        Candidate("shipment:b:1", "b", open=True),
    ]

    assert choose_shipment(candidates, None) is Unroutable.AMBIGUOUS


def test_a_shop_webhook_sees_its_own_shop_only() -> None:
    candidates = [
        Candidate("shipment:a:1", "a", open=True),
        Candidate("shipment:b:1", "b", open=True),
    ]

    assert choose_shipment(candidates, "a") == "shipment:a:1"
    assert choose_shipment(candidates, "c") is Unroutable.NONE


def test_no_candidate_is_no_shipment() -> None:
    assert choose_shipment([], None) is Unroutable.NONE
