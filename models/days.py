"""Calendar days in a recipient's time zone: a date-only estimate is a day where the parcel goes,
not an instant in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo("UTC")


def day_end(day: date, time_zone: str) -> datetime:
    """The instant `day` ends in `time_zone` (its last local midnight), in UTC: a shipment
    estimated for that day is late only after it.

    Where DST makes midnight skipped or repeated, the end is the last midnight after which the
    day does not come back: the jump itself for a skipped one; for a repeated one the first
    occurrence when the repeat is the next day's hour (Havana, 01:00 back to 00:00), the second
    when the clocks went back into the day (Goose Bay until 2011, 00:01 back to 23:01). Checked
    for every zone in tests/test_estimated_days.py."""
    zone = zone_or_utc(time_zone)
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    readings = sorted({midnight.replace(fold=fold).astimezone(UTC) for fold in (0, 1)})
    ends = [t for t in readings if (t - _INSTANT).astimezone(zone).date() == day]
    return ends[-1] if ends else readings[0]


_INSTANT = timedelta(microseconds=1)
