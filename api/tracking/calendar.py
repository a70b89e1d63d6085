"""The tracking page's add-to-calendar file: the delivery window, or the pickup point's collect-by
deadline, as an iCalendar (RFC 5545) file made with `icalendar`.

It holds only what the page itself shows (order id, carrier, tracking number, pickup point):
never the recipient's name, phone or email, nor the page's link (a calendar is often shared).
Times are in UTC, so every calendar shows them in its owner's zone.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from api.tracking.view import TrackingView
from messages.page import text

__all__ = ["PICKUP_SLOT", "calendar_file"]

PICKUP_SLOT = timedelta(hours=1)
"""The event for a pickup deadline is the hour before it: the last chance to collect."""


def _uid(view: TrackingView, what: str) -> str:
    """Stable across downloads (a calendar updates the event instead of adding a second one),
    and says nothing of the shipment's internal reference."""
    digest = hashlib.sha256(f"{view.ref}:{what}".encode()).hexdigest()[:32]
    return f"{digest}@waypost"


def calendar_file(view: TrackingView, now: datetime) -> bytes | None:
    """The .ics for the view's delivery window and pickup deadline; None when it has neither."""
    if not view.has_calendar:
        return None
    s = view.summary
    details = text(
        "calendar.details",
        view.locale,
        carrier=s.carrier_name or s.carrier,
        tracking_number=s.tracking_number,
    )
    if s.carrier_url:
        details += f"\n{s.carrier_url}"
    cal = Calendar()
    cal.add("prodid", "-//Waypost//Tracking page//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    if view.window is not None:
        delivery = Event()
        delivery.add("uid", _uid(view, "window"))
        delivery.add("dtstamp", now.astimezone(UTC))
        delivery.add("dtstart", view.window.start.astimezone(UTC))
        delivery.add("dtend", view.window.end.astimezone(UTC))
        delivery.add("summary", text("calendar.delivery", view.locale, order_id=s.order_id))
        delivery.add("description", details)
        delivery.add("transp", "OPAQUE")
        cal.add_component(delivery)
    point = view.pickup_point
    if point is not None and point.storage_deadline is not None:
        deadline = point.storage_deadline.astimezone(UTC)
        pickup = Event()
        pickup.add("uid", _uid(view, "pickup"))
        pickup.add("dtstamp", now.astimezone(UTC))
        pickup.add("dtstart", deadline - PICKUP_SLOT)
        pickup.add("dtend", deadline)
        pickup.add("summary", text("calendar.pickup", view.locale, order_id=s.order_id))
        pickup.add("location", f"{point.name}, {point.address}")
        pickup.add("description", details)
        pickup.add("transp", "TRANSPARENT")
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", text("calendar.pickup", view.locale, order_id=s.order_id))
        reminder.add("trigger", timedelta(days=-1))
        pickup.add_component(reminder)
        cal.add_component(pickup)
    ics: bytes = cal.to_ical()
    return ics
