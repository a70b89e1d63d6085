"""A shop's notification settings, validated at start. Defaults follow DESIGN.md: delivery news
from one party, by the channel a customer reads first for that news (SMS for what is urgent
today, email for records), nothing at night, at most ten SMS a parcel."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from models.bounds import MAX_PICKUP_REMINDERS, MAX_POLICY_DURATION, Email, Url, single_line
from models.channels import CHANNELS
from models.kinds import DEFAULT_CHANNELS, PLAIN_COURIER_PATH
from models.locale import Locale
from models.notification import Channel, NotificationKind

MESSAGES_PER_SHIPMENT = 40
"""Messages to the customer, on every channel together, one shipment may cost, whatever its
policy says: a plain track is about ten, and no run of failed attempts, reschedules, reminders
or fallbacks may turn into a flood (or a bill). Past it, news is recorded `suppressed`."""


class Party(StrEnum):
    """Who tells the customer a given piece of news. Waypost sends only what it owns."""

    SHOP = "shop"
    CARRIER = "carrier"
    WAYPOST = "waypost"


class OptOutHint(StrEnum):
    """Which SMS say how to stop them ("Reply STOP to opt out.")."""

    FIRST = "first"
    """The shipment's first SMS that has room for it (the common practice, and the default)."""
    EVERY = "every"
    """Every SMS that has room for it."""
    NEVER = "never"
    """None (the shop tells its customers some other way)."""


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class QuietHours(_Part):
    """Local hours (recipient's time zone) when nothing non-urgent is sent; may span midnight."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    @field_validator("start", "end")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        """A time of day on the recipient's clock: an offset would contradict their time zone
        (and a time with one cannot be compared with one without)."""
        if value.tzinfo is not None:
            raise ValueError("a local time of day without a UTC offset, e.g. 21:00")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quiet hours of zero length: start and end are the same time")
        return self

    def contains(self, moment: datetime, time_zone: str) -> bool:
        local = moment.astimezone(ZoneInfo(time_zone)).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def end_after(self, moment: datetime, time_zone: str) -> datetime:
        """The first moment at or after `moment` outside quiet hours."""
        if not self.contains(moment, time_zone):
            return moment
        local = moment.astimezone(ZoneInfo(time_zone))
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end


class PickupReminders(_Part):
    after_arrival: tuple[timedelta, ...] = Field(
        default=(timedelta(days=2),), max_length=MAX_PICKUP_REMINDERS
    )
    """Reminders, counted from the parcel's arrival at the point (a handful: each is an SMS)."""
    final_warning_before: timedelta = Field(default=timedelta(days=1), le=MAX_POLICY_DURATION)
    """The last warning (returned to the shop, return shipping charged) before the deadline."""
    storage_period: timedelta = Field(default=timedelta(days=7), le=MAX_POLICY_DURATION)
    """Used when the carrier gives no storage deadline."""

    @model_validator(mode="after")
    def _before_the_deadline(self) -> PickupReminders:
        last_call = self.storage_period - self.final_warning_before
        if self.final_warning_before <= timedelta(0) or last_call <= timedelta(0):
            raise ValueError("final_warning_before must be positive and shorter than storage")
        for offset in self.after_arrival:
            if offset <= timedelta(0) or offset >= last_call:
                raise ValueError(
                    f"a reminder {offset} after arrival does not fall before the final warning "
                    f"({last_call} after arrival, the storage deadline minus "
                    "final_warning_before)"
                )
        return self


class DelayWatch(_Part):
    after_estimate: timedelta = Field(
        default=timedelta(hours=2), gt=timedelta(0), le=MAX_POLICY_DURATION
    )
    """A delay notice when the estimate has passed by this much without delivery."""
    no_progress: timedelta = Field(
        default=timedelta(days=3), gt=timedelta(0), le=MAX_POLICY_DURATION
    )
    """... or when no carrier event came for this long."""


Coupon = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(single_line),
]
"""A code the customer types: one line of printable text (in any script)."""


class ThankYou(_Part):
    enabled: bool = False
    delay: timedelta = Field(default=timedelta(hours=2), ge=timedelta(0), le=MAX_POLICY_DURATION)
    coupon_code: Coupon | None = None
    review_url: Annotated[Url, StringConstraints(max_length=200)] | None = None


class NotificationPolicy(BaseModel):
    """Per-shop settings.

    `channels` overrides the defaults kind by kind (an empty list silences a kind); `owners`
    says who informs the customer of each kind (default: Waypost for all).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    owners: dict[NotificationKind, Party] = Field(default_factory=dict)
    channels: dict[
        NotificationKind, Annotated[tuple[Channel, ...], Field(max_length=len(Channel))]
    ] = Field(default_factory=lambda: dict(DEFAULT_CHANNELS))
    quiet_hours: QuietHours | None = Field(default_factory=QuietHours)
    sms_cap: int = Field(default=10, ge=0, le=100)
    courier_lead_time: timedelta = Field(
        default=timedelta(hours=1), gt=timedelta(0), le=timedelta(hours=12)
    )
    pickup: PickupReminders = Field(default_factory=PickupReminders)
    delay: DelayWatch = Field(default_factory=DelayWatch)
    thank_you: ThankYou = Field(default_factory=ThankYou)
    slot_choice_time: timedelta = Field(
        default=timedelta(hours=12), gt=timedelta(0), le=timedelta(days=7)
    )
    """How long a customer has to choose a delivery slot before the default is confirmed."""
    sms_opt_out_hint: OptOutHint = OptOutHint.FIRST
    """Which SMS end with the opt-out hint. An SMS says it only where it fits the segment budget
    beside the shop's name; under `first`, one without room passes it on to the next SMS."""
    shop_email: Email | None = None
    """Where the shop is told that an uncollected parcel is coming back (none: not told)."""
    shop_locale: Locale = "en"

    @field_validator("channels", mode="after")
    @classmethod
    def _complete(
        cls, value: dict[NotificationKind, tuple[Channel, ...]]
    ) -> dict[NotificationKind, tuple[Channel, ...]]:
        for kind, channels in value.items():
            if len(set(channels)) != len(channels):
                raise ValueError(f"{kind.value}: a channel is listed twice")
        return {**DEFAULT_CHANNELS, **value}

    @model_validator(mode="after")
    def _cap_fits_the_plain_path(self) -> NotificationPolicy:
        required = self.required_sms()
        if self.sms_cap < required:
            raise ValueError(
                f"sms_cap {self.sms_cap} is below the {required} SMS this policy itself requires "
                f"on a plain courier delivery ({', '.join(k.value for k in PLAIN_COURIER_PATH)})"
            )
        return self

    def owner(self, kind: NotificationKind) -> Party:
        return self.owners.get(kind, Party.WAYPOST)

    def channels_for(self, kind: NotificationKind) -> tuple[Channel, ...]:
        return self.channels.get(kind, ())

    def required_sms(self) -> int:
        """SMS a plain courier delivery sends under this policy (the cap may not be below it)."""
        return sum(
            CHANNELS[channel].capped
            for kind in PLAIN_COURIER_PATH
            if self.owner(kind) is Party.WAYPOST
            for channel in self.channels_for(kind)
        )
