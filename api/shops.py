"""The shop API: start a shipment (idempotently), read it, cancel it before the carrier has it.

Paths name the shop's own shipment id; the workflow id is derived from the authenticated shop,
so one shop's key never sees another's shipments. A shipment's policy is its shop's default
(the registry's profile) with the request's own top-level policy fields winning.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.auth import Shop
from api.outages import QUERY_TIMEOUT
from api.services import Services, services
from infra.trackers import tracker_plan
from models.bounds import ID_PATTERN
from models.policy import NotificationPolicy
from models.shipment import CarrierEvent, ShipmentOrder, ShipmentStart, shipment_workflow_id
from models.shop import shipment_policy
from models.state import EventReceipt, ShipmentState
from models.status import ShipmentStatus
from workflows import client as temporal

router = APIRouter(prefix="/v1/shipments", tags=["shops"])

ShipmentId = Annotated[
    str,
    Path(
        description="The shop's own shipment id (the alphabet of `shipment_id`).",
        pattern=ID_PATTERN,
    ),
]


class ShipmentCreated(BaseModel):
    workflow_id: str
    created: bool
    """False when this shipment existed already (a retried request): nothing was changed."""
    status: ShipmentStatus
    tracking_link: str | None
    """The customer's tracking page (signed), for the shop's own messages."""


class ShipmentReport(BaseModel):
    workflow_id: str
    tracking_link: str | None
    state: ShipmentState


class Conflict(BaseModel):
    message: str
    differences: list[str]
    """Fields (dotted paths) where the request differs from the existing shipment."""


class Problem(BaseModel):
    detail: str


def differences(existing: Any, requested: Any, path: str = "") -> list[str]:
    """Dotted paths where two JSON-like values differ; names only, never values (they may be
    a customer's phone number or email)."""
    if isinstance(existing, dict) and isinstance(requested, dict):
        found: list[str] = []
        for key in sorted(existing.keys() | requested.keys()):
            where = f"{path}.{key}" if path else str(key)
            found += differences(existing.get(key), requested.get(key), where)
        return found
    return [] if existing == requested else [path or "(body)"]


@router.post(
    "",
    response_model=ShipmentCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Start a shipment's notifications (idempotent)",
    responses={
        200: {"model": ShipmentCreated, "description": "It existed already, identical"},
        401: {"model": Problem},
        409: {"model": Conflict, "description": "It exists with a different body"},
    },
)
async def create_shipment(
    order: ShipmentOrder,
    shop_id: Shop,
    svc: Annotated[Services, Depends(services)],
    response: Response,
) -> ShipmentCreated:
    start = ShipmentStart(
        shop_id=shop_id,
        tracker=tracker_plan(svc.settings, shop_id),
        **(dict(order) | {"policy": await _policy(svc, shop_id, order)}),
    )
    started = await temporal.start_shipment(svc.client, start, svc.settings.task_queue)
    state = await temporal.shipment_state(svc.client, start.workflow_id, rpc_timeout=QUERY_TIMEOUT)
    if not started.created:
        # The tracker plan is the deployment's, not the shop's body: a change of settings
        # between a start and its retry is no conflict.
        diff = differences(
            state.shipment.model_dump(mode="json", exclude={"tracker"}),
            start.model_dump(mode="json", exclude={"tracker"}),
        )
        if diff:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                Conflict(
                    message=f"shipment {start.shipment_id} exists with different details",
                    differences=diff,
                ).model_dump(),
            )
        response.status_code = status.HTTP_200_OK
    return ShipmentCreated(
        workflow_id=start.workflow_id,
        created=started.created,
        status=state.status,
        tracking_link=svc.tracking_link(start.workflow_id),
    )


async def _policy(svc: Services, shop_id: str, order: ShipmentOrder) -> NotificationPolicy:
    """The shop's default policy (registry), overridden by the request's top-level fields."""
    registered = await svc.db(svc.ledger.shop, shop_id)
    default = registered.shop.profile.policy if registered is not None else None
    given = order.policy.model_fields_set if "policy" in order.model_fields_set else set()
    try:
        return shipment_policy(default, order.policy, given)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", "policy", *e["loc"])} for e in err.errors(include_url=False)]
        ) from err


@router.get(
    "/{shipment_id}",
    response_model=ShipmentReport,
    summary="A shipment's state: status, events, messages, what comes next",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def read_shipment(
    shipment_id: ShipmentId, shop_id: Shop, svc: Annotated[Services, Depends(services)]
) -> ShipmentReport:
    ref = shipment_workflow_id(shop_id, shipment_id)
    try:
        state = await temporal.shipment_state(svc.client, ref, rpc_timeout=QUERY_TIMEOUT)
    except temporal.ShipmentNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no shipment {shipment_id}") from err
    return ShipmentReport(workflow_id=ref, tracking_link=svc.tracking_link(ref), state=state)


@router.post(
    "/{shipment_id}/cancel",
    response_model=EventReceipt,
    summary="Cancel a shipment the carrier has not picked up yet",
    responses={
        401: {"model": Problem},
        404: {"model": Problem},
        409: {"model": Problem, "description": "Too late: the carrier has it, or it is closed"},
    },
)
async def cancel_shipment(
    shipment_id: ShipmentId, shop_id: Shop, svc: Annotated[Services, Depends(services)]
) -> EventReceipt:
    ref = shipment_workflow_id(shop_id, shipment_id)
    event = CarrierEvent(
        event_id="shop:cancel",
        status=ShipmentStatus.CANCELLED,
        occurred_at=svc.clock(),
        description="cancelled by the shop before dispatch",
    )
    try:
        receipt = await temporal.report_event(svc.client, ref, event)
    except temporal.ShipmentNotFound as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no shipment {shipment_id}") from err
    except (temporal.EventRefused, temporal.ShipmentClosed) as err:
        raise HTTPException(status.HTTP_409_CONFLICT, f"cannot cancel: {err}") from err
    if receipt.status is not ShipmentStatus.CANCELLED:
        raise HTTPException(status.HTTP_409_CONFLICT, f"cannot cancel: {receipt.reason}")
    return receipt
