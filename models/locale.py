"""The languages Waypost speaks: a domain value, defined once, that shipments and policies use.

`messages.catalogue` builds one catalogue per locale here (English's from the source, every
other's from its PO file), and a test keeps the two equal.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Locale = Literal["en", "ru", "pl", "ro"]

LOCALES: Final[tuple[Locale, ...]] = get_args(Locale)

DEFAULT_LOCALE: Final[Locale] = "en"
"""What an unknown or unsupported locale tag falls back to."""
