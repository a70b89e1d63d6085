"""The tracking page's words and dates: what its Jinja2 templates ask for, in one locale.

Page dates use the catalogue's page pattern (a weekday added to the messages' short date, so
a day reads the same on the page as in the SMS that linked to it). Times are shown in the
recipient's zone without a label: the page says once which zone that is.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from messages import formats
from messages.catalogue import CATALOGUES
from messages.locales import negotiate
from models.locale import Locale
from models.shipment import Window

STRINGS: Final[Mapping[Locale, Mapping[str, str]]] = {
    locale: catalogue.page for locale, catalogue in CATALOGUES.items()
}
"""Every page string by locale, then key ("status.delivered")."""


def text(key: str, locale: str, **values: object) -> str:
    """One page string in `locale`, filled in. An unknown key is a bug, so it raises KeyError."""
    template = STRINGS[negotiate(locale)][key]
    return template.format(**values) if values else template


def format_date(value: datetime, locale: str, shown_in: ZoneInfo) -> str:
    """Local date: "Tue 24 Nov" in English, "вт 24.11" in Russian, and so on."""
    return formats.day(value.astimezone(shown_in), negotiate(locale), "page")


def format_moment(value: datetime, locale: str, shown_in: ZoneInfo) -> str:
    """Local date and time, e.g. "Tue 24 Nov, 14:05"."""
    return formats.moment(value, shown_in, negotiate(locale), use="page", label=False)


def format_window(window: Window, locale: str, shown_in: ZoneInfo) -> str:
    """Local "date, HH:MM-HH:MM" (an en dash); both dates when the window crosses midnight."""
    lang = negotiate(locale)
    return formats.window(window.start, window.end, shown_in, lang, use="page", label=False)


def format_estimate(value: datetime, locale: str, shown_in: ZoneInfo) -> str:
    """A carrier's estimate as a date; a bare date as that calendar date (see `formats`)."""
    local = value if formats.is_bare_date(value) else value.astimezone(shown_in)
    return formats.day(local, negotiate(locale), "page")
