"""Marketing consent given after the start, on the pure reactions and the page's view: offered
exactly while a marketing message (the thank-you) is ahead and no consent is recorded, recorded
with its time and source, carried by the thank-you planned after it, and queued for the ledger.
The page's block asks the same predicate as the workflow's validator."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.tracking.view import consent_block
from models.consent import ConsentSource, MarketingConsent
from models.notification import Channel, NotificationKind
from models.policy import NotificationPolicy, Party, ThankYou
from models.shipment import Recipient
from models.state import LedgerUpdate, ShipmentState
from models.status import ShipmentStatus
from testing.factories import T0, event, shipment
from workflows.reactions import (
    can_give_consent,
    on_carrier_event,
    on_marketing_consent,
    on_start,
    on_timer,
)
from workflows.schedule import timers

K = NotificationKind
S = ShipmentStatus
THANKS = NotificationPolicy(quiet_hours=None, thank_you=ThankYou(enabled=True))


def started(policy: NotificationPolicy = THANKS, consent: bool = False) -> ShipmentState:
    recipient = Recipient(name="Sam", email="sam@example.com", marketing_consent=consent)
    state = ShipmentState(shipment=shipment(recipient=recipient, policy=policy), status_since=T0)
    on_start(state, T0)
    return state


def delivered(state: ShipmentState) -> ShipmentState:
    on_carrier_event(state, event(S.DELIVERED, 60), T0 + timedelta(hours=1))
    return state


def test_consent_is_accepted_while_the_thank_you_is_ahead() -> None:
    assert can_give_consent(started()) is None
    assert can_give_consent(delivered(started())) is None


def test_consent_is_refused_when_the_shop_sends_no_thank_you() -> None:
    assert can_give_consent(started(NotificationPolicy(quiet_hours=None))) == (
        "no offers or review requests are ahead for this shipment"
    )


def test_consent_is_refused_when_the_shop_sends_the_thank_you_itself() -> None:
    own = THANKS.model_copy(update={"owners": {K.THANK_YOU: Party.SHOP}})
    assert can_give_consent(started(own)) is not None


def test_consent_is_refused_once_given_at_the_start() -> None:
    assert can_give_consent(started(consent=True)) == (
        "consent to offers is already recorded for this shipment"
    )


def test_consent_is_refused_once_given_on_the_page() -> None:
    state = started()
    on_marketing_consent(state, T0)
    assert can_give_consent(state) is not None


def test_consent_is_refused_once_the_thank_you_was_planned() -> None:
    state = delivered(started())
    [timer] = [t for t in timers(state) if t.kind is K.THANK_YOU]
    on_timer(state, timer, timer.due_at)
    assert can_give_consent(state) is not None


def test_consent_is_refused_for_a_returned_parcel() -> None:
    state = started()
    on_carrier_event(state, event(S.RETURNED, 60), T0 + timedelta(hours=1))
    assert can_give_consent(state) is not None


def test_consent_is_recorded_with_its_time_and_source_and_queued_for_the_ledger() -> None:
    state = started()
    now = T0 + timedelta(minutes=5)

    reaction = on_marketing_consent(state, now)

    given = MarketingConsent(given_at=now, source=ConsentSource.TRACKING_PAGE)
    assert reaction.answer == given
    assert state.marketing_consent == given
    assert [c.consent for c in reaction.changes] == [given]
    assert [c.requests for c in reaction.changes] == [[]]


def test_the_thank_you_planned_after_consent_carries_it() -> None:
    state = delivered(started())
    on_marketing_consent(state, T0 + timedelta(minutes=30))
    [timer] = [t for t in timers(state) if t.kind is K.THANK_YOU]

    reaction = on_timer(state, timer, timer.due_at)

    [request] = [r for c in reaction.changes for r in c.requests]
    assert request.kind is K.THANK_YOU and request.channel is Channel.EMAIL
    assert request.marketing_consent is True


def test_without_consent_the_thank_you_goes_to_the_sender_without_it() -> None:
    state = delivered(started())
    [timer] = [t for t in timers(state) if t.kind is K.THANK_YOU]
    [request] = [r for c in on_timer(state, timer, timer.due_at).changes for r in c.requests]
    assert request.marketing_consent is False


def test_merged_ledger_updates_keep_the_consent() -> None:
    given = MarketingConsent(given_at=T0, source=ConsentSource.TRACKING_PAGE)
    base = LedgerUpdate(shipment_ref="r", status=S.SHIPPED, status_at=T0)
    merged = LedgerUpdate.merged([base, base.model_copy(update={"consent": given}), base])
    assert merged.consent == given


# --- The page's block asks the same predicate --------------------------------------------------


@pytest.mark.parametrize(
    "state",
    [
        started(),
        started(NotificationPolicy(quiet_hours=None)),
        started(consent=True),
        delivered(started()),
    ],
)
def test_the_opt_in_is_offered_exactly_when_the_workflow_would_accept_it(
    state: ShipmentState,
) -> None:
    block = consent_block(state, closed=False, withdrawn=False)
    offered = block is not None and block.state == "offer"
    assert offered is (can_give_consent(state) is None)


def test_consent_given_shows_when_and_where() -> None:
    state = started()
    on_marketing_consent(state, T0)
    block = consent_block(state, closed=False, withdrawn=False)
    assert block is not None and block.state == "given"
    assert (block.given_at, block.source) == (T0, ConsentSource.TRACKING_PAGE)


def test_consent_at_the_start_shows_as_given_at_the_start() -> None:
    block = consent_block(started(consent=True), closed=False, withdrawn=False)
    assert block is not None and block.source is ConsentSource.START and block.given_at is None


def test_a_withdrawn_consent_is_shown_as_withdrawn_without_a_form() -> None:
    block = consent_block(started(consent=True), closed=False, withdrawn=True)
    assert block is not None and block.state == "withdrawn"


def test_no_block_without_the_live_state_or_once_closed() -> None:
    assert consent_block(None, closed=False, withdrawn=False) is None
    assert consent_block(started(), closed=True, withdrawn=False) is None
