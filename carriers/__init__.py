"""Carrier webhook adapters, by the name in the path: POST /v1/carriers/{name}/events."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from carriers.base import CarrierAdapter
from carriers.easypost import EASYPOST
from carriers.generic import GENERIC
from carriers.shippo import SHIPPO

_ALL: tuple[CarrierAdapter, ...] = (EASYPOST, SHIPPO, GENERIC)

ADAPTERS: Mapping[str, CarrierAdapter] = MappingProxyType({a.name: a for a in _ALL})
"""Read-only: the set of carriers is fixed at import, never patched at run time."""


def adapter_for(name: str) -> CarrierAdapter:
    """The adapter for `name`; KeyError naming the known carriers (the router answers 404)."""
    try:
        return ADAPTERS[name]
    except KeyError:
        known = ", ".join(sorted(ADAPTERS))
        raise KeyError(f"no carrier adapter named {name!r}; known carriers: {known}") from None
