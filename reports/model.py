"""The report's figures and the pure functions that compute them from the ledger's grouped rows.

Everything is about UTC days. The table covers the shipments *started* in the period (a cohort):
how each ended, every message they caused (even one sent after the period), what those cost.
The daily series say what happened *on* each day of the period, whichever day its shipment
started: shipments started, shipments closed by outcome, messages sent. A shipment started on the
period's last day and delivered the next is in the table (as delivered) but not among the
period's daily deliveries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from models.call import CallOutcome
from models.notification import Channel, NotificationKind, NotificationStatus
from models.status import ShipmentStatus

__all__ = [
    "DEFAULT_DAYS",
    "CallCount",
    "ClosedDay",
    "DayCount",
    "DayVolume",
    "LedgerRows",
    "MessageCount",
    "Outcome",
    "Period",
    "PeriodError",
    "ProviderDelivery",
    "Report",
    "SentDay",
    "ShipmentCount",
    "ShopCount",
    "ShopReport",
    "build_report",
    "outcome_of",
    "parse_day",
    "resolve_period",
]

DEFAULT_DAYS = 30
"""The period when none is given: the last 30 UTC days, today included."""

COST_PLACES = Decimal("0.00001")
"""The ledger keeps costs to five decimal places (`Numeric(12, 5)`); so does the report."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# The period


class PeriodError(ValueError):
    """Options that do not make a period; the message says which and why."""


class Period(_Frozen):
    """UTC days from `since` to `until`, both included."""

    since: date
    until: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the period (exclusive bound of every query)."""
        return datetime.combine(self.until + timedelta(days=1), time(), UTC)

    @property
    def days(self) -> list[date]:
        return [self.since + timedelta(days=n) for n in range((self.until - self.since).days + 1)]

    def label(self) -> str:
        return f"{self.since.isoformat()} to {self.until.isoformat()} (UTC days, both included)"


def parse_day(option: str, value: str) -> date:
    """A `YYYY-MM-DD` option value, or a PeriodError naming the option."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PeriodError(f"{option} {value!r} is not a date: use YYYY-MM-DD") from None


def resolve_period(
    *, since: date | None, until: date | None, days: int | None, today: date
) -> Period:
    """The period the options name: `--days N` is the last N days up to today; `--since` alone
    runs to today; `--until` alone covers the DEFAULT_DAYS ending then; nothing: the last
    DEFAULT_DAYS days."""
    if days is not None:
        if since is not None or until is not None:
            raise PeriodError("--days cannot be combined with --since or --until: use one or both")
        if days < 1:
            raise PeriodError(f"--days must be at least 1, not {days}")
        return Period(since=today - timedelta(days=days - 1), until=today)
    end = until if until is not None else today
    start = since if since is not None else end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise PeriodError(
            f"--until {end.isoformat()} is before --since {start.isoformat()}: "
            "the period would be empty"
        )
    return Period(since=start, until=end)


# Outcomes


class Outcome(StrEnum):
    """How a shipment ended, as a shop counts it. `picked_up` is a delivery that was collected
    at a pickup point (it was `available_for_pickup` before `delivered`)."""

    DELIVERED = "delivered"
    PICKED_UP = "picked_up"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    OPEN = "open"


CLOSED_OUTCOMES = (Outcome.DELIVERED, Outcome.PICKED_UP, Outcome.RETURNED, Outcome.CANCELLED)


def outcome_of(status: ShipmentStatus, at_pickup: bool) -> Outcome:
    """The outcome of a shipment with this status that has (not) been available for pickup."""
    if status is ShipmentStatus.DELIVERED:
        return Outcome.PICKED_UP if at_pickup else Outcome.DELIVERED
    if status is ShipmentStatus.RETURNED:
        return Outcome.RETURNED
    if status is ShipmentStatus.CANCELLED:
        return Outcome.CANCELLED
    return Outcome.OPEN


# What the queries return (grouped rows: their number does not grow with the ledger)


class ShipmentCount(_Frozen):
    """Shipments of the period's cohort with one current status."""

    shop_id: str
    status: ShipmentStatus
    at_pickup: bool
    """It has been `available_for_pickup` (an applied event of the timeline)."""
    count: int


class MessageCount(_Frozen):
    """Messages of the cohort's shipments that share channel, kind, provider and status."""

    shop_id: str
    channel: Channel
    kind: NotificationKind
    provider: str | None
    status: NotificationStatus
    accepted: bool
    """A provider took it (`sent_at` is set): it was sent, whatever its delivery reports said."""
    count: int
    segments: int
    cost: Decimal


class ShopCount(_Frozen):
    shop_id: str
    count: int


class DayCount(_Frozen):
    shop_id: str
    day: date
    count: int


class ClosedDay(DayCount):
    """Shipments (of any start date) closed on `day` with this final status."""

    status: ShipmentStatus
    at_pickup: bool


class SentDay(DayCount):
    """Messages (of any shipment) a provider accepted on `day`, on this channel."""

    channel: Channel


class CallCount(_Frozen):
    """Calls about the cohort's shipments with one outcome."""

    shop_id: str
    outcome: CallOutcome
    count: int


class LedgerRows(_Frozen):
    """Everything the report reads from the ledger for one period (and shop, if one was named)."""

    shipments: list[ShipmentCount] = []
    messages: list[MessageCount] = []
    delayed: list[ShopCount] = []
    """Shipments of the cohort that were sent at least one delay notice."""
    started: list[DayCount] = []
    closed: list[ClosedDay] = []
    sent: list[SentDay] = []
    calls: list[CallCount] = []
    called: list[ShopCount] = []
    """Shipments of the cohort that had at least one call."""

    def shop_ids(self) -> list[str]:
        rows: Iterable[ShipmentCount | MessageCount | ShopCount | DayCount | CallCount] = (
            *self.shipments,
            *self.messages,
            *self.delayed,
            *self.started,
            *self.closed,
            *self.sent,
            *self.calls,
        )
        return sorted({row.shop_id for row in rows})


# The report


class ProviderDelivery(_Frozen):
    """What one provider's delivery reports say about the messages it accepted on one channel."""

    provider: str
    channel: Channel
    sent: int
    delivered: int
    undelivered: int
    failed: int
    """Accepted, then reported failed (a bounce, an unreachable handset)."""
    no_report: int
    """Accepted, and no report has said what became of it (the console never reports)."""
    refused: int
    """Never accepted: refused for good, or given up after retries."""
    delivered_share: float | None
    """delivered / sent; None when nothing was sent."""


class DayVolume(_Frozen):
    day: date
    started: int = 0
    delivered: int = 0
    picked_up: int = 0
    returned: int = 0
    cancelled: int = 0
    sms: int = 0
    email: int = 0


class ShopReport(_Frozen):
    shop_id: str
    shipments: int
    """Shipments started in the period: the cohort every figure below is about."""
    outcomes: dict[Outcome, int]
    open_by_status: dict[ShipmentStatus, int]
    """The cohort's shipments still open, by their current status."""
    delivery_rate: float | None
    """(delivered + picked up) / (delivered + picked up + returned): of the shipments that
    reached an end with the carrier (cancelled ones never left the shop). None: none did."""
    pickup_rate: float | None
    """Picked up / closed shipments that were available for pickup (the rest went back)."""
    messages_sent: int
    messages_per_shipment: float | None
    sent_by_channel: dict[Channel, int]
    per_shipment_by_channel: dict[Channel, float | None]
    sent_by_kind: dict[NotificationKind, int]
    messages_refused: int
    """Never accepted by a provider (permanent refusal, or given up)."""
    messages_pending: int
    """Claimed and not yet settled (planned again after an error, or being sent)."""
    messages_opted_out: int = 0
    """Not sent: the recipient had opted out at the shop, or gave no marketing consent."""
    sms_segments: int
    sms_cost: Decimal
    """Estimated, in USD, as the ledger recorded it per SMS (emails are not priced)."""
    cost_per_shipment: Decimal | None
    cost_per_delivered: Decimal | None
    """SMS cost of the cohort over its delivered and picked-up shipments."""
    delay_notices: int
    shipments_with_delay_notice: int
    delivered_share: float | None
    """Of every message a provider that sends delivery reports accepted, the share reported
    delivered; None when no such provider was used (console delivery)."""
    by_provider: list[ProviderDelivery]
    daily: list[DayVolume]
    calls: int = 0
    """Calls of the shop's or the carrier's call centre about the cohort's shipments."""
    calls_per_shipment: float | None = None
    calls_by_outcome: dict[CallOutcome, int] = {}
    shipments_called: int = 0
    """The cohort's shipments with at least one call."""

    @property
    def closed(self) -> int:
        return sum(self.outcomes[o] for o in CLOSED_OUTCOMES)


class Report(_Frozen):
    period: Period
    shop: str | None
    """The shop asked for, or None for every shop with activity in the period."""
    generated_at: datetime
    shops: list[ShopReport]

    @property
    def empty(self) -> bool:
        """Nothing started, closed or sent in the period."""
        return not self.shops


SILENT_PROVIDERS = frozenset({"console"})
"""Providers that never send delivery reports: their messages count as sent, but a delivered
share of them would be a figure nothing measured (n/a, not 0%)."""


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _per(amount: Decimal, whole: int) -> Decimal | None:
    return (amount / whole).quantize(COST_PLACES) if whole else None


def _providers(messages: list[MessageCount]) -> list[ProviderDelivery]:
    groups: dict[tuple[str, Channel], Counter[str]] = {}
    for row in messages:
        if row.provider is None:
            continue  # never reached a provider: pending, counted in messages_pending
        counts = groups.setdefault((row.provider, row.channel), Counter())
        if not row.accepted:
            if row.status is NotificationStatus.FAILED:
                counts["refused"] += row.count
            continue
        counts["sent"] += row.count
        if row.status is NotificationStatus.DELIVERED:
            counts["delivered"] += row.count
        elif row.status is NotificationStatus.UNDELIVERED:
            counts["undelivered"] += row.count
        elif row.status is NotificationStatus.FAILED:
            counts["failed"] += row.count
        else:
            counts["no_report"] += row.count
    return [
        ProviderDelivery(
            provider=provider,
            channel=channel,
            sent=c["sent"],
            delivered=c["delivered"],
            undelivered=c["undelivered"],
            failed=c["failed"],
            no_report=c["no_report"],
            refused=c["refused"],
            delivered_share=None
            if provider in SILENT_PROVIDERS
            else _share(c["delivered"], c["sent"]),
        )
        for (provider, channel), c in sorted(groups.items())
    ]


def _daily(
    days: list[date], started: list[DayCount], closed: list[ClosedDay], sent: list[SentDay]
) -> list[DayVolume]:
    table: dict[date, Counter[str]] = {day: Counter() for day in days}
    for row in started:
        if row.day in table:
            table[row.day]["started"] += row.count
    for closing in closed:
        outcome = outcome_of(closing.status, closing.at_pickup)
        if closing.day in table and outcome is not Outcome.OPEN:
            table[closing.day][outcome.value] += closing.count
    for message in sent:
        if message.day in table:
            table[message.day][message.channel.value] += message.count
    return [DayVolume(day=day, **counts) for day, counts in table.items()]


def build_shop_report(shop_id: str, period: Period, rows: LedgerRows) -> ShopReport:
    """One shop's figures from the period's rows (rows of other shops are ignored)."""
    shipments = [r for r in rows.shipments if r.shop_id == shop_id]
    messages = [r for r in rows.messages if r.shop_id == shop_id]
    total = sum(r.count for r in shipments)

    outcomes: Counter[Outcome] = Counter()
    open_by_status: Counter[ShipmentStatus] = Counter()
    at_pickup_closed = picked_up = 0
    for row in shipments:
        outcome = outcome_of(row.status, row.at_pickup)
        outcomes[outcome] += row.count
        if outcome is Outcome.OPEN:
            open_by_status[row.status] += row.count
        elif row.at_pickup and outcome is not Outcome.CANCELLED:
            at_pickup_closed += row.count
            picked_up += row.count if outcome is Outcome.PICKED_UP else 0
    delivered = outcomes[Outcome.DELIVERED] + outcomes[Outcome.PICKED_UP]

    accepted = [r for r in messages if r.accepted]
    sent = sum(r.count for r in accepted)
    by_channel = Counter[Channel]()
    by_kind = Counter[NotificationKind]()
    for message in accepted:
        by_channel[message.channel] += message.count
        by_kind[message.kind] += message.count
    sms = [r for r in accepted if r.channel is Channel.SMS]
    cost = sum((r.cost for r in sms), Decimal(0)).quantize(COST_PLACES)
    reported_delivered = sum(r.count for r in accepted if r.status is NotificationStatus.DELIVERED)
    reporting = sum(r.count for r in accepted if r.provider not in SILENT_PROVIDERS)
    calls = Counter[CallOutcome]()
    for call in rows.calls:
        if call.shop_id == shop_id:
            calls[call.outcome] += call.count
    unsettled = (NotificationStatus.PLANNED, NotificationStatus.SENDING)

    return ShopReport(
        shop_id=shop_id,
        shipments=total,
        outcomes={o: outcomes[o] for o in Outcome},
        open_by_status={s: open_by_status[s] for s in ShipmentStatus if open_by_status[s]},
        delivery_rate=_share(delivered, delivered + outcomes[Outcome.RETURNED]),
        pickup_rate=_share(picked_up, at_pickup_closed),
        messages_sent=sent,
        messages_per_shipment=_share(sent, total),
        sent_by_channel={c: by_channel[c] for c in Channel},
        per_shipment_by_channel={c: _share(by_channel[c], total) for c in Channel},
        sent_by_kind={k: by_kind[k] for k in NotificationKind if by_kind[k]},
        messages_refused=sum(
            r.count for r in messages if not r.accepted and r.status is NotificationStatus.FAILED
        ),
        messages_pending=sum(r.count for r in messages if not r.accepted and r.status in unsettled),
        messages_opted_out=sum(
            r.count for r in messages if r.status is NotificationStatus.OPTED_OUT
        ),
        sms_segments=sum(r.segments for r in sms),
        sms_cost=cost,
        cost_per_shipment=_per(cost, total),
        cost_per_delivered=_per(cost, delivered),
        delay_notices=by_kind[NotificationKind.DELAY_NOTICE],
        shipments_with_delay_notice=sum(r.count for r in rows.delayed if r.shop_id == shop_id),
        delivered_share=_share(reported_delivered, reporting),
        by_provider=_providers(messages),
        daily=_daily(
            period.days,
            [r for r in rows.started if r.shop_id == shop_id],
            [r for r in rows.closed if r.shop_id == shop_id],
            [r for r in rows.sent if r.shop_id == shop_id],
        ),
        calls=calls.total(),
        calls_per_shipment=_share(calls.total(), total),
        calls_by_outcome={o: calls[o] for o in CallOutcome if calls[o]},
        shipments_called=sum(r.count for r in rows.called if r.shop_id == shop_id),
    )


def build_report(
    period: Period, shop: str | None, rows: LedgerRows, generated_at: datetime
) -> Report:
    """The report: one section per shop that started, closed or sent anything in the period
    (only `shop`'s, when one is named). No section at all: an empty period, said as such."""
    shop_ids = [s for s in rows.shop_ids() if shop is None or s == shop]
    sections = [build_shop_report(shop_id, period, rows) for shop_id in shop_ids]
    return Report(period=period, shop=shop, generated_at=generated_at, shops=sections)
