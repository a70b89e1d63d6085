"""SMS segments, encoding and estimated cost, by the carriers' (and Twilio's) rules.

A message's cost is in its segments: GSM-7 when every character allows it, UCS-2 otherwise
(Cyrillic, Polish and Romanian diacritics), so templates are written to fit two segments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (ESC excluded: it only introduces the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + char, so it takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_SEGMENT = {"GSM-7": 160, "UCS-2": 70}
MULTIPART_SEGMENT = {"GSM-7": 153, "UCS-2": 67}  # the rest is the concatenation header


GSM7 = GSM7_BASIC | GSM7_EXTENSION


def _encoding(text: str) -> tuple[Encoding, int]:
    """The encoding and the text's size in its units (septets or UTF-16 code units), counted
    on whole strings: every message is sized once or twice as it is rendered."""
    chars = set(text)
    if chars <= GSM7:
        return "GSM-7", len(text) + sum(text.count(ch) for ch in chars & GSM7_EXTENSION)
    return "UCS-2", len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(encoding: Encoding, text: str) -> list[int]:
    """Each character's size in its encoding's units."""
    if encoding == "GSM-7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_segments(text: str) -> tuple[Encoding, int]:
    """Encoding and billed segments, by Twilio's rules: GSM-7 when every character allows it.

    Up to 160 septets (70 UTF-16 units) is one segment; longer text goes in parts of 153 (67).
    An escape pair or a surrogate pair is never split across parts, so a part may hold one
    unit fewer; counting the same way as the network keeps cost estimates honest.
    """
    encoding, size = _encoding(text)
    if size <= SINGLE_SEGMENT[encoding]:
        return encoding, 1
    capacity = MULTIPART_SEGMENT[encoding]
    segments, used = 1, 0
    for units in _units(encoding, text):
        if used + units > capacity:
            segments, used = segments + 1, 0
        used += units
    return encoding, segments


# USD per outbound segment, for dashboards and budgets only: the provider's invoice is the
# truth, and list prices change. Add a country (ISO 3166 alpha-2) from the provider's price
# page when its rate matters; every other country is estimated at the default.
DEFAULT_SMS_PRICE = Decimal("0.0079")
SMS_PRICES: dict[str, Decimal] = {
    "US": Decimal("0.0079"),
}


def estimated_sms_cost(segments: int, country_code: str | None = None) -> Decimal:
    """Estimated USD cost of `segments` segments to `country_code` (the default rate if unknown)."""
    if segments < 0:
        raise ValueError("segments cannot be negative")
    price = SMS_PRICES.get((country_code or "").upper(), DEFAULT_SMS_PRICE)
    return price * segments
