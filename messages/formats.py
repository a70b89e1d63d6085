"""Dates and times as a reader expects them, from Babel's CLDR data and each catalogue's patterns.

Everything is shown in the recipient's time zone (UTC, then labelled, when it is not a known
zone). The day is written with the catalogue's CLDR pattern (`DateStyle`): short in messages,
with a weekday on the page. Times are 24-hour everywhere, so a message and the page agree.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache, lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import babel
from babel.dates import format_date, format_time

from messages.catalogue import CATALOGUES
from models.locale import Locale

DateUse = Literal["message", "page"]
"""Where a date is shown: a message (short, for SMS) or the tracking page (with a weekday)."""

EN_DASH = "\N{EN DASH}"


def zone(name: str | None) -> ZoneInfo:
    """The recipient's zone; UTC when it is not known or not a valid zone name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def utc_label(shown_in: ZoneInfo) -> str:
    """ " UTC" after a time shown in UTC (the recipient's zone is unknown), else nothing."""
    return " UTC" if shown_in.key == "UTC" else ""


@cache
def cldr(locale: Locale) -> babel.Locale:
    """Babel's locale, parsed once: given a name, every format call parses it afresh and
    looks its CLDR data up again (over half of each date's formatting time)."""
    return babel.Locale.parse(locale)


def day(local: datetime | date, locale: Locale, use: DateUse = "message") -> str:
    """The calendar day of `local`, as written in `locale`: "Tue 24 Nov", "24.11", "вт 24.11"."""
    style = CATALOGUES[locale].dates
    pattern = style.page if use == "page" else style.message
    value = local.date() if isinstance(local, datetime) else local
    return _formatted_date(value, pattern, locale)


def clock(local: datetime | time, locale: Locale, pattern: str = "HH:mm") -> str:
    """A local time of day with a CLDR pattern ("HH:mm" by default, "H" for a bare hour)."""
    value = local.time() if isinstance(local, datetime) else local
    return _formatted_time(value, pattern, locale)


@lru_cache(maxsize=4096)
def _formatted_date(value: date, pattern: str, locale: Locale) -> str:
    """Remembered: messages and pages name the same few days and hours all day long, and
    Babel applies a pattern field by field (a quarter of a message's rendering time)."""
    return format_date(value, pattern, locale=cldr(locale))


@lru_cache(maxsize=4096)
def _formatted_time(value: time, pattern: str, locale: Locale) -> str:
    return format_time(value, pattern, locale=cldr(locale))


def window(
    start: datetime,
    end: datetime,
    shown_in: ZoneInfo,
    locale: Locale,
    *,
    dash: str = EN_DASH,
    use: DateUse = "message",
    label: bool = True,
) -> str:
    """Local "date, HH:MM-HH:MM"; both dates when the window crosses local midnight.

    `label` adds " UTC" when shown in UTC (messages do; the page names its zone once). With the
    SMS dash ("-") a window crossing midnight is written tight, "24.11 23:00-25.11 01:00": it is
    the longest thing an SMS may say about time.
    """
    start, end = start.astimezone(shown_in), end.astimezone(shown_in)
    suffix = utc_label(shown_in) if label else ""
    first, last = day(start, locale, use), day(end, locale, use)
    since, until = clock(start, locale), clock(end, locale)
    if start.date() == end.date():
        return f"{first}, {since}{dash}{until}{suffix}"
    if dash == "-":
        return f"{first} {since}-{last} {until}{suffix}"
    return f"{first}, {since} {dash} {last}, {until}{suffix}"


def hours(start: datetime, end: datetime, shown_in: ZoneInfo, locale: Locale, dash: str) -> str:
    """Local "HH:MM-HH:MM" without the date, for a message sent shortly before the window."""
    start, end = start.astimezone(shown_in), end.astimezone(shown_in)
    return f"{clock(start, locale)}{dash}{clock(end, locale)}{utc_label(shown_in)}"


def moment(
    value: datetime,
    shown_in: ZoneInfo,
    locale: Locale,
    *,
    separator: str = ", ",
    use: DateUse = "message",
    label: bool = True,
) -> str:
    """Local date and time, e.g. "24.11, 20:00" (an SMS: "24.11 20:00")."""
    local = value.astimezone(shown_in)
    suffix = utc_label(shown_in) if label else ""
    return f"{day(local, locale, use)}{separator}{clock(local, locale)}{suffix}"


def is_bare_date(value: datetime) -> bool:
    """A carrier's date without a time arrives as midnight in the carrier's own offset.

    It is shown as that calendar date: converting it to the recipient's zone would invent an
    hour (or move it to the day before).
    """
    return value.time() == time(0)
