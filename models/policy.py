"""A shop's notification settings. Defaults follow DESIGN.md: delivery news from one party, by the
channel a customer reads first for that news (SMS for what is urgent today, email for records)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.notification import Channel, NotificationKind

DEFAULT_CHANNELS: Mapping[NotificationKind, tuple[Channel, ...]] = MappingProxyType(
    {
        NotificationKind.SHIPPED: (Channel.EMAIL,),
        NotificationKind.OUT_FOR_DELIVERY: (Channel.SMS,),
        NotificationKind.DELIVERY_FAILED: (Channel.SMS,),
        NotificationKind.AVAILABLE_FOR_PICKUP: (Channel.SMS, Channel.EMAIL),
        NotificationKind.DELIVERED: (Channel.SMS,),
        NotificationKind.RETURNED: (Channel.EMAIL,),
    }
)


class NotificationPolicy(BaseModel):
    """Per-shop settings.

    `channels` overrides the defaults kind by kind; an empty list silences a kind.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    channels: dict[NotificationKind, tuple[Channel, ...]] = Field(
        default_factory=lambda: dict(DEFAULT_CHANNELS)
    )

    @field_validator("channels", mode="after")
    @classmethod
    def _complete(
        cls, value: dict[NotificationKind, tuple[Channel, ...]]
    ) -> dict[NotificationKind, tuple[Channel, ...]]:
        for kind, channels in value.items():
            if len(set(channels)) != len(channels):
                raise ValueError(f"{kind.value}: a channel is listed twice")
        return {**DEFAULT_CHANNELS, **value}

    def channels_for(self, kind: NotificationKind) -> tuple[Channel, ...]:
        return self.channels.get(kind, ())
