"""Calls are notifications too: a call centre records a call about a shipment, and the state, the
tracking page and the report show it beside the SMS and emails.

Two doors, one rule. The shop's call centre uses the shop API (its key says which shop, the path
names the shop's own shipment id); a carrier's call centre uses the shop's carrier route, signed
like Waypost's own carrier events (`X-Waypost-Timestamp`, `X-Waypost-Signature`) with the secret
of that carrier for that shop, and names the shipment by its tracking number or the shop's id,
among that shop's shipments only. Either way the call goes to the workflow's `record_call` update;
once the workflow has closed (a call about a returned parcel, a complaint after delivery), it
goes straight into the ledger under the same rules (`models.call.call_refusal`). 201 recorded,
200 the same call again (nothing changed), 404 no such shipment (or another shop's), 409 the
same call id with other details, 422 naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from api.auth import Shop
from api.carrier_hooks import ShopId, shipment_tracked_as, webhook_secret
from api.carrier_routing import Unroutable
from api.services import Services, services
from api.shops import Problem, ShipmentId
from carriers import ADAPTERS
from carriers.base import PayloadError, SignatureError, find_header, load_json
from infra.telemetry import app_metrics
from ledger.claims import CallRefused
from models.bounds import EventId, Identifier, Moment
from models.call import (
    Call,
    CallCentre,
    CallDirection,
    CallOutcome,
    CallReceipt,
    Note,
    Operator,
    future_refusal,
)
from models.shipment import shipment_workflow_id
from models.status import ShipmentStatus
from workflows import client as temporal

router = APIRouter(tags=["calls"])

SIGNED_LIKE = ADAPTERS["generic"]
"""Carriers' call centres sign as Waypost's own carrier format does, whatever their adapter."""


class CallBody(BaseModel):
    """A call as a call centre reports it. `occurred_at` is required: a retried request must be
    the same call, so its time cannot be the moment each attempt arrives."""

    model_config = ConfigDict(extra="forbid")

    call_id: EventId
    """The call centre's own id of the call: posting it again changes nothing."""
    occurred_at: Moment
    operator: Operator
    """The operator's name or id (kept for support, never shown to the customer)."""
    direction: CallDirection = CallDirection.OUTBOUND
    outcome: CallOutcome
    note: Note | None = None
    """A short note (kept for support, never shown to the customer)."""

    def call(self, centre: CallCentre) -> Call:
        fields = self.model_dump(exclude={"tracking_number", "shipment_id"})
        return Call(centre=centre, **fields)


class CarrierCallBody(CallBody):
    """A carrier's call names the shipment by its tracking number, or by the shop's id of it."""

    tracking_number: Identifier | None = None
    shipment_id: Identifier | None = None

    @model_validator(mode="after")
    def _one_shipment(self) -> CarrierCallBody:
        if (self.tracking_number is None) == (self.shipment_id is None):
            raise ValueError("give exactly one of tracking_number and shipment_id")
        return self


class CallAnswer(BaseModel):
    shipment: str
    """The shipment's workflow id."""
    call_id: str
    outcome: Literal["recorded", "duplicate"]
    status: ShipmentStatus
    recorded_at: datetime
    after_close: bool
    """Recorded in the ledger directly: the shipment's workflow had closed."""

    @classmethod
    def of(cls, ref: str, receipt: CallReceipt) -> CallAnswer:
        return cls(
            shipment=ref,
            call_id=receipt.call_id,
            outcome=receipt.outcome,
            status=receipt.status,
            recorded_at=receipt.recorded_at,
            after_close=receipt.after_close,
        )


_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"model": CallAnswer, "description": "The same call was recorded before: no change"},
    404: {"model": Problem, "description": "No such shipment (of this shop)"},
    409: {"model": Problem, "description": "The call id was recorded with other details"},
}


@router.post(
    "/v1/shipments/{shipment_id}/calls",
    response_model=CallAnswer,
    status_code=status.HTTP_201_CREATED,
    summary="Record a call of the shop's call centre about a shipment (idempotent by call_id)",
    responses={**_RESPONSES, 401: {"model": Problem}},
)
async def shop_call(
    shipment_id: ShipmentId,
    body: CallBody,
    shop_id: Shop,
    response: Response,
    svc: Annotated[Services, Depends(services)],
) -> CallAnswer:
    ref = shipment_workflow_id(shop_id, shipment_id)
    return await record(svc, ref, body.call(CallCentre.SHOP), response, shipment_id)


@router.post(
    "/v1/carriers/{carrier}/shops/{shop_id}/calls",
    response_model=CallAnswer,
    status_code=status.HTTP_201_CREATED,
    summary="Record a call of the carrier's call centre about one of the shop's shipments",
    description="Signed as Waypost's own carrier events are (`X-Waypost-Timestamp`, "
    "`X-Waypost-Signature: v1=<HMAC-SHA256(secret, timestamp.body)>`) with the shop's own "
    "secret for this carrier (WAYPOST_SHOP_CARRIER_SECRETS), else the carrier's. The body is "
    "a call plus `tracking_number` or `shipment_id`, among this shop's shipments only.",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
            },
        }
    },
    responses={**_RESPONSES, 403: {"model": Problem}, 422: {"model": Problem}},
)
async def carrier_call(
    carrier: str,
    shop_id: ShopId,
    request: Request,
    response: Response,
    svc: Annotated[Services, Depends(services)],
) -> CallAnswer:
    if carrier not in ADAPTERS:
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
        find_header(headers, SIGNED_LIKE.signature_header)  # before the body: unsigned, unread
        raw = await request.body()
        SIGNED_LIKE.verify(raw, headers, secret.get_secret_value(), svc.clock())
        body = CarrierCallBody.model_validate(load_json(raw))
    except SignatureError as err:
        metrics.carrier_request_refused(carrier, "signature")
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"signature refused: {err}") from err
    except PayloadError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
        ) from err
    if body.shipment_id is not None:
        ref: str | Unroutable = shipment_workflow_id(shop_id, body.shipment_id)
        label = body.shipment_id
    else:
        assert body.tracking_number is not None
        ref = await shipment_tracked_as(svc, body.tracking_number, shop_id)
        label = f"with tracking number {body.tracking_number!r}"
    if isinstance(ref, Unroutable):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no shipment {label}")
    return await record(svc, ref, body.call(CallCentre.CARRIER), response, label)


async def record(svc: Services, ref: str, call: Call, response: Response, label: str) -> CallAnswer:
    """Through the workflow while it runs, else straight into the ledger; 201 or 200."""
    why = future_refusal(call, svc.clock())
    if why is not None:
        raise RequestValidationError(
            [{"loc": ("body", "occurred_at"), "msg": why, "type": "value_error"}]
        )
    try:
        receipt = await temporal.record_call(svc.client, ref, call)
    except temporal.EventRefused as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    except (temporal.ShipmentClosed, temporal.ShipmentNotFound):
        try:
            receipt = await svc.db(
                svc.ledger_writer.record_call_after_close, ref, call, svc.clock()
            )
        except LookupError as err:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no shipment {label}") from err
        except CallRefused as err:
            raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    if receipt.outcome == "duplicate":
        response.status_code = status.HTTP_200_OK
    return CallAnswer.of(ref, receipt)
