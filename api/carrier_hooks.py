"""Carrier webhooks: one endpoint per adapter, answering per event what was accepted and why not.

Events are delivered through the workflow's `report_event` update, so the carrier learns at once
whether an event applied, was a duplicate, arrived out of order, or was refused (and why). The
events of one shipment go in the order they happened; different shipments go concurrently. One
bad event never stops the others.

Carriers disable a webhook that keeps answering non-2xx (Shippo does), so an event that was
understood but does not apply (an unknown tracking number, a closed shipment, an event out of
order, a duplicate, an ambiguous number on the shared webhook, a test-mode event) is answered 200
with its outcome in the body. Only what the sender must fix is a 4xx: the signature or token
(403), a payload that is not the carrier's (422), and events it cannot read (422 each, 207 when
others were fine). 503 asks for events to be sent again.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from collections import defaultdict
from datetime import datetime
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
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
    "ignored_test_mode",
    "ignored_production_mode",
]

_SEARCHABLE = re.compile(r"^[A-Za-z0-9._\-]{1,100}$")
"""Tracking numbers safe to put into a visibility query as they are."""


class EventResult(BaseModel):
    index: int
    """The event's position in the payload the carrier sent (0-based)."""
    code: int
    """What this event alone would have been answered with: 202 applied; 200 understood but not
    applied (duplicate, ignored, ignored_test_mode, unknown_shipment, out_of_order, refused,
    ambiguous: nothing for the sender to fix, the outcome says what happened); 422 unreadable;
    503 not delivered because Temporal or the ledger could not take it now (send it again)."""
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
    """Events applied."""
    refused: int
    """Events the sender should look at: unreadable, or to be sent again (code >= 300)."""
    results: list[EventResult]


class Problem(BaseModel):
    detail: str


def overall_code(results: list[EventResult]) -> int:
    """200 when every event was understood (applied or not), 503 when any must be sent again
    (the results say which were applied), 422 when none could be read, else 207."""
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
        # 200, not 409: one number two shops share must not get the shared webhook disabled
        # for every shop; the reason names the shop webhook that settles it.
        return EventResult(
            index=item.index,
            code=status.HTTP_200_OK,
            outcome="ambiguous",
            event_id=item.event.event_id,
            tracking_number=item.tracking_number,
            reason=f"tracking number {item.tracking_number!r} belongs to shipments of more than "
            f"one shop: post it to the shop's own webhook, /v1/carriers/{carrier}/shops/"
            "{shop_id}/events",
        )
    return EventResult(
        index=item.index,
        code=status.HTTP_200_OK,
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
        EventOutcome.OUT_OF_ORDER: (status.HTTP_200_OK, "out_of_order"),
        EventOutcome.REFUSED: (status.HTTP_200_OK, "refused"),
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
            update={"code": 200, "outcome": "unknown_shipment", "reason": str(err)}
        )
    if isinstance(err, temporal.ShipmentClosed):
        # Carriers re-send whole trackers after delivery: what the ledger has is a duplicate.
        recorded = {e.event_id for e in await svc.db(svc.ledger.timeline, base.shipment)}
        ids = {parsed.event.event_id, parsed.event.legacy_event_id}
        if ids & recorded:
            return base.model_copy(
                update={"code": 200, "outcome": "duplicate", "reason": "received before"}
            )
        return base.model_copy(update={"code": 200, "outcome": "refused", "reason": str(err)})
    if isinstance(err, temporal.EventRefused):
        return base.model_copy(update={"code": 200, "outcome": "refused", "reason": str(err)})
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


def _other_mode(item: ParsedEvent, accepted: frozenset[str]) -> EventResult:
    """An event from a carrier environment this deployment does not take (a test-mode event in
    production): understood, answered 200, and it never reaches a shipment."""
    mode = item.mode or "production"
    return EventResult(
        index=item.index,
        code=status.HTTP_200_OK,
        outcome="ignored_test_mode" if mode == "test" else "ignored_production_mode",
        event_id=item.event.event_id if item.event else None,
        tracking_number=item.tracking_number,
        reason=f"a {mode}-mode event; this deployment takes {', '.join(sorted(accepted))} "
        "events only (WAYPOST_CARRIER_MODES)",
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

UrlToken = Annotated[
    str | None,
    Query(
        description="The webhook URL's token (shippo: WAYPOST_CARRIER_URL_TOKENS), instead of a "
        "signature; read by the handler, never logged.",
        max_length=500,
    ),
]


_DESCRIPTION = (
    "Adapters: `easypost` (tracker.updated events, `X-Hmac-Signature`), `shippo` "
    "(track_updated; `?token=` in the URL, or `Shippo-Auth-Signature` where arranged), "
    "`generic` (Waypost's documented JSON, `X-Waypost-Signature`). Answers per event; the "
    "HTTP status is 200 when every event was understood, applied or not (the outcome says: "
    "applied, duplicate, ignored, ignored_test_mode, unknown_shipment, out_of_order, refused, "
    "ambiguous), 503 with Retry-After when some events must be sent again (the results say "
    "which were applied), 422 when no event could be read, else 207. Only what the sender must "
    "fix is a 4xx, so that a carrier never disables the webhook over events that do not apply."
)
_RESPONSES: dict[int | str, dict[str, object]] = {
    207: {"model": CarrierAnswer, "description": "Some events unreadable, the others answered"},
    403: {"model": Problem, "description": "Signature or URL token missing or wrong"},
    404: {"model": Problem, "description": "Unknown carrier adapter"},
    413: {"model": Problem, "description": "Body over WAYPOST_CARRIER_MAX_BODY_BYTES"},
    422: {"model": Problem, "description": "Not this carrier's payload, or no event readable"},
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
    token: UrlToken = None,
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
    token: UrlToken = None,
) -> CarrierAnswer:
    return await _receive(carrier, shop_id, request, response, svc)


def webhook_secret(settings: Settings, carrier: str, shop_id: str | None) -> SecretStr | None:
    """A shop's own secret for this carrier on its webhook, else the carrier's."""
    own = settings.shop_carrier_secrets.get(shop_id, {}) if shop_id is not None else {}
    return own.get(carrier) or settings.carrier_secrets.get(carrier)


def webhook_token(settings: Settings, carrier: str, shop_id: str | None) -> SecretStr | None:
    """A shop's own URL token for this carrier on its webhook, else the carrier's."""
    own = settings.shop_carrier_url_tokens.get(shop_id, {}) if shop_id is not None else {}
    return own.get(carrier) or settings.carrier_url_tokens.get(carrier)


def token_matches(given: str, expected: SecretStr) -> bool:
    """Constant-time comparison; the expected token is never part of an answer or a log."""
    return hmac.compare_digest(
        given.encode("utf-8", "replace"), expected.get_secret_value().encode("utf-8", "replace")
    )


async def _receive(
    carrier: str, shop_id: str | None, request: Request, response: Response, svc: Services
) -> CarrierAnswer:
    adapter = ADAPTERS.get(carrier)
    if adapter is None:
        known = ", ".join(sorted(ADAPTERS))
        raise HTTPException(404, f"no carrier adapter {carrier!r} (known: {known})")
    metrics = app_metrics(svc.client)
    secret = webhook_secret(svc.settings, carrier, shop_id)
    token = webhook_token(svc.settings, carrier, shop_id) if adapter.url_token else None
    given = request.query_params.get("token") if adapter.url_token else None
    if secret is None and token is None:
        metrics.carrier_request_refused(carrier, "no_secret")
        settings_named = "WAYPOST_CARRIER_SECRETS" + (
            " or WAYPOST_CARRIER_URL_TOKENS" if adapter.url_token else ""
        )
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"no webhook secret configured for {carrier!r}: set {settings_named}",
        )
    headers = {name.lower(): value for name, value in request.headers.items()}
    try:
        if token is not None and (given is not None or secret is None):
            # Shippo's documented security: the token in the URL, checked before the body.
            if given is None or not token_matches(given, token):
                metrics.carrier_request_refused(carrier, "token")
                problem = "missing" if given is None else "wrong"
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN, f"{problem} token in the webhook URL (?token=)"
                )
            body = await request.body()
        else:
            assert secret is not None
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

    modes = svc.settings.accepted_carrier_modes
    results: list[EventResult] = []
    by_shipment: dict[str, list[ParsedEvent]] = defaultdict(list)
    for item in items:
        if isinstance(item, BadEvent):
            results.append(_unread(item))
        elif item.mode is not None and item.mode not in modes:
            results.append(_other_mode(item, modes))
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
