"""Local stand-ins for EasyPost's Tracker API and Shippo's Tracking API, over real sockets.

EasyPost (https://docs.easypost.com/docs/trackers): `POST /v2/trackers` with
`{"tracker": {"tracking_code", "carrier"}}` answers the Tracker (`id` "trk_...", `object`
"Tracker", `mode`, `status`, `status_detail`, `tracking_details` oldest first, each with
`status`, `status_detail`, `message`, `datetime`, `tracking_location` {city, state, country,
zip}, `est_delivery_date`...). A second create with the same tracking_code and carrier answers
the original Tracker, as EasyPost deduplicates. `GET /v2/trackers/{id}` answers it as it is now.
Auth: the key as HTTP basic's user name or `Authorization: Bearer <key>`; errors are
`{"error": {"code", "message", "errors": []}}`.

Shippo (https://docs.goshippo.com/docs/tracking/tracking/): `POST /tracks/` with `{"carrier",
"tracking_number", "metadata"}` answers the Track (`carrier`, `tracking_number`, `eta`,
`servicelevel`, `metadata`, `tracking_status` (the latest) and `tracking_history` (oldest first),
each with `object_id`, `status`, `substatus` {code, text, action_required}, `status_details`,
`status_date`, `location` {city, state, zip, country}); registering the number again answers the
same Track. `GET /tracks/{carrier}/{tracking_number}` answers it as it is now. Auth:
`Authorization: ShippoToken <token>`; errors `{"detail": "..."}`.

A test scripts a parcel's scans with `plan(tracking_number, scans)`: each fetch reveals the next
one, as a carrier's tracker moves on between two polls. `fail_next` scripts error answers;
`hang_next` holds requests (then handles them: a create the client gave up on still creates).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from base64 import b64decode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from testing.http_fake import FakeHttpServer, Incoming, Reply, retry_after_header

__all__ = ["EASYPOST_KEY", "SHIPPO_TOKEN", "FakeEasyPost", "FakeShippo", "Scan"]

EASYPOST_KEY = "EZTK0123456789abcdef"
SHIPPO_TOKEN = "shippo_test_0123456789abcdef"

_TRACKER = re.compile(r"^/v2/trackers/(?P<id>[^/]+)$")
_TRACK = re.compile(r"^/tracks/(?P<carrier>[^/]+)/(?P<number>[^/]+)$")
_TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9_-]{6,40}$")
_SHIPPO_CARRIERS = {"shippo", "usps", "ups", "fedex", "dhl_express", "acme"}


@dataclass(frozen=True)
class Scan:
    """One scan as a test scripts it, in the service's own words."""

    status: str
    detail: str | None = None
    """EasyPost's status_detail or Shippo's substatus code."""
    message: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    city: str = "Warsaw"
    country: str = "PL"


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: float | None


@dataclass
class _Parcel:
    tracking_number: str
    carrier: str
    tracker_id: str
    created_at: datetime
    metadata: str | None = None
    shown: list[Scan] = field(default_factory=list)
    pending: list[Scan] = field(default_factory=list)

    def reveal(self) -> None:
        if self.pending:
            self.shown.append(self.pending.pop(0))


class _TrackerFake(FakeHttpServer[_Failure]):
    """What both fakes share: parcels, scripted scans and failures, recorded requests."""

    def __init__(self) -> None:
        super().__init__()
        self.parcels: dict[tuple[str, str], _Parcel] = {}
        self.requests: list[Incoming] = []
        self.invalid: set[str] = set()
        """Tracking numbers the service refuses as invalid (besides malformed ones)."""
        self._scripts: dict[str, list[Scan]] = {}
        self._mutex = threading.Lock()

    def plan(self, tracking_number: str, scans: list[Scan]) -> None:
        """The parcel's scans, revealed one per fetch (the first when it is created)."""
        with self._mutex:
            self._scripts[tracking_number] = list(scans)

    def fail_next(self, status: int, times: int = 1, retry_after: float | None = None) -> None:
        """Answer the next `times` requests (creates and fetches) with this error status."""
        self._script(_Failure(status, retry_after), times)

    @property
    def created(self) -> int:
        """Trackers that exist: a deduplicated create adds none."""
        return len(self.parcels)

    def calls(self, method: str) -> list[Incoming]:
        return [r for r in self.requests if r.method == method]

    def handle(self, request: Incoming) -> Reply | None:
        with self._mutex:
            self.requests.append(request)
        if not self._authorised(request.headers.get("authorization", "")):
            return self._error(401, "AUTH", "invalid credentials")
        if not self._pause(self._take_hang()):
            return None
        failure = self._take_failure()
        if failure is not None:
            return self._error(
                failure.status, "FAIL", "scripted failure", retry_after_header(failure.retry_after)
            )
        with self._mutex:
            return self.route(request)

    def _new_parcel(self, number: str, carrier: str, metadata: str | None) -> _Parcel:
        parcel = _Parcel(
            tracking_number=number,
            carrier=carrier,
            tracker_id=self._id(),
            created_at=datetime.now(UTC),
            metadata=metadata,
            pending=self._scripts.get(number, []),
        )
        parcel.reveal()
        self.parcels[(carrier, number)] = parcel
        return parcel

    def _refusal(self, number: object, carrier: object) -> str | None:
        if not isinstance(number, str) or not _TRACKING_NUMBER.match(number):
            return "Invalid tracking number"
        if number in self.invalid:
            return "Invalid tracking number"
        if not isinstance(carrier, str) or not carrier:
            return "Invalid carrier"
        return None

    def _authorised(self, header: str) -> bool:
        raise NotImplementedError

    def _id(self) -> str:
        raise NotImplementedError

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> Reply:
        raise NotImplementedError

    def route(self, request: Incoming) -> Reply:
        raise NotImplementedError


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _body(request: Incoming) -> dict[str, Any]:
    try:
        found = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


class FakeEasyPost(_TrackerFake):
    """EasyPost's Tracker API; point `EasyPostTrackers(key, api_base=fake.url)` at it."""

    def __init__(self, api_key: str = EASYPOST_KEY) -> None:
        super().__init__()
        self.api_key = api_key

    def _authorised(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme == "Bearer":
            return value == self.api_key
        if scheme == "Basic":
            try:
                user = b64decode(value).decode("utf-8").partition(":")[0]
            except ValueError:
                return False
            return user == self.api_key
        return False

    def _id(self) -> str:
        return "trk_" + secrets.token_hex(16)

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> Reply:
        return Reply.json(
            status, {"error": {"code": code, "message": message, "errors": []}}, headers
        )

    def route(self, request: Incoming) -> Reply:
        if request.method == "POST" and request.path == "/v2/trackers":
            given = _body(request).get("tracker")
            tracker = given if isinstance(given, dict) else {}
            number, carrier = tracker.get("tracking_code"), tracker.get("carrier")
            refusal = self._refusal(number, carrier)
            if refusal is not None:
                return self._error(422, "TRACKER.TRACKING_CODE.INVALID", refusal)
            key = (str(carrier), str(number))
            parcel = self.parcels.get(key) or self._new_parcel(str(number), str(carrier), None)
            return Reply.json(200, self._tracker(parcel))
        match = _TRACKER.match(request.path)
        if request.method == "GET" and match:
            found = next((p for p in self.parcels.values() if p.tracker_id == match["id"]), None)
            if found is None:
                return self._error(404, "NOT_FOUND", "The requested resource could not be found.")
            found.reveal()
            return Reply.json(200, self._tracker(found))
        return self._error(404, "NOT_FOUND", "The requested resource could not be found.")

    @staticmethod
    def _tracker(parcel: _Parcel) -> dict[str, Any]:
        latest = parcel.shown[-1] if parcel.shown else None
        return {
            "id": parcel.tracker_id,
            "object": "Tracker",
            "mode": "test",
            "tracking_code": parcel.tracking_number,
            "status": latest.status if latest else "unknown",
            "status_detail": (latest.detail if latest else None) or "unknown",
            "created_at": _stamp(parcel.created_at),
            "updated_at": _stamp(latest.at if latest else parcel.created_at),
            "signed_by": None,
            "weight": None,
            "est_delivery_date": _stamp(parcel.created_at + timedelta(days=2)),
            "shipment_id": None,
            "carrier": parcel.carrier,
            "tracking_details": [
                {
                    "object": "TrackingDetail",
                    "message": scan.message,
                    "description": "",
                    "status": scan.status,
                    "status_detail": scan.detail or "status_update",
                    "datetime": _stamp(scan.at),
                    "source": parcel.carrier,
                    "carrier_code": "",
                    "tracking_location": {
                        "object": "TrackingLocation",
                        "city": scan.city,
                        "state": None,
                        "country": scan.country,
                        "zip": None,
                    },
                }
                for scan in parcel.shown
            ],
            "carrier_detail": None,
            "public_url": f"https://track.easypost.com/{parcel.tracker_id}",
            "fees": [],
        }


class FakeShippo(_TrackerFake):
    """Shippo's Tracking API; point `ShippoTrackers(token, api_base=fake.url)` at it."""

    def __init__(self, api_token: str = SHIPPO_TOKEN) -> None:
        super().__init__()
        self.api_token = api_token

    def _authorised(self, header: str) -> bool:
        return header == f"ShippoToken {self.api_token}"

    def _id(self) -> str:
        return secrets.token_hex(16)

    def _error(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> Reply:
        return Reply.json(status, {"detail": message}, headers)

    def _refusal(self, number: object, carrier: object) -> str | None:
        if isinstance(carrier, str) and carrier not in _SHIPPO_CARRIERS:
            return f"Carrier token {carrier!r} is not supported"
        return super()._refusal(number, carrier)

    def route(self, request: Incoming) -> Reply:
        if request.method == "POST" and request.path in ("/tracks/", "/tracks"):
            body = _body(request)
            number, carrier = body.get("tracking_number"), body.get("carrier")
            refusal = self._refusal(number, carrier)
            if refusal is not None:
                return self._error(400, "INVALID", refusal)
            metadata = body.get("metadata")
            key = (str(carrier), str(number))
            parcel = self.parcels.get(key) or self._new_parcel(
                str(number), str(carrier), metadata if isinstance(metadata, str) else None
            )
            return Reply.json(200, self._track(parcel))
        match = _TRACK.match(request.path)
        if request.method == "GET" and match:
            known = self.parcels.get((match["carrier"], match["number"]))
            if known is None:
                return self._error(404, "NOT_FOUND", "Not found.")
            known.reveal()
            return Reply.json(200, self._track(known))
        return self._error(404, "NOT_FOUND", "Not found.")

    @staticmethod
    def _track(parcel: _Parcel) -> dict[str, Any]:
        history = [
            {
                "object_created": _stamp(scan.at),
                "object_updated": _stamp(scan.at),
                "object_id": f"{parcel.tracker_id}{i:04d}",
                "status": scan.status,
                "substatus": {"code": scan.detail, "text": scan.message, "action_required": False}
                if scan.detail
                else None,
                "status_details": scan.message,
                "status_date": _stamp(scan.at),
                "location": {
                    "city": scan.city,
                    "state": None,
                    "zip": None,
                    "country": scan.country,
                },
            }
            for i, scan in enumerate(parcel.shown)
        ]
        return {
            "carrier": parcel.carrier,
            "tracking_number": parcel.tracking_number,
            "address_from": None,
            "address_to": None,
            "transaction": None,
            "original_eta": None,
            "eta": None,
            "servicelevel": {"token": None, "name": None},
            "metadata": parcel.metadata,
            "messages": [],
            "test": True,
            "tracking_status": history[-1] if history else {"status": "UNKNOWN"},
            "tracking_history": history,
        }
