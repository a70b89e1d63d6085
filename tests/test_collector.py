"""The garbage collector of a service process: what its imports made is frozen, and young
collections are rarer than CPython's default (full ones walked everything: 300 ms pauses)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from infra.collector import YOUNG_THRESHOLD, tune_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


@pytest.mark.usefixtures("restored_collector")
def test_a_tuned_process_never_walks_what_it_had_built_again() -> None:
    kept = [object() for _ in range(10)]

    tune_collector()

    assert gc.get_freeze_count() >= len(kept)


@pytest.mark.usefixtures("restored_collector")
def test_a_tuned_process_collects_its_young_objects_less_often_than_the_default() -> None:
    older = gc.get_threshold()[1:]

    tune_collector()

    assert gc.get_threshold() == (YOUNG_THRESHOLD, *older)
    assert YOUNG_THRESHOLD > 700


@pytest.mark.usefixtures("restored_collector")
def test_a_tuned_process_still_collects_reference_cycles() -> None:
    tune_collector()

    class Node:
        other: object

    a, b = Node(), Node()
    a.other, b.other = b, a
    del a, b

    assert gc.collect() >= 2
