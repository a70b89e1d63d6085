"""The payload converter every Waypost process uses: pydantic JSON, adapters built once."""

from __future__ import annotations

import pickle

from infra.converter import ADAPTERS, JSON, SharedAdaptersJSONConverter, pydantic_converter
from models.notification import SendResult
from models.shipment import ShipmentStart
from testing.factories import shipment


def _a_workflow_runs_converter() -> object:
    """What the worker makes for each workflow run it starts or replays."""
    return pydantic_converter._new_payload_converter()


def test_values_round_trip_as_the_pydantic_converter_has_them() -> None:
    start = shipment()
    converter = pydantic_converter.payload_converter

    [payload] = converter.to_payloads([start])

    assert payload.metadata["encoding"] == b"json/plain"
    assert converter.from_payloads([payload], [ShipmentStart]) == [start]


def test_a_type_adapter_is_built_once_for_every_workflow_run_of_the_process() -> None:
    [payload] = pydantic_converter.payload_converter.to_payloads([[]])
    hint = list[SendResult]
    first, second = _a_workflow_runs_converter(), _a_workflow_runs_converter()
    first.from_payloads([payload], [hint])  # type: ignore[attr-defined]
    built = ADAPTERS.cache_info().misses

    second.from_payloads([payload], [hint])  # type: ignore[attr-defined]

    assert ADAPTERS.cache_info().misses == built


def test_every_payload_converter_the_sdk_makes_borrows_the_one_json_converter() -> None:
    first, second = _a_workflow_runs_converter(), _a_workflow_runs_converter()

    inner = [c._inner_payload_converter for c in (first, second)]  # type: ignore[attr-defined]

    assert all(c.converters[b"json/plain"] is JSON for c in inner)


def test_a_pickled_converter_still_reads_through_the_shared_adapters() -> None:
    copy = pickle.loads(pickle.dumps(SharedAdaptersJSONConverter()))

    assert copy._type_adapter is ADAPTERS
