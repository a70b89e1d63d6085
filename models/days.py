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
    """The instant `day` ends in `time_zone` (the next local midnight), in UTC: a shipment
    estimated for that day is late only after it."""
    midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone_or_utc(time_zone))
    return midnight.astimezone(UTC)
