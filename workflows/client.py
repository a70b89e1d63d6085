"""Client helpers a shop backend or the CLI uses: start a shipment, report an event, ask its state.

They turn Temporal's failures into answers a caller can act on: a refused event says why, an
event for a closed shipment says it is closed, a retried start finds the existing workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    RPCError,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowUpdateFailedError,
)
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCStatusCode

from infra import search_attributes as sa
from models.call import Call, CallReceipt
from models.consent import MarketingConsent
from models.notification import DeliveryReport
from models.shipment import (
    CarrierEvent,
    CourierReply,
    ReplyChannel,
    ShipmentStart,
    SlotChoice,
    Window,
)
from models.state import EventReceipt, ReplyReceipt, ShipmentState
from models.status import ShipmentStatus
from workflows.shipment import ShipmentWorkflow


class EventRefused(Exception):
    """The workflow refused the event; the message says why."""


class ShipmentNotFound(Exception):
    """No workflow exists for this shipment reference."""


class ShipmentClosed(Exception):
    """The shipment reached a final status; it accepts no more events."""


def initial_search_attributes(start: ShipmentStart) -> TypedSearchAttributes:
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.SHIPMENT_STATUS, ShipmentStatus.SHIPPED.value),
        SearchAttributePair(sa.CARRIER, start.carrier),
        SearchAttributePair(sa.ORDER_ID, start.order_id),
        SearchAttributePair(sa.TRACKING_NUMBER, start.tracking_number),
        SearchAttributePair(sa.SHOP_ID, start.shop_id),
    ]
    window = start.delivery.window
    if window is not None:
        pairs.append(SearchAttributePair(sa.ESTIMATED_DELIVERY, window.end))
    return TypedSearchAttributes(pairs)


def static_summary(start: ShipmentStart) -> str:
    return (
        f"Order {start.order_id} · {start.carrier} {start.tracking_number} · "
        f"{start.delivery.kind.value} · shop {start.shop_id}"
    )


@dataclass(frozen=True)
class Started:
    handle: WorkflowHandle[ShipmentWorkflow, ShipmentState]
    created: bool


async def start_shipment(client: Client, start: ShipmentStart, task_queue: str) -> Started:
    """Start the shipment's workflow, or find the one a previous (retried) call started.

    Duplicate ids are rejected even after the workflow closed, so a late retry never restarts
    a delivered shipment.
    """
    try:
        handle = await client.start_workflow(
            ShipmentWorkflow.run,
            start,
            id=start.workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            search_attributes=initial_search_attributes(start),
            static_summary=static_summary(start),
            static_details=f"Shipment `{start.shipment_id}` of shop `{start.shop_id}`",
        )
        return Started(handle, created=True)
    except WorkflowAlreadyStartedError:
        return Started(
            client.get_workflow_handle_for(ShipmentWorkflow.run, start.workflow_id), created=False
        )


def _handle(client: Client, ref: str) -> WorkflowHandle[ShipmentWorkflow, ShipmentState]:
    return client.get_workflow_handle_for(ShipmentWorkflow.run, ref)


async def report_event(client: Client, ref: str, event: CarrierEvent) -> EventReceipt:
    """Deliver one event and wait for the workflow's answer."""
    receipt: EventReceipt = await _update(client, ref, ShipmentWorkflow.report_event, event)
    return receipt


async def choose_slot(client: Client, ref: str, slot: int) -> Window:
    """The customer's choice among the offered delivery slots (1-based)."""
    window: Window = await _update(client, ref, ShipmentWorkflow.choose_slot, SlotChoice(slot=slot))
    return window


async def courier_reply(
    client: Client, ref: str, answer: str, *, via: ReplyChannel | None = None
) -> ReplyReceipt:
    """The customer's answer to the courier's confirmation: "confirm" or "reschedule", from an
    SMS reply or the tracking page (`via`). The receipt says whether it was a repeat."""
    reply = CourierReply.model_validate({"answer": answer, "via": via})
    receipt: ReplyReceipt = await _update(client, ref, ShipmentWorkflow.courier_reply, reply)
    return receipt


async def record_call(client: Client, ref: str, call: Call) -> CallReceipt:
    """Record a call centre's call in a running shipment; `ShipmentClosed` when it has closed
    (the caller then records it in the ledger: `LedgerWriter.record_call_after_close`)."""
    receipt: CallReceipt = await _update(client, ref, ShipmentWorkflow.record_call, call)
    return receipt


async def give_marketing_consent(client: Client, ref: str) -> MarketingConsent:
    """The customer's consent to the shop's offers, given on the tracking page."""
    consent: MarketingConsent = await _update(client, ref, ShipmentWorkflow.marketing_consent)
    return consent


async def _update(client: Client, ref: str, update: Any, *args: Any) -> Any:
    """Run an update; a refusal by its validator becomes EventRefused with the reason."""
    try:
        return await _handle(client, ref).execute_update(update, *args)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        message = cause.message if isinstance(cause, ApplicationError) else str(cause)
        raise EventRefused(message) from err
    except RPCError as err:
        raise await _closed_or_missing(client, ref, err) from err


async def _closed_or_missing(client: Client, ref: str, err: RPCError) -> Exception:
    """An update to a closed workflow fails with an RPC error: say which case it is."""
    if err.status == RPCStatusCode.NOT_FOUND:
        try:
            description = await _handle(client, ref).describe()
        except RPCError:
            return ShipmentNotFound(f"no shipment {ref}")
        if description.status != WorkflowExecutionStatus.RUNNING:
            return ShipmentClosed(f"shipment {ref} is closed; it accepts no more events")
    return err


async def signal_delivery_report(client: Client, ref: str, report: DeliveryReport) -> None:
    """Tell a shipment what a provider said of one of its messages (fire and forget)."""
    await _handle(client, ref).signal(ShipmentWorkflow.delivery_report, report)


async def shipment_state(
    client: Client, ref: str, *, rpc_timeout: timedelta | None = None
) -> ShipmentState:
    try:
        return await _handle(client, ref).query(ShipmentWorkflow.state, rpc_timeout=rpc_timeout)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ShipmentNotFound(f"no shipment {ref}") from err
        raise
