"""The tracker activities: create a shipment's tracker at its service, and fetch it (polling
mode), reading what comes back with the same adapters that read the services' webhooks.

Errors become Temporal's: a refusal for good (4xx) is non-retryable, so the workflow records it
for support at once; an outage is retried by the workflow's retry policy (with the service's
Retry-After when it gives one). Keys are looked up here by shop, never passed in a workflow.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.carriers.base import TrackerClient, TrackerRefused, TrackerUnavailable
from activities.carriers.easypost import EasyPostTrackers
from activities.carriers.shippo import ShippoTrackers
from carriers.base import BadEvent, ParsedItem, PayloadError
from carriers.easypost import EASYPOST
from carriers.shippo import SHIPPO
from infra.settings import Settings
from infra.trackers import api_base, tracker_key
from models.state import TrackerCreated, TrackerPoll
from models.tracking import TrackerPlan, TrackerRequest, TrackerService

CREATE_TRACKER = "create_tracker"
POLL_TRACKER = "poll_tracker"

T = TypeVar("T")
ClientFor = Callable[[str, TrackerPlan], TrackerClient | None]


def clients_from(settings: Settings) -> ClientFor:
    """The client for a shop's plan, with the key the settings hold for it (None: no key)."""

    def client_for(shop_id: str, plan: TrackerPlan) -> TrackerClient | None:
        key = tracker_key(settings, shop_id, plan)
        if key is None:
            return None
        base, timeout = api_base(settings, plan.service), settings.carrier_api_timeout_seconds
        if plan.service is TrackerService.EASYPOST:
            return EasyPostTrackers(key.get_secret_value(), base, timeout)
        return ShippoTrackers(key.get_secret_value(), base, timeout)

    return client_for


def carrier_code(service: TrackerService, carrier: str) -> str:
    """The shipment's carrier as the service names it: EasyPost takes its carrier names as
    given (USPS, UPS, FedEx...), Shippo its lower-case tokens (usps, ups, fedex...)."""
    return carrier if service is TrackerService.EASYPOST else carrier.lower()


def read_tracker(service: TrackerService, tracker: dict[str, object]) -> TrackerPoll:
    """The tracker's scans as events, through the adapter that reads its webhook."""
    try:
        if service is TrackerService.EASYPOST:
            items: list[ParsedItem] = EASYPOST.parse_tracker(tracker)
        else:
            items = SHIPPO.parse_track(tracker)
    except PayloadError as err:
        raise TrackerUnavailable(service.value, str(err)) from None
    poll = TrackerPoll()
    for item in items:
        if isinstance(item, BadEvent):
            poll.unreadable.append(item.error)
        elif item.event is None:
            poll.ignored += 1
        else:
            poll.events.append(item.event)
    return poll


class TrackerActivities:
    def __init__(self, clients: ClientFor) -> None:
        self._clients = clients

    @activity.defn(name=CREATE_TRACKER)
    def create_tracker(self, request: TrackerRequest) -> TrackerCreated:
        """Create (or find: both services return the existing one) the shipment's tracker."""
        client = self._client(request)
        carrier = carrier_code(request.plan.service, request.carrier)
        tracker = _calling(
            lambda: client.create(carrier, request.tracking_number, request.shipment_ref)
        )
        status = tracker.get("status")
        return TrackerCreated(
            tracker_id=_calling(lambda: client.tracker_id(tracker)),
            status=status if isinstance(status, str) else None,
            found=_calling(lambda: read_tracker(request.plan.service, tracker)),
        )

    @activity.defn(name=POLL_TRACKER)
    def poll_tracker(self, request: TrackerRequest) -> TrackerPoll:
        """The tracker as the service knows it now, as events."""
        if request.tracker_id is None:
            raise ApplicationError("the tracker has no id yet", non_retryable=True)
        client, tracker_id = self._client(request), request.tracker_id
        carrier = carrier_code(request.plan.service, request.carrier)
        tracker = _calling(lambda: client.fetch(carrier, request.tracking_number, tracker_id))
        return _calling(lambda: read_tracker(request.plan.service, tracker))

    def _client(self, request: TrackerRequest) -> TrackerClient:
        client = self._clients(request.shop_id, request.plan)
        if client is None:
            who = "the shop's" if request.plan.shop_account else "the deployment's"
            raise ApplicationError(
                f"no {request.plan.service.value} key in {who} settings any more",
                type="TrackerRefused",
                non_retryable=True,
            )
        return client


def _calling(call: Callable[[], T]) -> T:
    try:
        return call()
    except TrackerRefused as err:
        raise ApplicationError(str(err), type="TrackerRefused", non_retryable=True) from None
    except TrackerUnavailable as err:
        delay = timedelta(seconds=err.retry_after) if err.retry_after else None
        raise ApplicationError(
            str(err), type="TrackerUnavailable", next_retry_delay=delay
        ) from None
