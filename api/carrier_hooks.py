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
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel

from api.carriers import ADAPTERS
from api.carriers.base import BadEvent, ParsedEvent, PayloadError, SignatureError, find_header
from api.services import Services, services
from models.shipment import FINAL_STATUSES, ShipmentStatus
from models.state import EventOutcome
from starters import client as temporal
from workers.metrics import app_metrics

router = APIRouter(prefix="/v1/carriers", tags=["carriers"])

Outcome = Literal[
    "applied", "duplicate", "out_of_order", "refused", "ignored", "unknown_shipment", "invalid"
]

_SEARCHABLE = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")
"""Tracking numbers safe to put into a visibility query as they are."""


class EventResult(BaseModel):
    index: int
    """The event's position in the payload the carrier sent (0-based)."""
    code: int
    """What this event alone would have been answered with: 202 applied, 200 duplicate or
    ignored, 404 unknown shipment, 409 refused or out of order, 422 unreadable."""
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
    """200 when every event went well, the shared code when all failed alike, else 207."""
    if all(r.code < 300 for r in results):
        return status.HTTP_200_OK
    codes = {r.code for r in results}
    return codes.pop() if len(codes) == 1 else status.HTTP_207_MULTI_STATUS


async def _shipment_for(svc: Services, parsed: ParsedEvent) -> str | None:
    """The workflow an event is for: named by the payload, else by tracking number (the ledger,
    then Temporal's visibility for a shipment whose first record is still on its way)."""
    if parsed.shipment_ref is not None:
        return parsed.shipment_ref
    known = await svc.db(svc.ledger.shipments_tracked_as, parsed.tracking_number)
    open_ones = [s for s in known if s.status not in FINAL_STATUSES]
    if open_ones or known:
        return (open_ones or known)[-1].ref
    if not _SEARCHABLE.match(parsed.tracking_number):
        return None
    query = f'TrackingNumber = "{parsed.tracking_number}"'
    async for found in svc.client.list_workflows(query, limit=1):
        return found.id
    return None


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
    except temporal.ShipmentNotFound as err:
        return base.model_copy(
            update={"code": 404, "outcome": "unknown_shipment", "reason": str(err)}
        )
    except temporal.ShipmentClosed as err:
        # Carriers re-send whole trackers after delivery: what the ledger has is a duplicate.
        recorded = await svc.db(svc.ledger.timeline, ref)
        if any(e.event_id == parsed.event.event_id for e in recorded):
            return base.model_copy(
                update={"code": 200, "outcome": "duplicate", "reason": "received before"}
            )
        return base.model_copy(update={"code": 409, "outcome": "refused", "reason": str(err)})
    except temporal.EventRefused as err:
        return base.model_copy(update={"code": 409, "outcome": "refused", "reason": str(err)})
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


async def _deliver_in_order(
    svc: Services, ref: str, events: list[ParsedEvent]
) -> list[EventResult]:
    ordered = sorted(events, key=_when)
    return [await _deliver(svc, ref, parsed) for parsed in ordered]


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


@router.post(
    "/{carrier}/events",
    response_model=CarrierAnswer,
    summary="A carrier's status events, in its own payload format, signed with its secret",
    description=(
        "Adapters: `easypost` (tracker.updated events, `X-Hmac-Signature`), `shippo` "
        "(track_updated), `generic` (Waypost's documented JSON, `X-Waypost-Signature`). "
        "Answers per event; the HTTP status is 200 when all went well, the events' common code "
        "when all failed alike (404 unknown shipment, 409 refused, 422 unreadable), else 207."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
    responses={
        207: {"model": CarrierAnswer, "description": "Some events accepted, some not"},
        403: {"model": Problem, "description": "Signature missing or wrong"},
        404: {"model": Problem, "description": "Unknown carrier, or unknown shipments"},
        409: {"model": CarrierAnswer, "description": "Every event refused"},
        413: {"model": Problem, "description": "Body over WAYPOST_CARRIER_MAX_BODY_BYTES"},
        422: {"model": Problem, "description": "Not this carrier's payload"},
    },
)
async def carrier_events(
    carrier: str,
    request: Request,
    response: Response,
    svc: Annotated[Services, Depends(services)],
) -> CarrierAnswer:
    adapter = ADAPTERS.get(carrier)
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise HTTPException(404, f"no carrier adapter {carrier!r} (known: {known})")
    metrics = app_metrics(svc.client)
    secret = svc.settings.carrier_secrets.get(carrier)
    if secret is None:
        metrics.carrier_request_refused(carrier, "no_secret")
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"no webhook secret configured for {carrier!r}: set WAYPOST_CARRIER_SECRETS",
        )
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        find_header(headers, adapter.signature_header)  # before the body: unsigned, unread
        # The body-limit middleware (api/limits.py) refuses it with 413 past the limit.
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
        elif (ref := await _shipment_for(svc, item)) is None:
            results.append(
                EventResult(
                    index=item.index,
                    code=status.HTTP_404_NOT_FOUND,
                    outcome="unknown_shipment",
                    event_id=item.event.event_id,
                    tracking_number=item.tracking_number,
                    reason=f"no shipment with tracking number {item.tracking_number!r}",
                )
            )
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
    return CarrierAnswer(
        carrier=carrier,
        accepted=sum(r.outcome == "applied" for r in results),
        refused=sum(r.code >= 300 for r in results),
        results=results,
    )
