"""Hypothesis strategies built from the models' own bounds (models.bounds), leaning on the edges:
the first and last instant of the era, the longest durations, the most reminders, the odd time
zones, and text made of the characters databases and encoders choke on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from models.bounds import EARLIEST, ID_PATTERN, LATEST, MAX_PICKUP_REMINDERS, MAX_POLICY_DURATION
from models.notification import Channel, NotificationKind
from models.policy import (
    DelayWatch,
    NotificationPolicy,
    Party,
    PickupReminders,
    QuietHours,
    ThankYou,
)
from models.shipment import (
    CarrierEvent,
    Courier,
    DeliveryKind,
    DeliveryOption,
    Location,
    PickupPoint,
    Recipient,
    ShipmentStart,
    Window,
)
from models.status import ShipmentStatus

ZONES = (
    "UTC",
    "Pacific/Kiritimati",  # UTC+14
    "Pacific/Pago_Pago",  # UTC-11
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30, with DST
    "Europe/London",
)

HOSTILE = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        ["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\t", "\n", "\r", "\u2028"]
    ),
    st.sampled_from(["\ud800", "\udfff", "\ufeff", "\ufffd", "😀", "'", '"', "\\", "%", ":"]),
)
"""Characters one at a time: any valid one, controls, lone surrogates, quoting troublemakers."""


def hostile_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(HOSTILE, max_size=max_size)


identifiers = st.from_regex(ID_PATTERN, fullmatch=True)


@st.composite
def moments(draw: st.DrawFn) -> datetime:
    """An instant within the era, in one of the odd zones; the era's ends often."""
    utc = draw(
        st.one_of(
            st.sampled_from([EARLIEST, LATEST]),
            st.datetimes(
                min_value=EARLIEST.replace(tzinfo=None), max_value=LATEST.replace(tzinfo=None)
            ).map(lambda m: m.replace(tzinfo=UTC)),
        )
    )
    return utc.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))


def durations(low: timedelta, high: timedelta) -> st.SearchStrategy[timedelta]:
    return st.one_of(st.sampled_from([low, high]), st.timedeltas(min_value=low, max_value=high))


@st.composite
def windows(draw: st.DrawFn) -> Window:
    length = draw(durations(timedelta(seconds=1), timedelta(days=30)))
    start = draw(moments())
    if start + length > LATEST:
        start = LATEST - length
    return Window(start=start, end=start + length)


@st.composite
def pickup_reminders(draw: st.DrawFn) -> PickupReminders:
    storage = draw(durations(timedelta(minutes=2), MAX_POLICY_DURATION))
    final = draw(durations(timedelta(minutes=1), storage - timedelta(minutes=1)))
    last_call = storage - final
    offsets = st.lists(
        durations(timedelta(seconds=1), last_call - timedelta(seconds=1)),
        max_size=MAX_PICKUP_REMINDERS,
    )
    return PickupReminders(
        after_arrival=tuple(draw(offsets)), final_warning_before=final, storage_period=storage
    )


@st.composite
def quiet_hours(draw: st.DrawFn) -> QuietHours | None:
    start, end = draw(st.times()), draw(st.times())
    if start == end or draw(st.booleans()):
        return None
    return QuietHours(start=start, end=end)


@st.composite
def policies(draw: st.DrawFn) -> NotificationPolicy:
    """Any policy the model accepts, its durations often at their maximum."""
    top = MAX_POLICY_DURATION
    fields = {
        "owners": draw(st.dictionaries(st.sampled_from(NotificationKind), st.sampled_from(Party))),
        "channels": draw(
            st.dictionaries(
                st.sampled_from(NotificationKind),
                st.lists(st.sampled_from(Channel), unique=True, max_size=len(Channel)).map(tuple),
            )
        ),
        "quiet_hours": draw(quiet_hours()),
        "courier_lead_time": draw(durations(timedelta(seconds=1), timedelta(hours=12))),
        "pickup": draw(pickup_reminders()),
        "delay": DelayWatch(
            after_estimate=draw(durations(timedelta(seconds=1), top)),
            no_progress=draw(durations(timedelta(seconds=1), top)),
        ),
        "thank_you": ThankYou(
            enabled=draw(st.booleans()),
            delay=draw(durations(timedelta(0), top)),
            coupon_code=draw(st.none() | st.just("THANKS-10")),
        ),
        "slot_choice_time": draw(durations(timedelta(seconds=1), timedelta(days=7))),
    }
    required = NotificationPolicy(**fields, sms_cap=100).required_sms()
    return NotificationPolicy(**fields, sms_cap=draw(st.integers(required, 100)))


@st.composite
def pickup_points(draw: st.DrawFn) -> PickupPoint:
    return PickupPoint(
        name="Post office",
        address="Strada Regele Ferdinand 33",
        pickup_code=draw(st.none() | st.just("4821")),
        storage_deadline=draw(st.none() | moments()),
    )


@st.composite
def recipients(draw: st.DrawFn) -> Recipient:
    phone, email = draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    return Recipient(
        name="Sam Taylor",
        phone="+447700900123" if phone else None,
        email="sam@example.com" if email else None,
        time_zone=draw(st.sampled_from(ZONES)),
    )


@st.composite
def shipment_starts(draw: st.DrawFn) -> ShipmentStart:
    kind = draw(st.sampled_from(DeliveryKind))
    pickup = kind is DeliveryKind.PICKUP_POINT
    return ShipmentStart(
        shop_id=draw(identifiers),
        shipment_id=draw(identifiers),
        order_id="ORD-1",
        carrier=draw(identifiers),
        tracking_number=draw(identifiers),
        recipient=draw(recipients()),
        delivery=DeliveryOption(
            kind=kind,
            window=None if pickup else draw(st.none() | windows()),
            pickup_point=draw(pickup_points()) if pickup else None,
        ),
        policy=draw(policies()),
        shipped_at=draw(st.none() | moments()),
    )


@st.composite
def carrier_events(draw: st.DrawFn) -> CarrierEvent:
    return CarrierEvent(
        event_id=draw(st.from_regex(r"e-[0-9]{1,3}", fullmatch=True)),
        status=draw(st.sampled_from(ShipmentStatus)),
        occurred_at=draw(moments()),
        location=draw(st.none() | st.just(Location(city="Leeds", country="GB"))),
        window=draw(st.none() | windows()),
        courier=draw(st.none() | st.just(Courier(name="Piotr", phone="+48600999888"))),
        estimated_delivery=draw(st.none() | moments()),
        pickup_point=draw(st.none() | pickup_points()),
        slots=draw(st.none() | st.lists(windows(), min_size=1, max_size=10)),
    )
