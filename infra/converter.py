"""The payload converter: pydantic JSON, with one cache of type adapters for the whole process.

Temporal makes a new payload converter for every workflow run it starts or replays
(`DataConverter._new_payload_converter`), and the pydantic converter keeps its `TypeAdapter`s per
instance, so every run built its adapters afresh (`ShipmentStart`, `CarrierEvent`,
`list[SendResult]`, ...): a few percent of the worker's CPU in `make bench`. An adapter is
immutable once built, so one cache serves every run and thread of the process.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import TypeAdapter
from temporalio.contrib.pydantic import PydanticJSONPlainPayloadConverter
from temporalio.converter import (
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)

ADAPTERS: functools._lru_cache_wrapper[TypeAdapter[Any]] = functools.lru_cache(maxsize=1024)(
    TypeAdapter
)
"""Every adapter the process built, by type hint (shared by every workflow run's converter)."""


class SharedAdaptersJSONConverter(PydanticJSONPlainPayloadConverter):
    """The SDK's pydantic JSON converter, reading through the process's adapter cache."""

    def __init__(self) -> None:
        super().__init__(max_cached_type_adapters=0)
        self._type_adapter = ADAPTERS

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self._type_adapter = ADAPTERS


JSON = SharedAdaptersJSONConverter()
"""The process's one JSON converter: it holds nothing but its serializer and the shared cache,
and the SDK makes a payload converter for each data converter it derives (several for every
workflow activation), so each of them borrows this one rather than building its own."""


class WaypostPayloadConverter(CompositePayloadConverter):
    """Temporal's default encodings, JSON by pydantic (as `pydantic_data_converter`)."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSON if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


pydantic_converter = DataConverter(payload_converter_class=WaypostPayloadConverter)
"""Waypost's data converter without encryption (`infra.encryption.data_converter` adds it)."""
