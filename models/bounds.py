"""What the edge accepts: one definition of the id alphabet, the text rules and the date bounds.

Whatever a model accepts must be storable on SQLite and PostgreSQL alike (PostgreSQL refuses NUL
in text; UTF-8 cannot encode a lone surrogate) and must keep every timer the workflow computes
inside datetime's range. Dates lie within EARLIEST..LATEST and no policy duration exceeds
MAX_POLICY_DURATION, so no sum the workflow forms leaves the years 1999..2101: a value that would
make its first task fail forever is refused at the edge instead, naming the field.

Fixed bounds, not "now plus N years": a pure model cannot know the time, and replay must decode
the same value the same way in any year.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints, WithJsonSchema
from pydantic.networks import validate_email

ID_ALPHABET = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,99}"
"""Ids that route: URL-unreserved characters (a path segment as they are), no ":" (it separates
the parts of a workflow id), no "/", whitespace or control characters; 1 to 100 characters,
starting with a letter or digit. Carriers' tracking numbers (UPS 1Z..., USPS digits, S10
RR123456785RO) are all in it."""
ID_PATTERN = rf"^{ID_ALPHABET}$"

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Every date a shop or a carrier gives lies within these (inclusive)."""

MAX_POLICY_DURATION = timedelta(days=90)
"""The longest duration any policy setting may have (a storage period, a delay watch)."""

MAX_PICKUP_REMINDERS = 5

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL: NUL cannot be stored, the others garble messages."""
_PROSE_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The same but tab and newline, which prose (an address, a carrier's message) may hold."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate, e.g. from a "\ud800" JSON escape
        return False
    return True


def _refuse(value: str, control: re.Pattern[str]) -> str:
    if not _encodable(value):
        raise ValueError("is not valid text (it holds a lone surrogate)")
    found = control.search(value)
    if found is not None:
        raise ValueError(
            f"must not contain control characters (U+{ord(found.group()):04X} at position "
            f"{found.start()})"
        )
    return value


def single_line(value: str) -> str:
    """Refuse text no column can store or no message should carry, tabs and newlines included."""
    return _refuse(value, _CONTROL)


def prose(value: str) -> str:
    """Refuse unstorable text, allowing the tabs and newlines of an address or a message."""
    return _refuse(value, _PROSE_CONTROL)


def storable(value: str) -> str:
    """Carrier text made storable rather than refused: a lone surrogate becomes U+FFFD, a
    carriage return a newline, other control characters (NUL first) are dropped."""
    text = _SURROGATE.sub("\ufffd", value).replace("\r\n", "\n").replace("\r", "\n")
    return _PROSE_CONTROL.sub("", text)


Identifier = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=ID_PATTERN),
]
"""shop_id, shipment_id, carrier, tracking_number: ids that route (paths, workflow ids)."""

Reference = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(single_line),
]
"""An id that is stored and shown but never routed (an order id such as "#1001"): one line of
printable text."""

EventId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(single_line),
]
"""A carrier's event id (adapters derive some from several parts, hence longer)."""

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(prose),
]
"""Prose: names, addresses, opening hours, a carrier's description."""

PlaceName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(prose),
]
"""A city or facility: two of them and a country still fit the ledger's 500-character place."""

Url = Annotated[
    str, StringConstraints(max_length=500, pattern=r"^https?://[^\s\x00-\x1f\x7f-\x9f]+$")
]
"""An http(s) link with nothing in it a message could not carry (no whitespace, no controls)."""

HttpsUrl = Annotated[
    str, StringConstraints(max_length=500, pattern=r"^https://[^\s\x00-\x1f\x7f-\x9f]+$")
]
"""An https link (a product page, an image an email shows): what a mail client fetches or a
customer opens from a shop's message is never sent in the clear."""


@lru_cache(maxsize=4096)
def _email(value: str) -> str:
    """pydantic's `EmailStr` check (same normalising, same errors), remembered: a recipient's
    address is read again with each of its shipment's payloads, and the check is pure."""
    return validate_email(value)[1]


Email = Annotated[
    str, AfterValidator(_email), WithJsonSchema({"type": "string", "format": "email"})
]
"""An email address, as `EmailStr` takes it."""


MAX_RECOMMENDATIONS = 3
"""Product links a shipment may carry for its emails: a few, not a catalogue."""

Moment = Annotated[AwareDatetime, Field(ge=EARLIEST, le=LATEST)]
"""A date a shop or a carrier gives: aware, within EARLIEST..LATEST."""

Day = Annotated[date, Field(ge=EARLIEST.date(), le=LATEST.date())]
"""A calendar day a carrier gives without a time (a date-only estimate): within the same bounds."""
