"""What the page's Jinja2 templates call for words and dates (`t`), bound to one locale and zone.

The words and formats are `messages.page`'s; this adds only markup: a `<time>` element inside a
translated sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date as calendar_date
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from messages import formats
from messages.locales import negotiate
from messages.page import (
    STRINGS,
    format_date,
    format_estimate,
    format_moment,
    format_window,
    text,
)
from models.shipment import Window


@dataclass(frozen=True)
class Translator:
    """What templates call: strings and dates in one locale and zone, so a template can never
    mix two languages or show a time in the server's zone."""

    locale: str
    zone: ZoneInfo

    def __call__(self, key: str, **values: object) -> str:
        return text(key, self.locale, **values)

    def has(self, key: str) -> bool:
        return key in STRINGS[negotiate(self.locale)]

    def html(self, key: str, **values: object) -> Markup:
        """A string with markup values (a `<time>` element) inside: the string and any plain
        value are escaped, so the words stay translatable as a whole sentence."""
        return Markup.escape(STRINGS[negotiate(self.locale)][key]).format(**values)

    def moment(self, value: datetime) -> str:
        return format_moment(value, self.locale, self.zone)

    def date(self, value: datetime) -> str:
        return format_date(value, self.locale, self.zone)

    def window(self, value: Window) -> str:
        return format_window(value, self.locale, self.zone)

    def day(self, value: calendar_date) -> str:
        """A calendar day as it is (a date-only estimate): no zone moves it."""
        return formats.day(value, negotiate(self.locale), "page")

    def estimate(self, value: datetime) -> str:
        return format_estimate(value, self.locale, self.zone)

    def iso(self, value: datetime) -> str:
        """The machine-readable form for `<time datetime>`, in the shown zone."""
        return value.astimezone(self.zone).isoformat(timespec="minutes")

    def iso_date(self, value: datetime) -> str:
        """The date `estimate` shows, machine-readable."""
        local = value if formats.is_bare_date(value) else value.astimezone(self.zone)
        return local.date().isoformat()
