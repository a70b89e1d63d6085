"""The notification plan: which messages a status change yields, with which keys."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.kinds import STATUS_KIND
from models.notification import (
    Channel,
    NotificationKind,
    NotificationRecord,
    NotificationStatus,
    idempotency_key,
)
from models.policy import MESSAGES_PER_SHIPMENT, NotificationPolicy, OptOutHint, Party
from models.shipment import Recipient
from models.state import EventOutcome, ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, out_for_delivery, shipment
from workflows.lifecycle import apply_event
from workflows.plan import (
    channel_fallback,
    messages_used,
    plan_kind,
    plan_status_change,
    resolve_channels,
    sms_used,
    wants_opt_out_hint,
)

S = ShipmentStatus
K = NotificationKind


def state_for(**overrides: object) -> ShipmentState:
    return ShipmentState(shipment=shipment(**overrides), status_since=T0)


def test_start_plans_the_dispatch_notice_by_email() -> None:
    requests, records = plan_status_change(state_for(), None, "start", T0)
    assert [(r.kind, r.channel) for r in requests] == [(K.SHIPPED, Channel.EMAIL)]
    assert requests[0].key.endswith(":shipped:1:email")
    assert records[0].key == requests[0].key


def test_out_for_delivery_message_carries_courier_and_window() -> None:
    state = state_for()
    apply_event(state, out_for_delivery(60), T0)
    [request], _ = plan_status_change(state, S.SHIPPED, "e1", T0)
    assert request.channel is Channel.SMS
    assert request.context.courier_name == "Piotr"
    assert request.context.window_start == state.window.start if state.window else False


def test_staying_in_a_status_sends_nothing() -> None:
    state = state_for()
    apply_event(state, event(S.OUT_FOR_DELIVERY, 60), T0)
    assert plan_status_change(state, S.OUT_FOR_DELIVERY, "e2", T0) == ([], [])


def test_in_transit_sends_nothing_and_an_exception_is_told_by_its_reason() -> None:
    """No one message for status exception: each reason has its own (tests/test_exceptions.py)."""
    assert S.IN_TRANSIT not in STATUS_KIND and S.EXCEPTION not in STATUS_KIND


def test_policy_can_silence_a_kind() -> None:
    policy = NotificationPolicy(channels={K.SHIPPED: ()})
    assert plan_status_change(state_for(policy=policy), None, "start", T0) == ([], [])


def test_a_second_attempt_is_a_new_occurrence_with_new_keys() -> None:
    state = state_for()
    keys = []
    for minutes, status in (
        (10, S.OUT_FOR_DELIVERY),
        (20, S.DELIVERY_FAILED),
        (30, S.OUT_FOR_DELIVERY),
    ):
        previous = state.status
        apply_event(state, event(status, minutes), T0)
        requests, records = plan_status_change(state, previous, f"e{minutes}", T0)
        state.notifications.extend(records)
        keys += [r.key for r in requests]
    assert [k.split(":")[-3:] for k in keys] == [
        ["out_for_delivery", "1", "sms"],
        ["delivery_failed", "1", "sms"],
        ["out_for_delivery", "2", "sms"],
    ]


def test_missing_phone_falls_back_to_email() -> None:
    recipient = Recipient(name="No Phone", email="np@example.com")
    assert resolve_channels((Channel.SMS,), recipient) == [Channel.EMAIL]


def test_both_channels_without_a_phone_yield_one_email() -> None:
    recipient = Recipient(name="No Phone", email="np@example.com")
    assert resolve_channels((Channel.SMS, Channel.EMAIL), recipient) == [Channel.EMAIL]


@given(st.lists(st.tuples(st.sampled_from(list(ShipmentStatus)), st.integers(0, 100)), max_size=30))
def test_no_key_is_ever_planned_twice(arrivals: list[tuple[ShipmentStatus, int]]) -> None:
    state = state_for()
    _, records = plan_status_change(state, None, "start", T0)
    state.notifications.extend(records)
    for index, (status, minutes) in enumerate(arrivals):
        previous = state.status
        verdict = apply_event(state, event(status, minutes, event_id=str(index)), T0)
        if verdict.outcome is EventOutcome.APPLIED:
            _, records = plan_status_change(state, previous, str(index), T0)
            state.notifications.extend(records)
    keys = [n.key for n in state.notifications]
    assert len(keys) == len(set(keys))


def test_news_owned_by_the_shop_is_shown_but_not_sent() -> None:
    policy = NotificationPolicy(owners={K.SHIPPED: Party.SHOP})
    requests, records = plan_status_change(state_for(policy=policy), None, "start", T0)
    assert requests == []
    assert [(r.kind, r.status, r.provider) for r in records] == [
        (K.SHIPPED, NotificationStatus.DELEGATED, "shop")
    ]


def plan_many(state: ShipmentState, kind: NotificationKind, times: int) -> None:
    for n in range(times):
        _, records = plan_kind(state, kind, f"t{n}", T0)
        state.notifications.extend(records)


def test_past_the_sms_cap_an_sms_goes_by_email() -> None:
    state = state_for(policy=NotificationPolicy(quiet_hours=None, sms_cap=3))
    plan_many(state, K.PICKUP_REMINDER, 4)
    assert [n.channel for n in state.notifications] == [Channel.SMS] * 3 + [Channel.EMAIL]


def test_past_the_sms_cap_without_an_email_the_sms_is_recorded_as_suppressed() -> None:
    recipient = Recipient(name="Only Phone", phone="+447700900123")
    state = state_for(recipient=recipient, policy=NotificationPolicy(quiet_hours=None, sms_cap=3))
    plan_many(state, K.PICKUP_REMINDER, 4)
    last = state.notifications[-1]
    assert (last.channel, last.status) == (Channel.SMS, NotificationStatus.SUPPRESSED)
    assert "SMS cap of 3" in (last.error or "")


@given(st.lists(st.sampled_from(list(NotificationKind)), max_size=40))
def test_the_sms_cap_is_never_exceeded(kinds: list[NotificationKind]) -> None:
    state = state_for(policy=NotificationPolicy(quiet_hours=None, sms_cap=4))
    for index, kind in enumerate(kinds):
        _, records = plan_kind(state, kind, str(index), T0)
        state.notifications.extend(records)
    assert sms_used(state) <= 4


@given(st.lists(st.sampled_from(list(NotificationKind)), max_size=80))
def test_no_policy_lets_a_shipment_send_more_than_the_message_cap(
    kinds: list[NotificationKind],
) -> None:
    loud = NotificationPolicy(
        quiet_hours=None,
        sms_cap=100,
        channels={kind: (Channel.SMS, Channel.EMAIL) for kind in NotificationKind},
    )
    state = state_for(policy=loud)
    for index, kind in enumerate(kinds):
        _, records = plan_kind(state, kind, str(index), T0)
        state.notifications.extend(records)
    assert messages_used(state) <= MESSAGES_PER_SHIPMENT


def test_past_the_message_cap_news_is_recorded_as_suppressed_on_every_channel() -> None:
    loud = NotificationPolicy(quiet_hours=None, sms_cap=100)
    state = state_for(policy=loud)
    plan_many(state, K.PICKUP_FINAL_WARNING, MESSAGES_PER_SHIPMENT // 2)

    _, records = plan_kind(state, K.PICKUP_FINAL_WARNING, "one-more", T0)

    assert [(r.channel, r.status) for r in records] == [
        (Channel.SMS, NotificationStatus.SUPPRESSED),
        (Channel.EMAIL, NotificationStatus.SUPPRESSED),
    ]
    assert f"cap of {MESSAGES_PER_SHIPMENT} messages" in (records[0].error or "")


def test_no_fallback_past_the_message_cap() -> None:
    state = state_for(policy=NotificationPolicy(quiet_hours=None, sms_cap=100))
    plan_many(state, K.PICKUP_FINAL_WARNING, MESSAGES_PER_SHIPMENT // 2)
    email = failed(state, K.SHIPPED, Channel.EMAIL)

    assert channel_fallback(state, email, T0) == ([], [])


# Fallback after a hard failure


def failed(state: ShipmentState, kind: NotificationKind, channel: Channel) -> NotificationRecord:
    record = NotificationRecord(
        key=idempotency_key(state.shipment.workflow_id, kind, 1, channel),
        kind=kind,
        channel=channel,
        occurrence=1,
        trigger="e1",
        status=NotificationStatus.FAILED,
        planned_at=T0,
    )
    state.notifications.append(record)
    return record


def test_an_sms_refused_for_good_goes_by_email_under_the_same_kind() -> None:
    state = state_for()
    sms = failed(state, K.OUT_FOR_DELIVERY, Channel.SMS)

    [request], [record] = channel_fallback(state, sms, T0)

    assert (request.channel, request.kind, request.occurrence) == (
        Channel.EMAIL,
        K.OUT_FOR_DELIVERY,
        1,
    )
    assert record.trigger == f"fallback:{sms.key}"


def test_a_hard_bounced_email_goes_by_sms() -> None:
    state = state_for()
    email = failed(state, K.SHIPPED, Channel.EMAIL)

    [request], _ = channel_fallback(state, email, T0)

    assert request.channel is Channel.SMS and request.to == state.shipment.recipient.phone


def test_no_fallback_without_an_address_on_the_other_channel() -> None:
    state = state_for(recipient=Recipient(name="Sam", email="sam@example.com"))
    email = failed(state, K.SHIPPED, Channel.EMAIL)

    assert channel_fallback(state, email, T0) == ([], [])


def test_no_fallback_to_a_channel_that_already_has_the_message() -> None:
    state = state_for()
    failed(state, K.AVAILABLE_FOR_PICKUP, Channel.EMAIL)
    sms = failed(state, K.AVAILABLE_FOR_PICKUP, Channel.SMS)

    assert channel_fallback(state, sms, T0) == ([], [])


def test_an_email_fallback_to_sms_respects_the_sms_cap() -> None:
    state = state_for(policy=NotificationPolicy(quiet_hours=None, sms_cap=3))
    for kind in (K.OUT_FOR_DELIVERY, K.COURIER_ONE_HOUR, K.DELIVERED):
        failed(state, kind, Channel.SMS).status = NotificationStatus.SENT
    email = failed(state, K.SHIPPED, Channel.EMAIL)

    assert channel_fallback(state, email, T0) == ([], [])


# --- The opt-out hint ---------------------------------------------------------------------------


def sms_record(state: ShipmentState, kind: NotificationKind) -> NotificationRecord:
    return NotificationRecord(
        key=idempotency_key(state.shipment.workflow_id, kind, 1, Channel.SMS),
        kind=kind,
        channel=Channel.SMS,
        occurrence=1,
        trigger="t",
        planned_at=T0,
    )


def settled(record: NotificationRecord, status: NotificationStatus, hint: bool) -> None:
    record.status, record.opt_out_hint = status, hint


def test_by_default_the_first_sms_asks_for_the_opt_out_hint_and_the_next_does_not() -> None:
    state = state_for()
    first = sms_record(state, K.OUT_FOR_DELIVERY)
    assert state.shipment.policy.sms_opt_out_hint is OptOutHint.FIRST
    assert wants_opt_out_hint(state, first)

    settled(first, NotificationStatus.DELIVERED, hint=True)
    state.notifications.append(first)

    assert not wants_opt_out_hint(state, sms_record(state, K.COURIER_ONE_HOUR))


def test_an_sms_without_room_for_the_hint_or_never_received_passes_it_on() -> None:
    state = state_for()
    crowded = sms_record(state, K.SLOT_CHOICE)
    settled(crowded, NotificationStatus.SENT, hint=False)
    lost = sms_record(state, K.OUT_FOR_DELIVERY)
    settled(lost, NotificationStatus.FAILED, hint=True)
    state.notifications += [crowded, lost]

    assert wants_opt_out_hint(state, sms_record(state, K.SLOT_CONFIRMED))


def test_every_sms_asks_for_the_hint_under_every_and_none_under_never() -> None:
    every = state_for(policy=NotificationPolicy(sms_opt_out_hint=OptOutHint.EVERY))
    said = sms_record(every, K.OUT_FOR_DELIVERY)
    settled(said, NotificationStatus.SENT, hint=True)
    every.notifications.append(said)
    never = state_for(policy=NotificationPolicy(sms_opt_out_hint=OptOutHint.NEVER))

    assert wants_opt_out_hint(every, sms_record(every, K.COURIER_ONE_HOUR))
    assert not wants_opt_out_hint(never, sms_record(never, K.OUT_FOR_DELIVERY))


def test_no_email_and_no_notice_to_the_shop_asks_for_the_sms_hint() -> None:
    state = state_for()
    email = sms_record(state, K.SHIPPED).model_copy(update={"channel": Channel.EMAIL})
    notice = sms_record(state, K.SHOP_RETURN_NOTICE)
    assert not wants_opt_out_hint(state, email)
    assert not wants_opt_out_hint(state, notice)


def test_the_planned_sms_request_carries_the_policys_hint() -> None:
    state = state_for()
    apply_event(state, out_for_delivery(60), T0)
    [request], _ = plan_status_change(state, S.SHIPPED, "e1", T0)
    assert request.channel is Channel.SMS and request.opt_out_hint
