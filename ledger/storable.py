"""What the ledger can store, and which failures to write a row are for good.

A value from outside (a carrier's text, a provider's error or id) may hold what no database
takes: PostgreSQL refuses NUL in text and strings longer than their column, SQLite takes both.
Free text is cleaned (`clean_text`); identifiers are never altered, since a cut id could match
another one, so `check_fits` refuses them the same way on both backends. `permanent` tells a
row that no retry will store (it is set aside) from a database that is down (retried forever).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Table
from sqlalchemy import exc as sa_exc

from infra.masking import mask_text

__all__ = [
    "ERROR_MAX",
    "Unstorable",
    "check_fits",
    "clean_text",
    "describe_error",
    "fits",
    "permanent",
    "storable_key",
    "storable_payload",
]

NUL = "\x00"
ERROR_MAX = 1000
"""Provider error text kept on a message or an attempt: enough to act on, never a whole page."""
PAYLOAD_STRING_MAX = 1000
"""Each string of a set-aside payload: the offending value is recognisable, never huge."""
KEY_MAX = 200
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


class Unstorable(ValueError):
    """A value no retry will store: an identifier with NUL, or longer than its column."""


def clean_text(value: str | None, limit: int | None = None) -> str | None:
    """Free text made storable: NUL removed, cut to `limit` characters (an ellipsis marks it)."""
    if value is None:
        return None
    text = value.replace(NUL, "")
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def check_fits(table: Table, values: Mapping[str, Any]) -> None:
    """Raise Unstorable when a value cannot go into its column on every backend alike: a NUL
    in a string, a string longer than its column, an integer outside its column's range."""
    limits = _limits(table)
    for name, value in values.items():
        if value is None or name not in limits:
            continue
        length, bounds = limits[name]
        if isinstance(value, str):
            if NUL in value:
                raise Unstorable(f"{table.name}.{name} contains a NUL character")
            if length is not None and len(value) > length:
                raise Unstorable(
                    f"{table.name}.{name} is {len(value)} characters long; it holds {length}"
                )
        elif isinstance(value, int) and not isinstance(value, bool) and not _within(value, bounds):
            raise Unstorable(f"{table.name}.{name} is out of range")


def _within(value: int, bounds: tuple[int, int] | None) -> bool:
    return bounds is None or bounds[0] <= value <= bounds[1]


@cache
def _limits(table: Table) -> dict[str, tuple[int | None, tuple[int, int] | None]]:
    """Each column's longest string and integer range (None: no limit), read once per table:
    every row the ledger writes is checked."""
    limits: dict[str, tuple[int | None, tuple[int, int] | None]] = {}
    for column in table.columns:
        kind = column.type
        length = kind.length if isinstance(kind, String) else None
        if isinstance(kind, BigInteger):
            limits[column.name] = (length, INT64)
        elif isinstance(kind, Integer):
            limits[column.name] = (length, INT32)
        else:
            limits[column.name] = (length, None)
    return limits


def fits(table: Table, values: Mapping[str, Any]) -> bool:
    """`check_fits` as a question: a value no row could hold matches no row either."""
    try:
        check_fits(table, values)
    except Unstorable:
        return False
    return True


def permanent(err: BaseException) -> bool:
    """True when writing this row fails for good: bad data (psycopg's DataError, a NUL, a
    string too long, a number out of range), or a constraint other than the idempotency
    conflicts the ledger expects. False for the database being unreachable or busy
    (OperationalError and friends): those are retried until it answers again."""
    if isinstance(err, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.DisconnectionError):
        return False
    if isinstance(err, sa_exc.TimeoutError):  # the pool had no connection to give
        return False
    if isinstance(err, sa_exc.DBAPIError):
        if err.connection_invalidated:
            return False
        return isinstance(err, sa_exc.DataError | sa_exc.IntegrityError)
    if isinstance(err, sa_exc.StatementError):  # a value refused while binding it
        return err.orig is not None and permanent(err.orig)
    return isinstance(err, ValueError | OverflowError)


def describe_error(err: BaseException) -> tuple[str, str]:
    """The error's class and a short masked message, safe for logs and the ledger: the
    driver's own words without the statement and its parameters, and without PostgreSQL's
    DETAIL, which quotes the failing row ("Failing row contains (...)")."""
    cause = err.orig if isinstance(err, sa_exc.StatementError) and err.orig else err
    primary = getattr(getattr(cause, "diag", None), "message_primary", None)
    words = primary if isinstance(primary, str) and primary else str(cause)
    message = mask_text(" ".join(words.split()))
    return type(cause).__name__[:100], clean_text(message, 500) or ""


def storable_key(value: str) -> str:
    """An identifier made storable as a set-aside key: NUL shown as `\\x00`, a long one cut
    and told apart by a hash, so the same value always gives the same key."""
    shown = value.replace(NUL, "\\x00")
    if len(shown) <= KEY_MAX:
        return shown
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return f"{shown[: KEY_MAX - 18]}…#{digest}"


def _plain(value: Any) -> Any:
    if isinstance(value, str):
        shown = mask_text(value.replace(NUL, "\\x00"))
        if len(shown) > PAYLOAD_STRING_MAX:
            return f"{shown[:PAYLOAD_STRING_MAX]}… ({len(value)} characters)"
        return shown
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | float) or value is None:
        return value
    if isinstance(value, int):
        return value if INT64[0] <= value <= INT64[1] else str(value)
    if isinstance(value, Decimal):
        return str(value)
    return _plain(repr(value))


def storable_payload(values: Mapping[str, Any]) -> str:
    """The row the ledger tried to write, as JSON any backend stores: NUL escaped as `\\x00`
    (PostgreSQL's jsonb refuses even `\\u0000`), long strings cut, phones and emails masked."""
    return json.dumps(_plain(values), ensure_ascii=False, sort_keys=True)
