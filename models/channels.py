"""Every channel a message can go by, as data: where its address is on a recipient, which
channel stands in when it cannot carry the news, and what it costs the shipment.

The plan, the sender, the ledger and the page read this table instead of naming channels, so
a channel is added here (and its provider in activities/providers/factory.py), not in ten
places. Pure data: the workflow sandbox imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from models.notification import Channel

if TYPE_CHECKING:  # the policy reads this table, and the shipment holds the policy
    from models.shipment import Recipient

__all__ = [
    "CHANNELS",
    "CHANNEL_ENTRIES",
    "REPLY_CHANNELS",
    "ChannelSpec",
    "address",
    "capped",
    "fallback",
]


class ChannelSpec(BaseModel):
    """What the rest of Waypost needs to know about one channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel
    address_field: Literal["phone", "email"]
    """The Recipient field holding the channel's address (None there: unreachable by it)."""
    fallback: Channel
    """Where the news goes instead when the recipient has no address here, or the provider
    refused it for good."""
    capped: bool
    """Counts against the policy's SMS cap (and, past it, gives way to its fallback)."""
    segmented: bool
    """Billed by the segment: the sender records segments and an estimated cost."""
    takes_replies: bool
    """A customer answers a question by replying on it (Twilio's inbound SMS)."""


CHANNEL_ENTRIES = (
    ChannelSpec(
        channel=Channel.SMS,
        address_field="phone",
        fallback=Channel.EMAIL,
        capped=True,
        segmented=True,
        takes_replies=True,
    ),
    ChannelSpec(
        channel=Channel.EMAIL,
        address_field="email",
        fallback=Channel.SMS,
        capped=False,
        segmented=False,
        takes_replies=False,
    ),
)
"""One entry per Channel, in the order channels are listed everywhere (SMS first)."""

CHANNELS: Mapping[Channel, ChannelSpec] = MappingProxyType(
    {spec.channel: spec for spec in CHANNEL_ENTRIES}
)

REPLY_CHANNELS = tuple(c for c, spec in CHANNELS.items() if spec.takes_replies)
"""Channels a question's answer can arrive on."""


def address(recipient: Recipient, channel: Channel) -> str | None:
    """The recipient's address on `channel`, None when they cannot be reached by it."""
    found: str | None = getattr(recipient, CHANNELS[channel].address_field)
    return found


def fallback(channel: Channel) -> Channel:
    return CHANNELS[channel].fallback


def capped(channel: Channel) -> bool:
    """Whether `channel` counts against the policy's SMS cap."""
    return CHANNELS[channel].capped
