"""What a tracking service's client answers, and the two ways it can fail.

A client returns the service's own JSON for the tracker (a dict), so the carrier adapters in
`carriers/` read it exactly as they read the same object in a webhook.
"""

from __future__ import annotations

from typing import Protocol


class TrackerRefused(Exception):
    """The service refused the request for good (4xx but 408/429): an invalid tracking number,
    an unknown carrier, a bad key. Retrying cannot help; support has to look."""

    def __init__(self, service: str, status: int, message: str) -> None:
        super().__init__(f"{service} answered {status}: {message}")
        self.status = status


class TrackerUnavailable(Exception):
    """The service could not answer now (5xx, 408, 429, a network failure, a timeout): retried."""

    def __init__(self, service: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"{service} unavailable: {message}")
        self.retry_after = retry_after


class TrackerClient(Protocol):
    """One service's tracker API."""

    service: str

    def create(self, carrier: str, tracking_number: str, metadata: str) -> dict[str, object]:
        """Create the tracker (or get the existing one: both services answer a repeat with the
        tracker already made) and return it."""

    def fetch(self, carrier: str, tracking_number: str, tracker_id: str) -> dict[str, object]:
        """The tracker as the service knows it now."""

    def tracker_id(self, tracker: dict[str, object]) -> str:
        """The service's id for a tracker it returned."""


def refused_or_unavailable(
    service: str, status: int, message: str, retry_after: float | None = None
) -> Exception:
    """The error an HTTP status means: 408, 429 and 5xx are worth retrying, other 4xx are not."""
    if status in (408, 429) or status >= 500:
        return TrackerUnavailable(service, f"{status} {message}", retry_after)
    return TrackerRefused(service, status, message)


def short_message(text: str, limit: int = 200) -> str:
    """A service's error text, bounded, for support (never a key: the services do not echo it)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
