"""The kind and channel registries are complete: a kind or channel added in one place and
forgotten in another fails here, not in a customer's inbox."""

from __future__ import annotations

from collections import Counter
from typing import get_args

import pytest

from activities.providers.console import ConsoleProvider
from activities.providers.factory import REAL_PROVIDERS
from api.provider_events import Question
from models.channels import CHANNEL_ENTRIES, CHANNELS, REPLY_CHANNELS, address
from models.kinds import (
    ASKING_KINDS,
    DEFAULT_CHANNELS,
    EXCEPTION_KIND,
    KIND_ENTRIES,
    KINDS,
    PLAIN_COURIER_PATH,
    SHOP_KINDS,
    STATUS_KIND,
    TIMED_KINDS,
    URGENT_KINDS,
    Audience,
    Category,
    Trigger,
)
from models.notification import Channel, MessageContext, NotificationKind
from models.shipment import FINAL_STATUSES, Recipient
from models.status import ExceptionReason, ShipmentStatus
from workflows.schedule import DEFERRED_MESSAGE, STORAGE_DEADLINE, TIMER_KINDS

K = NotificationKind
S = ShipmentStatus


def test_every_kind_has_exactly_one_entry() -> None:
    counts = Counter(spec.kind for spec in KIND_ENTRIES)
    assert set(counts) == set(NotificationKind)
    assert set(counts.values()) == {1}
    assert all(KINDS[kind].kind is kind for kind in NotificationKind)


def test_every_kind_announcing_a_status_maps_back() -> None:
    announcing = [(spec.kind, spec.announces) for spec in KIND_ENTRIES if spec.announces]
    assert len(STATUS_KIND) == len(announcing), "a status is announced by one kind"
    for kind, status in announcing:
        assert STATUS_KIND[status] is kind
        assert Trigger.STATUS in KINDS[kind].triggers


def test_statuses_without_news_announce_nothing() -> None:
    assert S.IN_TRANSIT not in STATUS_KIND and S.EXCEPTION not in STATUS_KIND
    assert S.CANCELLED not in STATUS_KIND


def test_every_exception_reason_has_its_own_kind() -> None:
    assert set(EXCEPTION_KIND) == set(ExceptionReason)
    assert len(set(EXCEPTION_KIND.values())) == len(ExceptionReason)
    for reason, kind in EXCEPTION_KIND.items():
        assert KINDS[kind].triggers == {Trigger.EXCEPTION} and KINDS[kind].explains is reason


def test_an_exception_kind_must_name_its_reason() -> None:
    spec = KINDS[K.EXCEPTION_LOST]
    with pytest.raises(ValueError, match="names its reason"):
        spec.model_validate({**spec.model_dump(), "explains": None})


def test_a_status_kind_must_name_its_status() -> None:
    with pytest.raises(ValueError, match="names its status"):
        KINDS[K.SHIPPED].model_validate({**KINDS[K.SHIPPED].model_dump(), "announces": None})


def test_every_kind_is_sent_by_something() -> None:
    assert all(spec.triggers for spec in KIND_ENTRIES)


def test_default_channels_are_known_and_listed_once() -> None:
    for spec in KIND_ENTRIES:
        assert spec.channels, spec.kind
        assert len(set(spec.channels)) == len(spec.channels), spec.kind
        assert set(spec.channels) <= set(CHANNELS), spec.kind


def test_a_question_can_be_answered_by_reply() -> None:
    assert set(ASKING_KINDS) == {K.COURIER_ONE_HOUR, K.SLOT_CHOICE}
    for kind in ASKING_KINDS:
        assert set(KINDS[kind].channels) & set(REPLY_CHANNELS), kind
    assert set(get_args(Question)) == {kind.value for kind in ASKING_KINDS}, "replies understood"


def test_the_shops_notices_go_to_the_shops_email() -> None:
    """plan_shop_notice writes to the policy's shop_email, so a shop kind goes by email."""
    assert set(SHOP_KINDS) == {K.SHOP_RETURN_NOTICE}
    for kind in SHOP_KINDS:
        assert KINDS[kind].channels == (Channel.EMAIL,)
        assert not KINDS[kind].urgent and not KINDS[kind].asks


def test_marketing_is_never_urgent() -> None:
    marketing = {spec.kind for spec in KIND_ENTRIES if spec.category is Category.MARKETING}
    assert marketing == {K.THANK_YOU}
    assert not marketing & URGENT_KINDS


def test_context_fields_are_message_context_fields() -> None:
    fields = set(MessageContext.model_fields)
    for spec in KIND_ENTRIES:
        assert spec.context <= fields, spec.kind


def test_what_the_workflow_adds_for_one_kind_is_quoted_by_that_kind_alone() -> None:
    """lead_minutes, new_estimate, the coupon and review link, the slots: the workflow fills
    each for one kind only (workflows/shipment.py), so no other kind may quote it."""
    own = {
        "lead_minutes": K.COURIER_ONE_HOUR,
        "new_estimate": K.DELAY_NOTICE,
        "coupon_code": K.THANK_YOU,
        "review_url": K.THANK_YOU,
        "slots": K.SLOT_CHOICE,
        "choose_by": K.SLOT_CHOICE,
    }
    for field, kind in own.items():
        assert {spec.kind for spec in KIND_ENTRIES if field in spec.context} == {kind}, field


def test_the_plain_courier_path_is_the_customers_and_ends_delivered() -> None:
    assert PLAIN_COURIER_PATH[0] is K.SHIPPED and PLAIN_COURIER_PATH[-1] is K.DELIVERED
    assert all(KINDS[kind].audience is Audience.CUSTOMER for kind in PLAIN_COURIER_PATH)


def test_every_timed_kind_is_a_pending_timer_kind() -> None:
    assert set(TIMER_KINDS) == {kind.value for kind in TIMED_KINDS} | {
        STORAGE_DEADLINE,
        DEFERRED_MESSAGE,
    }
    assert not {kind for kind in TIMED_KINDS if KINDS[kind].announces}


def test_the_registry_keeps_the_documented_defaults() -> None:
    """README "How a shipment flows" 5 and "Policy and timers": the defaults a shop relies on."""
    sms, email = Channel.SMS, Channel.EMAIL
    assert dict(DEFAULT_CHANNELS) == {
        K.SHIPPED: (email,),
        K.OUT_FOR_DELIVERY: (sms,),
        K.COURIER_ONE_HOUR: (sms,),
        K.DELIVERY_FAILED: (sms,),
        K.AVAILABLE_FOR_PICKUP: (sms, email),
        K.PICKUP_REMINDER: (sms,),
        K.PICKUP_FINAL_WARNING: (sms, email),
        K.DELAY_NOTICE: (sms,),
        K.DELIVERED: (sms,),
        K.RETURNED: (email,),
        K.THANK_YOU: (email,),
        K.SLOT_CHOICE: (sms, email),
        K.SLOT_CONFIRMED: (sms,),
        K.SHOP_RETURN_NOTICE: (email,),
        K.EXCEPTION_LOST: (sms, email),
        K.EXCEPTION_DAMAGED: (sms, email),
        K.EXCEPTION_HELD: (sms,),
        K.EXCEPTION_ADDRESS: (sms,),
        K.EXCEPTION_REFUSED: (sms,),
        K.EXCEPTION_OTHER: (sms,),
    }
    assert set(URGENT_KINDS) == {
        K.OUT_FOR_DELIVERY,
        K.COURIER_ONE_HOUR,
        K.DELIVERY_FAILED,
        K.AVAILABLE_FOR_PICKUP,
        K.DELIVERED,
        K.EXCEPTION_ADDRESS,
    }
    assert PLAIN_COURIER_PATH == (K.SHIPPED, K.OUT_FOR_DELIVERY, K.COURIER_ONE_HOUR, K.DELIVERED)
    assert not set(STATUS_KIND) & (FINAL_STATUSES - {S.DELIVERED, S.RETURNED})


# Channels


def test_every_channel_has_exactly_one_entry() -> None:
    counts = Counter(spec.channel for spec in CHANNEL_ENTRIES)
    assert set(counts) == set(Channel)
    assert set(counts.values()) == {1}


def test_every_channel_has_an_address_field_on_the_recipient() -> None:
    recipient = Recipient(name="Ana", phone="+447700900123", email="ana@example.com")
    for spec in CHANNEL_ENTRIES:
        assert spec.address_field in Recipient.model_fields, spec.channel
        assert address(recipient, spec.channel) == getattr(recipient, spec.address_field)
    assert address(Recipient(name="Ana", email="ana@example.com"), Channel.SMS) is None


def test_every_channel_has_a_fallback_elsewhere() -> None:
    for spec in CHANNEL_ENTRIES:
        assert spec.fallback in CHANNELS and spec.fallback is not spec.channel, spec.channel


def test_a_capped_channel_gives_way_to_an_uncapped_one() -> None:
    """Past the SMS cap the news goes by the fallback: a capped fallback would lose it."""
    for spec in CHANNEL_ENTRIES:
        if spec.capped:
            assert not CHANNELS[spec.fallback].capped, spec.channel


def test_every_channel_has_a_provider_and_a_console_stand_in() -> None:
    assert set(REAL_PROVIDERS) == set(CHANNELS)
    for channel in CHANNELS:
        assert ConsoleProvider(channel).channel is channel
