"""EasyPost's Tracker API through its official SDK (`easypost`, pointed at `api_base`).

POST /v2/trackers `{"tracker": {"tracking_code", "carrier"}}` creates a tracker and answers the
Tracker; EasyPost deduplicates by tracking_code and carrier (the same account gets the original
Tracker back for three months), so a retried create never makes, or bills, a second one.
GET /v2/trackers/{id} answers the Tracker as it is now. The SDK authenticates with the key
(`Authorization: Bearer <key>`; EasyPost also takes it as HTTP basic's user name).
"""

from __future__ import annotations

from typing import Any

from easypost.easypost_client import EasyPostClient
from easypost.errors.api.api_error import ApiError

from activities.carriers.base import (
    TrackerUnavailable,
    refused_or_unavailable,
    short_message,
)

SERVICE = "easypost"


class EasyPostTrackers:
    service = SERVICE

    def __init__(self, api_key: str, api_base: str, timeout_seconds: int = 30) -> None:
        self._key = api_key
        self._base = api_base.rstrip("/") + "/v2"
        self._timeout = timeout_seconds

    def _client(self) -> EasyPostClient:
        """A client per call: the SDK keeps a requests.Session, which is not for sharing
        between the activity threads."""
        return EasyPostClient(self._key, api_base=self._base, timeout=self._timeout)

    def create(self, carrier: str, tracking_number: str, metadata: str) -> dict[str, object]:
        return self._call(
            lambda c: c.tracker.create(tracking_code=tracking_number, carrier=carrier)
        )

    def fetch(self, carrier: str, tracking_number: str, tracker_id: str) -> dict[str, object]:
        return self._call(lambda c: c.tracker.retrieve(tracker_id))

    def tracker_id(self, tracker: dict[str, object]) -> str:
        found = tracker.get("id")
        if not isinstance(found, str) or not found:
            raise TrackerUnavailable(SERVICE, "answered a Tracker without an id")
        return found

    def _call(self, request: Any) -> dict[str, object]:
        try:
            tracker = request(self._client())
        except ApiError as err:
            status = err.http_status
            if status is None:  # no answer: a timeout or a broken connection
                raise TrackerUnavailable(SERVICE, type(err).__name__) from None
            raise refused_or_unavailable(SERVICE, status, short_message(err.message)) from None
        found: dict[str, object] = tracker.to_dict()
        return found
