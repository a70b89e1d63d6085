"""Shop events the HTTP service records itself: a customer's reply, once its workflow accepted it
(the workflow's answer is the fact; the ledger does not hold replies). Recorded in the ledger's
webhook outbox, delivered by the worker's relay: the customer's answer never waits for the shop.
"""

from __future__ import annotations

from typing import Literal

import structlog

from api.outages import unavailable
from api.services import Services
from models.shipment import Window, shop_of_ref
from models.webhooks import ShopEventType

log = structlog.get_logger("waypost.api.shop_events")

ReplyChannel = Literal["sms", "tracking_page"]


async def customer_replied(
    svc: Services,
    ref: str,
    answer: Literal["confirm", "reschedule", "slot"],
    via: ReplyChannel,
    *,
    outcome: str | None = None,
    slot: int | None = None,
    window: Window | None = None,
) -> None:
    """Tell the shop (`customer.reply`) what its customer answered: confirmed the courier, asked
    to reschedule, or chose a slot. A ledger outage loses only this event (logged), never the
    reply, which the workflow has already."""
    shop_id = shop_of_ref(ref)
    if shop_id is None:
        return
    reply: dict[str, object] = {"answer": answer, "via": via, "outcome": outcome}
    if slot is not None:
        reply["slot"] = slot
    if window is not None:
        reply["window"] = {"start": window.start.isoformat(), "end": window.end.isoformat()}
    try:
        await svc.db(_emit, svc, shop_id, ref, {"reply": reply})
    except Exception as err:
        if unavailable(err) is None:
            raise
        log.error("customer reply not told to the shop: ledger unavailable", shipment=ref)


def _emit(svc: Services, shop_id: str, ref: str, data: dict[str, object]) -> str | None:
    return svc.webhooks.emit(shop_id, ShopEventType.CUSTOMER_REPLY, data, shipment_ref=ref)
