"""A shop's webhooks: its delivery log, one delivery with every attempt, a replay, its secret.

Like `/v1/shop`, the shop is its key's: no path names a shop, and another shop's delivery id is
answered 404 exactly like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel

from api.auth import Shop
from api.services import Services, services
from api.shops import Problem
from ledger.webhooks import WebhookAttemptView, WebhookDeliveryView
from models.webhooks import DeliveryStatus, ShopEventType

router = APIRouter(prefix="/v1/shop", tags=["shops"])

DeliveryId = Annotated[
    str,
    Path(
        pattern=r"^msg_[0-9a-f]{32}$",
        description="The event's id: its `webhook-id` header, as the log lists it.",
    ),
]


class WebhookDeliveryOut(BaseModel):
    """One event told to the shop: its `webhook-id`, what it said, how its delivery went."""

    id: str
    event_type: str
    payload: Any
    created_at: datetime
    status: DeliveryStatus
    attempts: int
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    replays: int
    attempt_log: list[WebhookAttemptView] | None = None

    @classmethod
    def of(cls, view: WebhookDeliveryView, *, with_attempts: bool = False) -> WebhookDeliveryOut:
        return cls(
            id=view.id,
            event_type=view.event_type,
            payload=view.body,
            created_at=view.created_at,
            status=view.status,
            attempts=view.attempts,
            last_status_code=view.last_status_code,
            last_error=view.last_error,
            delivered_at=view.delivered_at,
            replays=view.generation,
            attempt_log=list(view.attempt_log) if with_attempts else None,
        )


class WebhookSecret(BaseModel):
    secret: str
    """`whsec_` and base64: give it to a Standard Webhooks verifier (`Webhook(secret).verify`)."""


async def _with_attempts(
    svc: Services,
    read: Callable[[str, str], WebhookDeliveryView | None],
    shop_id: str,
    delivery_id: str,
) -> WebhookDeliveryOut:
    """The delivery `read` answers for the shop, with every attempt; 404 when the shop has none
    by that id (another shop's is answered exactly like one that does not exist)."""
    view = await svc.db(read, shop_id, delivery_id)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no webhook delivery {delivery_id[:40]}")
    return WebhookDeliveryOut.of(view, with_attempts=True)


@router.get(
    "/webhooks",
    response_model=list[WebhookDeliveryOut],
    summary="The shop's webhook delivery log, newest first",
    responses={401: {"model": Problem}},
)
async def delivery_log(
    shop_id: Shop,
    svc: Annotated[Services, Depends(services)],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    event_type: Annotated[ShopEventType | None, Query(alias="type")] = None,
) -> list[WebhookDeliveryOut]:
    found = await svc.db(
        lambda: svc.webhooks.deliveries(
            shop_id, limit=limit, event_type=event_type.value if event_type else None
        )
    )
    return [WebhookDeliveryOut.of(view) for view in found]


@router.get(
    "/webhooks/{delivery_id}",
    response_model=WebhookDeliveryOut,
    summary="One webhook delivery with every attempt",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def one_delivery(
    delivery_id: DeliveryId, shop_id: Shop, svc: Annotated[Services, Depends(services)]
) -> WebhookDeliveryOut:
    return await _with_attempts(svc, svc.webhooks.delivery, shop_id, delivery_id)


@router.post(
    "/webhooks/{delivery_id}/replay",
    response_model=WebhookDeliveryOut,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Deliver a webhook again, as it was (the same webhook-id)",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def replay(
    delivery_id: DeliveryId, shop_id: Shop, svc: Annotated[Services, Depends(services)]
) -> WebhookDeliveryOut:
    return await _with_attempts(svc, svc.webhooks.replay, shop_id, delivery_id)


@router.get(
    "/webhook-secret",
    response_model=WebhookSecret,
    summary="The secret the shop's webhooks are signed with (Standard Webhooks)",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def webhook_secret(
    shop_id: Shop, svc: Annotated[Services, Depends(services)]
) -> WebhookSecret:
    secret = await svc.db(svc.shops.webhook_secret, shop_id)
    if secret is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"shop {shop_id} has no profile in the registry"
        )
    return WebhookSecret(secret=secret)
