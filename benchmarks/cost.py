"""Cost per delivered shipment, read back from the ledger: what reached a provider (a message
with a send time), its SMS segments and estimated cost, per shipment."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, select

from benchmarks.report import Cost, FlowCost
from benchmarks.stack import WAYPOST_QUEUE, Stack
from ledger.engine import make_engine
from ledger.schema import Notification, Shipment
from models.notification import Channel
from models.status import ShipmentStatus
from starters.demo import run_demo


@dataclass
class ShipmentMessages:
    ref: str
    status: str
    sms: int = 0
    segments: int = 0
    emails: int = 0
    cost: Decimal = Decimal(0)


def ledger_messages(
    database_url: str, *, shop_id: str | None = None, refs: Collection[str] | None = None
) -> dict[str, ShipmentMessages]:
    """Per shipment (of a shop, or these refs): its ledger status and the messages sent."""
    sent = and_(Notification.shipment_ref == Shipment.ref, Notification.sent_at.is_not(None))
    query = select(
        Shipment.ref,
        Shipment.status,
        Notification.channel,
        Notification.segments,
        Notification.cost,
    ).outerjoin(Notification, sent)
    if shop_id is not None:
        query = query.where(Shipment.shop_id == shop_id)
    if refs is not None:
        query = query.where(Shipment.ref.in_(list(refs)))
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(query).all()
    finally:
        engine.dispose()
    found: dict[str, ShipmentMessages] = {}
    for ref, status, channel, segments, cost in rows:
        shipment = found.setdefault(ref, ShipmentMessages(ref, status))
        if channel == Channel.SMS:
            shipment.sms += 1
            shipment.segments += segments or 0
            shipment.cost += cost or Decimal(0)
        elif channel == Channel.EMAIL:
            shipment.emails += 1
    return found


def summarize(flows: str, shipments: Sequence[ShipmentMessages]) -> Cost:
    """Totals over the delivered shipments (a Cost divides them per delivered shipment)."""
    delivered = [s for s in shipments if s.status == ShipmentStatus.DELIVERED]
    return Cost(
        flows=flows,
        shipments=len(shipments),
        delivered=len(delivered),
        sms=sum(s.sms for s in delivered),
        segments=sum(s.segments for s in delivered),
        emails=sum(s.emails for s in delivered),
        cost_usd=float(sum((s.cost for s in delivered), Decimal(0))),
    )


async def demo_costs(stack: Stack) -> tuple[tuple[FlowCost, ...], Cost]:
    """The demo's eight flows (`waypost demo`) through the benchmark's stack: each flow's
    messages, and the cost per delivered shipment over the flows that end delivered."""
    results = await run_demo(stack.client, WAYPOST_QUEUE, echo=lambda _: None)
    refs = {r.state.shipment.workflow_id: r for r in results}
    messages = ledger_messages(stack.database_url, refs=refs)
    flows: list[FlowCost] = []
    for ref, result in refs.items():
        m = messages.get(ref, ShipmentMessages(ref, result.state.status.value))
        flows.append(
            FlowCost(
                name=result.scenario.name,
                status=m.status,
                ok=result.ok,
                sms=m.sms,
                segments=m.segments,
                emails=m.emails,
                cost_usd=float(m.cost),
            )
        )
    delivered = sum(f.status == ShipmentStatus.DELIVERED for f in flows)
    cost = summarize(
        f"The demo's {delivered} flows that end delivered (of {len(flows)})",
        list(messages.values()),
    )
    return tuple(flows), cost
