"""How often a polled tracker is fetched: a pure function of the shipment's status.

A parcel in transit changes every few hours at most, so polling it every few minutes would
spend the service's rate limit (and Temporal actions: each poll is a timer and an activity) for
nothing; out for delivery, the next scan (delivered, or a failed attempt) is minutes away and the
customer is waiting for it. A final status stops polling.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

from models.shipment import FINAL_STATUSES
from models.status import ShipmentStatus
from models.tracking import TrackerMode, TrackerState

S = ShipmentStatus

POLL_INTERVALS: Mapping[ShipmentStatus, timedelta] = MappingProxyType(
    {
        S.SHIPPED: timedelta(hours=4),
        S.IN_TRANSIT: timedelta(hours=3),
        S.OUT_FOR_DELIVERY: timedelta(minutes=15),
        S.DELIVERY_FAILED: timedelta(hours=1),
        S.AVAILABLE_FOR_PICKUP: timedelta(hours=6),
        S.EXCEPTION: timedelta(hours=1),
    }
)
"""Status -> time between two fetches. Statuses not listed (the final ones) are not polled."""

DEFAULT_INTERVAL = timedelta(hours=3)
"""A status added later without an entry here is polled like in_transit, never not at all."""


def poll_interval(status: ShipmentStatus) -> timedelta | None:
    """Time between two fetches in this status; None once the shipment is final."""
    if status in FINAL_STATUSES:
        return None
    return POLL_INTERVALS.get(status, DEFAULT_INTERVAL)


def next_poll(
    tracker: TrackerState | None, status: ShipmentStatus, started: datetime
) -> datetime | None:
    """When the tracker is next fetched: the interval of the current status after the last
    fetch (or after creation). None: not polled (webhook mode, no tracker, final)."""
    if tracker is None or tracker.mode is not TrackerMode.POLLING or tracker.error:
        return None
    if tracker.tracker_id is None:
        return None
    interval = poll_interval(status)
    if interval is None:
        return None
    return (tracker.last_poll_at or tracker.created_at or started) + interval
