"""Carrier webhooks: one endpoint per adapter, answering per event what was accepted and why not.

Events are delivered through the workflow's `report_event` update, so the carrier learns at once
whether an event applied, was a duplicate, arrived out of order, or was refused (and why). The
events of one shipment go in the order they happened; different shipments go concurrently. One
bad event never stops the others.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response, status
from pydantic import BaseModel, SecretStr

from api.carrier_routing import Candidate, Unroutable, choose_shipment
from api.outages import RETRY_AFTER_SECONDS, unavailable
from api.services import Services, services
from carriers import ADAPTERS
from carriers.base import BadEvent, ParsedEvent, PayloadError, SignatureError, find_header
from infra import search_attributes as sa
from infra.settings import Settings
from infra.telemetry import app_metrics
from models.shipment import FINAL_STATUSES, shop_of_ref
from models.state import EventOutcome
from models.status import ShipmentStatus
from workflows import client as temporal

router = APIRouter(prefix="/v1/carriers", tags=["carriers"])

Outcome = Literal[
    "applied",
    "duplicate",
    "out_of_order",
    "refused",
    "ignored",
    "unknown_shipment",
    "ambiguous",
    "invalid",
    "unavailable",
]

_SEARCHABLE = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")
"""Tracking numbers safe to put into a visibility query as they are."""


class EventResult(BaseModel):
    index: int
    """The event's position in the payload the carrier sent (0-based)."""
    code: int
    """What this event alone would have been answered with: 202 applied, 200 duplicate or
    ignored, 404 unknown shipment, 409 refused, out of order or ambiguous, 422 unreadable, 503
    not delivered because Temporal or the ledger could not take it now (send it again)."""
    outcome: Outcome
    event_id: str | None = None
    tracking_number: str | None = None
    shipment: str | None = None
    """The workflow id the event was delivered to."""
    status: ShipmentStatus | None = None
    """The shipment's status after the event."""
    reason: str | None = None


class CarrierAnswer(BaseModel):
    carrier: str
    accepted: int
    refused: int
    results: list[EventResult]


class Problem(BaseModel):
    detail: str


def overall_code(results: list[EventResult]) -> int:
    """200 when every event went well, 503 when any must be sent again (the results say which
    were applied), the shared code when all failed alike, else 207."""
    if all(r.code < 300 for r in results):
        return status.HTTP_200_OK
    codes = {r.code for r in results}
    if status.HTTP_503_SERVICE_UNAVAILABLE in codes:
        return status.HTTP_503_SERVICE_UNAVAILABLE
    return codes.pop() if len(codes) == 1 else status.HTTP_207_MULTI_STATUS


async def _shipment_for(
    svc: Services, parsed: ParsedEvent, shop_id: str | None
) -> str | Unroutable:
    """The workflow an event is for (see api.carrier_routing): named by the payload, else by
    tracking number (the ledger, then Temporal's visibility for a shipment whose first record is
    still on its way), within the shop whose webhook it came to."""
    if parsed.shipment_ref is not None:
        named = shop_of_ref(parsed.shipment_ref)
        return parsed.shipment_ref if shop_id in (None, named) else Unroutable.NONE
    return await shipment_tracked_as(svc, parsed.tracking_number, shop_id)


async def shipment_tracked_as(
    svc: Services, tracking_number: str, shop_id: str | None
) -> str | Unroutable:
    """The workflow a tracking number names (see api.carrier_routing), within `shop_id`'s
    shipments when given (also the call centres' route, `api.calls`)."""
    known = await svc.db(partial(svc.ledger.shipments_tracked_as, shop_id=shop_id), tracking_number)
    candidates = [Candidate(s.ref, s.shop_id, s.status not in FINAL_STATUSES) for s in known]
    if not candidates:
        candidates = await _visible(svc, tracking_number, shop_id)
    return choose_shipment(candidates, shop_id)


async def _visible(svc: Services, tracking_number: str, shop_id: str | None) -> list[Candidate]:
    """Running shipments Temporal knows by this number (a few are enough: two shops make an
    event ambiguous)."""
    if not _SEARCHABLE.match(tracking_number) or not _SEARCHABLE.match(shop_id or "-"):
        return []
    query = f'{sa.TRACKING_NUMBER.name} = "{tracking_number}" AND ExecutionStatus = "Running"'
    if shop_id is not None:
        query += f' AND {sa.SHOP_ID.name} = "{shop_id}"'
    found: list[Candidate] = []
    async for execution in svc.client.list_workflows(query, limit=10):
        shop = shop_of_ref(execution.id)
        if shop is not None:
            found.append(Candidate(execution.id, shop, open=True))
    return found


def _not_routed(item: ParsedEvent, why: Unroutable, carrier: str) -> EventResult:
    assert item.event is not None
    if why is Unroutable.AMBIGUOUS:
        return EventResult(
            index=item.index,
            code=status.HTTP_409_CONFLICT,
            outcome="ambiguous",
            event_id=item.event.event_id,
            tracking_number=item.tracking_number,
            reason=f"tracking number {item.tracking_number!r} belongs to shipments of more than "
            f"one shop: post it to the shop's own webhook, /v1/carriers/{carrier}/shops/"
            "{shop_id}/events",
        )
    return EventResult(
        index=item.index,
        code=status.HTTP_404_NOT_FOUND,
        outcome="unknown_shipment",
        event_id=item.event.event_id,
        tracking_number=item.tracking_number,
        reason=f"no shipment with tracking number {item.tracking_number!r}",
    )


def _undelivered(item: ParsedEvent, why: str) -> EventResult:
    """An event not delivered because a dependency could not take it: to be sent again."""
    return EventResult(
        index=item.index,
        code=status.HTTP_503_SERVICE_UNAVAILABLE,
        outcome="unavailable",
        event_id=item.event.event_id if item.event else None,
        tracking_number=item.tracking_number,
        reason=f"not delivered: {why}; send this event again",
    )


async def _deliver(svc: Services, ref: str, parsed: ParsedEvent) -> EventResult:
    assert parsed.event is not None
    base = EventResult(
        index=parsed.index,
        code=status.HTTP_202_ACCEPTED,
        outcome="applied",
        event_id=parsed.event.event_id,
        tracking_number=parsed.tracking_number,
        shipment=ref,
    )
    try:
        receipt = await temporal.report_event(svc.client, ref, parsed.event)
    except Exception as err:
        try:
            return await _answer_failure(svc, base, parsed, err)
        except Exception as failure:
            if (why := unavailable(failure)) is None:
                raise
            return _undelivered(parsed, why).model_copy(update={"shipment": ref})
    codes = {
        EventOutcome.APPLIED: (status.HTTP_202_ACCEPTED, "applied"),
        EventOutcome.DUPLICATE: (status.HTTP_200_OK, "duplicate"),
        EventOutcome.OUT_OF_ORDER: (status.HTTP_409_CONFLICT, "out_of_order"),
        EventOutcome.REFUSED: (status.HTTP_409_CONFLICT, "refused"),
    }
    code, outcome = codes[receipt.outcome]
    return base.model_copy(
        update={
            "code": code,
            "outcome": outcome,
            "status": receipt.status,
            "reason": receipt.reason,
        }
    )


async def _answer_failure(
    svc: Services, base: EventResult, parsed: ParsedEvent, err: Exception
) -> EventResult:
    """The answer for an event the workflow did not take; anything else (an outage, a bug)
    is raised again for the caller to judge."""
    assert parsed.event is not None
    if isinstance(err, temporal.ShipmentNotFound):
        return base.model_copy(
            update={"code": 404, "outcome": "unknown_shipment", "reason": str(err)}
        )
    if isinstance(err, temporal.ShipmentClosed):
        # Carriers re-send whole trackers after delivery: what the ledger has is a duplicate.
        recorded = await svc.db(svc.ledger.timeline, base.shipment)
        if any(e.event_id == parsed.event.event_id for e in recorded):
            return base.model_copy(
                update={"code": 200, "outcome": "duplicate", "reason": "received before"}
            )
        return base.model_copy(update={"code": 409, "outcome": "refused", "reason": str(err)})
    if isinstance(err, temporal.EventRefused):
        return base.model_copy(update={"code": 409, "outcome": "refused", "reason": str(err)})
    raise err


async def _deliver_in_order(
    svc: Services, ref: str, events: list[ParsedEvent]
) -> list[EventResult]:
    """One shipment's events in the order they happened; once one could not be delivered, the
    later ones are not tried (they would overtake it) and are answered to be sent again."""
    results: list[EventResult] = []
    for parsed in sorted(events, key=_when):
        if results and results[-1].outcome == "unavailable":
            behind = "an earlier event of this shipment was not delivered"
            results.append(_undelivered(parsed, behind).model_copy(update={"shipment": ref}))
        else:
            results.append(await _deliver(svc, ref, parsed))
    return results


def _when(parsed: ParsedEvent) -> tuple[datetime, int]:
    assert parsed.event is not None, "only events with a canonical meaning are delivered"
    return parsed.event.occurred_at, parsed.index


def _unread(item: BadEvent) -> EventResult:
    return EventResult(
        index=item.index,
        code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        outcome="invalid",
        event_id=item.event_id,
        tracking_number=item.tracking_number,
        reason=item.error,
    )


def _ignored(item: ParsedEvent) -> EventResult:
    return EventResult(
        index=item.index,
        code=status.HTTP_200_OK,
        outcome="ignored",
        tracking_number=item.tracking_number,
        reason=item.ignored_reason or f"carrier status {item.source_status!r} changes nothing",
    )


ShopId = Annotated[
    str,
    Path(
        description="The shop whose shipments this webhook reaches (and no other shop's).",
        min_length=1,
        max_length=100,
        pattern=r"^[^:\s/]+$",
    ),
]

_DESCRIPTION = (
    "Adapters: `easypost` (tracker.updated events, `X-Hmac-Signature`), `shippo` "
    "(track_updated), `generic` (Waypost's documented JSON, `X-Waypost-Signature`). "
    "Answers per event; the HTTP status is 200 when all went well, 503 with Retry-After when "
    "some events must be sent again (the results say which were applied), the events' common "
    "code when all failed alike (404 unknown shipment, 409 refused or ambiguous, 422 "
    "unreadable), else 207."
)
_RESPONSES: dict[int | str, dict[str, object]] = {
    207: {"model": CarrierAnswer, "description": "Some events accepted, some not"},
    403: {"model": Problem, "description": "Signature missing or wrong"},
    404: {"model": Problem, "description": "Unknown carrier, or unknown shipments"},
    409: {"model": CarrierAnswer, "description": "Every event refused"},
    413: {"model": Problem, "description": "Body over WAYPOST_CARRIER_MAX_BODY_BYTES"},
    422: {"model": Problem, "description": "Not this carrier's payload"},
    503: {"model": CarrierAnswer, "description": "Some events to be sent again (Retry-After)"},
}
_JSON_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/{carrier}/events",
    response_model=CarrierAnswer,
    summary="A carrier's status events, in its own payload format, signed with its secret",
    description=_DESCRIPTION
    + " A tracking number that shipments of several shops carry is refused as ambiguous here: "
    "use the shop's own webhook.",
    openapi_extra=_JSON_BODY,
    responses=_RESPONSES,
)
async def carrier_events(
    carrier: str,
    request: Request,
    response: Response,
    svc: Annotated[Services, Depends(services)],
) -> CarrierAnswer:
    return await _receive(carrier, None, request, response, svc)


@router.post(
    "/{carrier}/shops/{shop_id}/events",
    response_model=CarrierAnswer,
    summary="A carrier's status events for one shop's shipments only",
    description=_DESCRIPTION
    + " Events reach this shop's shipments and no other's; signed with the shop's own secret "
    "for this carrier when one is configured (WAYPOST_SHOP_CARRIER_SECRETS), else the "
    "carrier's.",
    openapi_extra=_JSON_BODY,
    responses=_RESPONSES,
)
async def shop_carrier_events(
    carrier: str,
    shop_id: ShopId,
    request: Request,
    response: Response,
    svc: Annotated[Services, Depends(services)],
) -> CarrierAnswer:
    return await _receive(carrier, shop_id, request, response, svc)


def webhook_secret(settings: Settings, carrier: str, shop_id: str | None) -> SecretStr | None:
    """A shop's own secret for this carrier on its webhook, else the carrier's."""
    own = settings.shop_carrier_secrets.get(shop_id, {}) if shop_id is not None else {}
    return own.get(carrier) or settings.carrier_secrets.get(carrier)


async def _receive(
    carrier: str, shop_id: str | None, request: Request, response: Response, svc: Services
) -> CarrierAnswer:
    adapter = ADAPTERS.get(carrier)
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise HTTPException(404, f"no carrier adapter {carrier!r} (known: {known})")
    metrics = app_metrics(svc.client)
    secret = webhook_secret(svc.settings, carrier, shop_id)
    if secret is None:
        metrics.carrier_request_refused(carrier, "no_secret")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"no webhook secret configured for {carrier!r}: set WAYPOST_CARRIER_SECRETS",
        )
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        find_header(headers, adapter.signature_header)  # before the body: unsigned, unread
        # The body-limit middleware (infra/limits.py) refuses it with 413 past the limit.
        body = await request.body()
        adapter.verify(body, headers, secret.get_secret_value(), svc.clock())
        items = adapter.parse(body)
    except SignatureError as err:
        metrics.carrier_request_refused(carrier, "signature")
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"signature refused: {err}") from err
    except PayloadError as err:
        metrics.carrier_request_refused(carrier, "payload")
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err

    results: list[EventResult] = []
    by_shipment: dict[str, list[ParsedEvent]] = defaultdict(list)
    for item in items:
        if isinstance(item, BadEvent):
            results.append(_unread(item))
        elif item.event is None:
            results.append(_ignored(item))
        else:
            try:
                ref = await _shipment_for(svc, item, shop_id)
            except Exception as err:
                if (why := unavailable(err)) is None:
                    raise
                results.append(_undelivered(item, why))
                continue
            if isinstance(ref, Unroutable):
                results.append(_not_routed(item, ref, carrier))
            else:
                by_shipment[ref].append(item)
    delivered = await asyncio.gather(
        *(_deliver_in_order(svc, ref, events) for ref, events in by_shipment.items())
    )
    results += [result for batch in delivered for result in batch]
    results.sort(key=lambda r: r.index)
    for result in results:
        metrics.carrier_event(carrier, result.code, result.outcome)
    response.status_code = overall_code(results)
    if response.status_code == status.HTTP_503_SERVICE_UNAVAILABLE:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return CarrierAnswer(
        carrier=carrier,
        accepted=sum(r.outcome == "applied" for r in results),
        refused=sum(r.code >= 300 for r in results),
        results=results,
    )
