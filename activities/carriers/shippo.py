"""Shippo's Tracking API over HTTP (httpx), as documented.

POST /tracks/ `{"carrier", "tracking_number", "metadata"}` registers the tracking number (Shippo
then posts `track_updated` to the account's webhook) and answers the Track; registering a number
again answers the same Track, so a retried create is harmless. GET
/tracks/{carrier}/{tracking_number} answers the Track as it is now. Authentication:
`Authorization: ShippoToken <token>`.

Shippo's official SDK (`shippo`) can point at another server too, but it parses every answer
into its own classes, dropping what it does not model, while the adapter in `carriers/shippo.py`
reads Shippo's JSON as its webhook carries it; so this client hands the adapter that JSON.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from activities.carriers.base import (
    TrackerUnavailable,
    refused_or_unavailable,
    short_message,
)

SERVICE = "shippo"


class ShippoTrackers:
    service = SERVICE

    def __init__(self, api_token: str, api_base: str, timeout_seconds: float = 30) -> None:
        self._token = api_token
        self._base = api_base.rstrip("/")
        self._timeout = timeout_seconds

    def create(self, carrier: str, tracking_number: str, metadata: str) -> dict[str, object]:
        # Shippo keeps up to 100 characters of metadata.
        body = {"carrier": carrier, "tracking_number": tracking_number, "metadata": metadata[:100]}
        return self._call("POST", "/tracks/", body)

    def fetch(self, carrier: str, tracking_number: str, tracker_id: str) -> dict[str, object]:
        path = f"/tracks/{quote(carrier, safe='')}/{quote(tracking_number, safe='')}"
        return self._call("GET", path, None)

    def tracker_id(self, tracker: dict[str, object]) -> str:
        """A Track has no id of its own: Shippo names it by carrier and tracking number."""
        carrier, number = tracker.get("carrier"), tracker.get("tracking_number")
        if not isinstance(carrier, str) or not isinstance(number, str):
            raise TrackerUnavailable(SERVICE, "answered a Track without carrier/tracking_number")
        return f"{carrier}/{number}"

    def _call(self, method: str, path: str, body: dict[str, str] | None) -> dict[str, object]:
        headers = {"Authorization": f"ShippoToken {self._token}", "Accept": "application/json"}
        try:
            with httpx.Client(timeout=self._timeout) as client:
                answer = client.request(method, self._base + path, json=body, headers=headers)
        except httpx.HTTPError as err:  # no answer: a timeout or a broken connection
            raise TrackerUnavailable(SERVICE, type(err).__name__) from None
        if answer.status_code >= 300:
            raise refused_or_unavailable(
                SERVICE,
                answer.status_code,
                short_message(_detail(answer)),
                _retry_after(answer.headers.get("Retry-After")),
            )
        try:
            found = answer.json()
        except ValueError:
            raise TrackerUnavailable(SERVICE, "answered something that is not JSON") from None
        if not isinstance(found, dict):
            raise TrackerUnavailable(SERVICE, "answered JSON that is not a Track")
        return found


def _detail(answer: httpx.Response) -> str:
    """Shippo's error text: `{"detail": ...}` or field errors `{"field": ["..."]}`."""
    try:
        found = answer.json()
    except ValueError:
        return answer.reason_phrase
    if isinstance(found, dict):
        if isinstance(found.get("detail"), str):
            return str(found["detail"])
        parts = [f"{k}: {v[0] if isinstance(v, list) and v else v}" for k, v in found.items()]
        return "; ".join(parts) or answer.reason_phrase
    return answer.reason_phrase


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
