"""One valid call as a call centre reports it, for the tests of calls at every layer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from models.call import Call


def a_call(occurred_at: datetime, /, **overrides: Any) -> Call:
    """A shop's answered call made at `occurred_at`, with an operator and a note (both personal:
    tests check they are never shown); `overrides` replace any field, as raw values."""
    fields: dict[str, Any] = {
        "call_id": "crm-1",
        "occurred_at": occurred_at,
        "centre": "shop",
        "operator": "Ana",
        "outcome": "answered",
        "note": "Will collect on Friday",
    }
    return Call.model_validate(fields | overrides)
