"""What each input does to a shipment, specified on the pure reactions (no workflow, no server).

Each reaction mutates the state it is given and returns the ledger changes to queue and the
answer for its sender; the workflow applies them in one place.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta

import pytest

from models.notification import (
    Channel,
    DeliveryReport,
    NotificationKind,
    NotificationRecord,
    NotificationRequest,
    NotificationStatus,
    SendResult,
)
from models.policy import NotificationPolicy, QuietHours
from models.shipment import CourierReply, DeliveryKind, DeliveryOption, SlotChoice
from models.state import (
    DeferredWait,
    EventOutcome,
    LedgerUpdate,
    NextEventWait,
    RecordingWait,
    ShipmentState,
    TimerWait,
)
from models.status import ShipmentStatus
from testing.factories import T0, event, out_for_delivery, shipment, window
from workflows.reactions import (
    can_answer_courier,
    can_choose_slot,
    event_refusal,
    on_carrier_event,
    on_courier_reply,
    on_deferred_due,
    on_delivery_report,
    on_due,
    on_send_results,
    on_slot_choice,
    on_start,
    on_timer,
)
from workflows.schedule import timers
from workflows.waiting import next_due, waiting_for

K = NotificationKind
S = ShipmentStatus
NS = NotificationStatus
SLOTS = [window(1, 9), window(1, 13), window(2, 9)]


def started(**overrides: object) -> ShipmentState:
    state = ShipmentState(shipment=shipment(**overrides), status_since=T0)
    on_start(state, T0)
    return state


def kinds(requests: list[NotificationRequest]) -> list[tuple[K, Channel]]:
    return [(r.kind, r.channel) for r in requests]


def sent(state: ShipmentState) -> ShipmentState:
    for record in state.notifications:
        if record.status is NS.PLANNED and record.due_at is None:
            record.status = NS.SENT
    return state


def test_the_start_sends_the_dispatch_notice_in_one_change() -> None:
    state = ShipmentState(shipment=shipment(), status_since=T0)
    reaction = on_start(state, T0)
    [change] = reaction.changes
    assert kinds(change.requests) == [(K.SHIPPED, Channel.EMAIL)]
    assert change.entry is None
    assert [n.kind for n in state.notifications] == [K.SHIPPED]


def test_the_start_is_recorded_even_when_the_shop_sends_the_notice() -> None:
    state = ShipmentState(
        shipment=shipment(policy=NotificationPolicy(quiet_hours=None, owners={K.SHIPPED: "shop"})),
        status_since=T0,
    )
    [change] = on_start(state, T0).changes
    assert change.requests == []
    assert state.notifications[0].status is NS.DELEGATED


def test_an_applied_event_is_one_change_with_its_entry_and_its_news() -> None:
    state = sent(started())
    reaction = on_carrier_event(state, out_for_delivery(60), T0)
    [change] = reaction.changes
    assert change.entry is not None and change.entry.event.event_id == "e-out_for_delivery-60"
    assert kinds(change.requests) == [(K.OUT_FOR_DELIVERY, Channel.SMS)]
    assert reaction.answer.outcome is EventOutcome.APPLIED
    assert reaction.answer.notifications == [change.requests[0].key]
    assert state.status is S.OUT_FOR_DELIVERY


def test_a_duplicate_event_changes_nothing() -> None:
    state = sent(started())
    on_carrier_event(state, event(S.IN_TRANSIT, 10), T0)
    again = on_carrier_event(state, event(S.IN_TRANSIT, 10), T0)
    assert again.answer.outcome is EventOutcome.DUPLICATE
    assert (again.changes, again.changed) == ([], False)


def test_an_out_of_order_event_is_recorded_without_news() -> None:
    state = sent(started())
    on_carrier_event(state, event(S.IN_TRANSIT, 30), T0)
    late = on_carrier_event(state, event(S.OUT_FOR_DELIVERY, 20, window=window()), T0)
    [change] = late.changes
    assert late.answer.outcome is EventOutcome.OUT_OF_ORDER
    assert change.entry is not None and change.requests == []
    assert state.status is S.IN_TRANSIT


def test_an_event_with_slots_offers_them_to_the_customer() -> None:
    state = sent(started(delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY)))
    reaction = on_carrier_event(state, event(S.IN_TRANSIT, 30, slots=SLOTS), T0)
    [change] = reaction.changes
    assert kinds(change.requests) == [(K.SLOT_CHOICE, Channel.SMS), (K.SLOT_CHOICE, Channel.EMAIL)]
    assert state.offered_slots == SLOTS
    assert state.choose_by == T0 + state.shipment.policy.slot_choice_time
    assert reaction.answer.notifications == []  # the receipt names the status's news only


def test_an_impossible_report_is_refused_with_the_reason() -> None:
    state = sent(started())
    on_carrier_event(state, event(S.DELIVERED, 10), T0)
    reason = event_refusal(state, event(S.IN_TRANSIT, 20))
    assert reason is not None and reason.startswith("event e-in_transit-20 refused:")
    assert event_refusal(state, event(S.IN_TRANSIT, 5)) is None  # out of order: kept


def test_the_courier_timer_sends_the_confirmation_with_the_lead_time() -> None:
    state = sent(started())
    on_carrier_event(state, out_for_delivery(60), T0)
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
    [change] = on_timer(state, timer, timer.due_at).changes
    [request] = change.requests
    assert request.kind is K.COURIER_ONE_HOUR and request.context.lead_minutes == 60
    assert state.one_hour_window == state.window


def test_the_courier_timer_sends_nothing_once_the_window_has_started() -> None:
    state = sent(started())
    on_carrier_event(state, out_for_delivery(60), T0)
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
    assert state.window is not None
    reaction = on_timer(state, timer, state.window.start)
    assert reaction.changes == []
    assert state.one_hour_window == state.window  # not armed again


def test_the_slot_timer_confirms_the_carriers_default() -> None:
    state = sent(started(delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY)))
    on_carrier_event(state, event(S.IN_TRANSIT, 30, slots=SLOTS), T0)
    [timer] = [t for t in timers(state) if t.kind is K.SLOT_CONFIRMED]
    [change] = on_timer(state, timer, timer.due_at).changes
    assert kinds(change.requests) == [(K.SLOT_CONFIRMED, Channel.SMS)]
    assert change.requests[0].trigger == "slot:default"
    assert (state.window, state.offered_slots) == (SLOTS[0], [])


def test_the_storage_deadline_returns_the_parcel_then_tells_the_shop() -> None:
    policy = NotificationPolicy(quiet_hours=None, shop_email="shop@example.com")
    state = sent(started(policy=policy, delivery=DeliveryOption(kind=DeliveryKind.PICKUP_POINT)))
    on_carrier_event(state, event(S.AVAILABLE_FOR_PICKUP, 30), T0)
    sent(state)
    [deadline] = [t for t in timers(state) if t.kind is None]
    returned, shop = on_timer(state, deadline, deadline.due_at).changes
    assert returned.entry is not None
    assert returned.entry.event.event_id.startswith("waypost:storage-deadline:")
    assert kinds(returned.requests) == [(K.RETURNED, Channel.EMAIL)]
    assert shop.entry is None and kinds(shop.requests) == [(K.SHOP_RETURN_NOTICE, Channel.EMAIL)]
    assert state.status is S.RETURNED


def quiet_night_state() -> ShipmentState:
    """A dispatch notice planned at 23:00 London time: held until 08:00."""
    policy = NotificationPolicy(quiet_hours=QuietHours(start=time(21), end=time(8)))
    state = ShipmentState(shipment=shipment(policy=policy), status_since=T0)
    on_start(state, T0.replace(hour=23))
    return state


def test_a_deferred_message_goes_when_quiet_hours_end() -> None:
    state = quiet_night_state()
    [record] = state.deferred()
    [change] = on_deferred_due(state, record, T0 + timedelta(days=1, hours=8)).changes
    assert kinds(change.requests) == [(K.SHIPPED, Channel.EMAIL)]
    assert state.deferred() == []


def test_a_deferred_message_is_superseded_when_the_shipment_moved_on() -> None:
    state = quiet_night_state()
    [record] = state.deferred()
    on_carrier_event(state, out_for_delivery(24 * 60 + 7 * 60), T0)
    reaction = on_deferred_due(state, record, T0 + timedelta(days=1, hours=8))
    assert reaction.changes == []
    assert record.status is NS.SUPERSEDED
    assert record.error == "stale: the shipment is out_for_delivery now"


def test_what_falls_due_together_goes_in_one_change() -> None:
    state = quiet_night_state()
    [delay] = [t for t in timers(state) if t.kind is K.DELAY_NOTICE]
    reaction = on_due(state, delay.due_at)  # the dispatch notice fell due days ago
    changes = [c for c in reaction.changes if c.entry is None]
    assert len(changes) == 1
    assert [r.kind for r in changes[0].requests] == [K.SHIPPED, K.DELAY_NOTICE]


def test_nothing_due_queues_nothing() -> None:
    assert on_due(sent(started()), T0).changes == []


def report(key: str, status: NS, *, permanent: bool = False) -> DeliveryReport:
    return DeliveryReport(
        provider="sendgrid",
        event="bounce",
        event_id="ev-1",
        key=key,
        status=status,
        permanent=permanent,
        occurred_at=T0,
    )


def test_a_permanent_bounce_tries_the_other_channel() -> None:
    state = sent(started())
    email = state.notifications[0]
    reaction = on_delivery_report(state, report(email.key, NS.FAILED, permanent=True), T0)
    [change] = reaction.changes
    assert kinds(change.requests) == [(K.SHIPPED, Channel.SMS)]
    assert email.status is NS.FAILED


def test_a_report_that_would_move_a_message_back_changes_nothing() -> None:
    state = sent(started())
    email = state.notifications[0]
    email.status = NS.DELIVERED
    reaction = on_delivery_report(state, report(email.key, NS.SENT), T0)
    assert (reaction.changes, reaction.changed) == ([], False)
    assert email.status is NS.DELIVERED


def test_a_report_for_an_unknown_message_changes_nothing() -> None:
    reaction = on_delivery_report(started(), report("nope", NS.DELIVERED), T0)
    assert reaction.changed is False


def test_send_results_settle_each_message() -> None:
    state = started()
    key = state.notifications[0].key
    result = SendResult(key=key, status=NS.SENT, provider="sendgrid", provider_message_id="m1")
    reaction = on_send_results(state, [result], T0)
    assert reaction.changes == []
    record: NotificationRecord = state.notifications[0]
    assert (record.status, record.provider_message_id, record.settled_at) == (NS.SENT, "m1", T0)


def test_a_send_refused_for_good_tries_the_other_channel() -> None:
    state = started()
    key = state.notifications[0].key
    result = SendResult(key=key, status=NS.FAILED, error="bounced", permanent=True)
    [change] = on_send_results(state, [result], T0).changes
    assert kinds(change.requests) == [(K.SHIPPED, Channel.SMS)]


def offered() -> ShipmentState:
    state = sent(started(delivery=DeliveryOption(kind=DeliveryKind.COURIER_MULTI_DAY)))
    on_carrier_event(state, event(S.IN_TRANSIT, 30, slots=SLOTS), T0)
    return sent(state)


def test_a_slot_can_be_chosen_only_while_slots_are_offered() -> None:
    assert can_choose_slot(started()) == "no delivery slots are on offer for this shipment now"
    assert can_choose_slot(offered()) is None
    assert can_choose_slot(offered(), 4) == "slot 4 was not offered (choose 1 to 3)"


def test_the_customers_slot_is_confirmed_and_told() -> None:
    state = offered()
    reaction = on_slot_choice(state, SlotChoice(slot=2), T0)
    assert reaction.answer == SLOTS[1]
    [change] = reaction.changes
    assert kinds(change.requests) == [(K.SLOT_CONFIRMED, Channel.SMS)]
    assert (state.window, state.offered_slots, state.choose_by) == (SLOTS[1], [], None)


def courier_asked() -> ShipmentState:
    state = sent(started())
    on_carrier_event(state, out_for_delivery(60), T0)
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
    on_timer(state, timer, timer.due_at)
    return sent(state)


def test_the_courier_can_be_answered_only_after_the_confirmation_went_out() -> None:
    state = sent(started())
    assert can_answer_courier(state) == "the shipment is shipped, not out for delivery"
    on_carrier_event(state, out_for_delivery(60), T0)
    assert can_answer_courier(state) == "the courier's confirmation has not been sent yet"
    assert can_answer_courier(courier_asked()) is None


def test_a_confirm_is_recorded_and_sends_nothing() -> None:
    state = courier_asked()
    reaction = on_courier_reply(state, CourierReply(answer="confirm"), T0)
    assert reaction.answer.text == "confirmed: the courier knows you are home"
    assert (reaction.answer.outcome, reaction.answer.follows) == ("recorded", False)
    assert [c.requests for c in reaction.changes] == [[]]
    assert [r.what for r in state.replies] == ["confirm"]


def test_a_reply_travels_to_the_ledger_activity_with_the_window_it_answers() -> None:
    state = courier_asked()
    reaction = on_courier_reply(state, CourierReply(answer="reschedule", via="sms"), T0)
    [change] = reaction.changes
    assert [(r.what, r.via, r.window) for r in change.replies] == [
        ("reschedule", "sms", state.one_hour_window)
    ]


def test_runs_from_before_publishing_replies_keep_them_in_state_only() -> None:
    state = courier_asked()
    reaction = on_courier_reply(state, CourierReply(answer="confirm"), T0, publish=False)
    assert reaction.changes == []
    assert [r.what for r in state.replies] == ["confirm"]


def answered_at(state: ShipmentState) -> datetime:
    """A minute after the courier's confirmation went out."""
    asked = [n.planned_at for n in state.notifications if n.kind is K.COURIER_ONE_HOUR]
    return max(asked) + timedelta(minutes=1)


def test_the_same_answer_again_changes_nothing() -> None:
    state = courier_asked()
    state.last_offered_slots = SLOTS
    now = answered_at(state)
    on_courier_reply(state, CourierReply(answer="reschedule"), now)
    planned = len(state.notifications)
    reaction = on_courier_reply(state, CourierReply(answer="reschedule"), now)
    assert (reaction.answer.outcome, reaction.changed, reaction.changes) == ("repeated", False, [])
    assert len(state.notifications) == planned and len(state.replies) == 1


def test_the_same_answer_to_a_new_confirmation_is_a_new_answer() -> None:
    state = courier_asked()
    on_courier_reply(state, CourierReply(answer="confirm"), answered_at(state))
    on_carrier_event(state, event(S.DELIVERY_FAILED, 2000), answered_at(state))
    again = event(S.OUT_FOR_DELIVERY, 3000, window=window(2))
    on_carrier_event(state, again, answered_at(state))
    [timer] = [t for t in timers(state) if t.kind is K.COURIER_ONE_HOUR]
    on_timer(state, timer, timer.due_at)
    reaction = on_courier_reply(state, CourierReply(answer="confirm"), answered_at(state))
    assert reaction.answer.outcome == "recorded"
    assert [r.window for r in state.replies] == [window(), window(2)]


def test_a_change_of_mind_is_recorded() -> None:
    state = courier_asked()
    on_courier_reply(state, CourierReply(answer="confirm"), answered_at(state))
    reaction = on_courier_reply(state, CourierReply(answer="reschedule"), answered_at(state))
    assert reaction.answer.outcome == "recorded"
    assert [r.what for r in state.replies] == ["confirm", "reschedule"]


def test_a_reschedule_offers_again_the_slots_still_ahead() -> None:
    state = courier_asked()
    state.last_offered_slots = SLOTS
    reaction = on_courier_reply(state, CourierReply(answer="reschedule"), T0)
    assert reaction.answer.text == "reschedule: 3 slot(s) offered again"
    assert reaction.answer.follows is True
    assert state.offered_slots == SLOTS


@pytest.mark.parametrize("hour", range(24))
def test_a_reschedule_at_any_hour_offers_the_slots_again_as_the_one_answer(hour: int) -> None:
    """Night or day in the recipient's zone (Europe/London): the offer is the answer (the SMS
    reply gets none of its own) and its deadline falls in their daytime."""
    state = courier_asked()
    state.last_offered_slots = SLOTS
    now = T0 + timedelta(hours=hour, minutes=30)
    reaction = on_courier_reply(state, CourierReply(answer="reschedule", via="sms"), now)
    assert (reaction.answer.outcome, reaction.answer.follows) == ("recorded", True)
    assert state.offered_slots == SLOTS
    offer = kinds([r for c in reaction.changes for r in c.requests])
    assert (K.SLOT_CHOICE, Channel.SMS) in offer and {kind for kind, _ in offer} == {K.SLOT_CHOICE}
    assert state.choose_by is not None and state.choose_by > now
    assert not QuietHours().contains(state.choose_by, state.shipment.recipient.time_zone)


def test_a_reschedule_without_slots_ahead_leaves_them_to_the_carrier() -> None:
    reaction = on_courier_reply(courier_asked(), CourierReply(answer="reschedule"), T0)
    assert reaction.answer.text == "reschedule: recorded; the carrier will offer new slots"
    assert reaction.answer.follows is False
    assert [c.requests for c in reaction.changes] == [[]]


# --- What the shipment waits for ---------------------------------------------------------------


def test_waiting_lists_recording_timers_deferred_messages_and_the_next_event() -> None:
    state = quiet_night_state()
    outbox = [LedgerUpdate(shipment_ref="r", status=S.SHIPPED, status_at=T0)]
    recording, timer, deferred, carrier = waiting_for(state, outbox)
    assert isinstance(recording, RecordingWait)
    assert recording.what == "recording 1 change(s), sending 0 message(s)"
    assert isinstance(timer, TimerWait) and timer.message is K.DELAY_NOTICE
    assert isinstance(deferred, DeferredWait)
    assert (deferred.message, deferred.channel) == (K.SHIPPED, Channel.EMAIL)
    assert deferred.what == "deferred: shipped by email (quiet hours)"
    assert isinstance(carrier, NextEventWait) and carrier.what == "next carrier event"


def test_the_next_due_is_the_earliest_timer_or_deferred_message() -> None:
    state = quiet_night_state()
    [record] = state.deferred()
    assert next_due(state) == (record.due_at, "shipped (deferred)")


def test_the_querys_waiting_keeps_what_and_until_and_round_trips() -> None:
    state = quiet_night_state()
    queried = state.model_copy(update={"waiting_for": waiting_for(state)})
    data = json.loads(queried.model_dump_json())
    assert [sorted(w) for w in data["waiting_for"]][-1] == ["kind", "until", "what"]
    assert data["waiting_for"][0]["what"].startswith("timer: delay_notice")
    assert ShipmentState.model_validate(data).waiting_for == queried.waiting_for
