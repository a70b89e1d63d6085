"""ShipmentWorkflow: one durable workflow per parcel. It holds state, waits, and applies what the
pure reactions (workflows/reactions.py) decide; the ledger activity does all I/O. Imports here
are models and pure logic only: this module is re-imported in the sandbox for every run."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from infra import search_attributes as sa
    from infra.metrics import WORKFLOW_DECIDED, AppMetrics
    from models.call import Call, CallReceipt
    from models.consent import MarketingConsent
    from models.notification import (
        DeliveryReport,
        NotificationRecord,
        NotificationStatus,
        SendResult,
    )
    from models.page import LivePage
    from models.shipment import (
        FINAL_STATUSES,
        CarrierEvent,
        CourierReply,
        ShipmentRecord,
        ShipmentStart,
        SlotChoice,
        Window,
    )
    from models.state import (
        EventReceipt,
        LedgerUpdate,
        ReplyReceipt,
        ShipmentResume,
        ShipmentState,
        TrackerCreated,
        TrackerPoll,
        Waiting,
        WorkflowLimits,
    )
    from models.status import ExceptionReason, ShipmentStatus
    from models.tracking import TrackerMode, TrackerRequest, TrackerState
    from workflows import details
    from workflows.page import live_page
    from workflows.reactions import (
        Change,
        Reaction,
        can_answer_courier,
        can_choose_slot,
        can_give_consent,
        can_record_call,
        event_refusal,
        on_call,
        on_carrier_event,
        on_courier_reply,
        on_delivery_report,
        on_due,
        on_marketing_consent,
        on_send_results,
        on_slot_choice,
        on_start,
    )
    from workflows.schedule import pending_timer_kinds
    from workflows.trackers import next_poll
    from workflows.waiting import next_due, waiting_for

PUBLISH_ACTIVITY = "publish_update"
PUBLISH_TIMEOUT = timedelta(seconds=30)
BATCHED_PUBLISH = "batched-publish"
"""Patch id: queued ledger updates are published as one activity."""
PUBLISH_HEARTBEAT = timedelta(seconds=20)
"""The activity heartbeats before each message; longer than one provider call may take."""
PUBLISH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=1),
)
"""No attempt limit: a ledger outage must never lose an accepted event. Provider outages are
bounded inside the activity, which records a message as failed after enough attempts."""
EXCEPTION_REASONS = "exception-reasons"
"""Patch id: an exception event naming no reason is an unexplained one (`other`), which sends its
message and ends the delay watch. Runs recorded before it keep such events reasonless: no
message, delay watch as before."""
PENDING_TIMERS_ATTRIBUTE = "pending-timers-attribute"
"""Patch id: the PendingTimers search attribute follows the armed timers (an upsert when their
kinds change). Runs started before it replay without it, and are not counted by the metric."""
FOLDED_SHOW = "folded-show"
"""Patch id: each search attribute upsert is a billable action, so the UI (search attributes,
current details) is updated at most once per workflow task, and what changes while a recording
is in flight is shown once, when the recording ends. Every patch is decided in a run's first
task, so their markers are one action. Runs started before it show as each handler changes the
state."""
SHOW_LAG = PUBLISH_TIMEOUT
"""A recording that outlasts one attempt's timeout is being retried (an outage): from then on
the UI shows each change at the end of its task rather than wait for the recording."""


CARRIER_TRACKERS = "carrier-trackers"
"""Patch id: a shipment whose start carries a tracker plan creates its tracker (and, in polling
mode, polls it). Shipments without one never reach this patch: no marker, activity or timer."""
CREATE_TRACKER_ACTIVITY = "create_tracker"
POLL_TRACKER_ACTIVITY = "poll_tracker"
TRACKER_TIMEOUT = timedelta(minutes=2)
"""Longer than one API call may take (`carrier_api_timeout_seconds`, at most 100 s): a worker
that died mid-call is noticed after it."""
CREATE_TRACKER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=15),
    maximum_attempts=16,
)
"""About two hours of a service being down before support is told there is no tracker; a
refusal (4xx) is non-retryable and recorded at once. The service deduplicates a repeated create."""
POLL_TRACKER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=5,
)
"""A poll that keeps failing is recorded and tried again at the next interval, not hammered."""
REMEMBER_FAILING = "remember-failing-channel"
"""Patch id: a channel that failed for good (a handset that cannot be reached) is avoided for the
rest of the shipment. Runs from before it replay as they were: the failed message alone went by
the other channel."""

FOLD_CONFIRMATION = "fold-courier-confirmation"
"""Patch id: out for delivery less than the courier's lead time before the window, the courier's
confirmation goes at once as the one message (the out-for-delivery SMS superseded by it). Runs
from before it sent both, a second apart."""
DAYTIME_DEADLINE = "slot-deadline-in-daytime"
"""Patch id: the time to choose a slot ends in the recipient's daytime (schedule.slot_deadline),
so the SMS, the page and the timer agree. Runs from before it ended `slot_choice_time` after the
offer, and the timer waited for the end of quiet hours."""
REPLIES_PUBLISHED = "customer-replies-published"
"""Patch id: a customer's reply travels to the ledger activity (`LedgerUpdate.replies`), where
the shop's webhook is to hear of a reschedule. Runs from before it kept replies in state only."""

EARLY_PATCHES = (
    BATCHED_PUBLISH,
    PENDING_TIMERS_ATTRIBUTE,
    REMEMBER_FAILING,
    FOLD_CONFIRMATION,
    DAYTIME_DEADLINE,
    REPLIES_PUBLISHED,
    EXCEPTION_REASONS,
)
"""The patches a run with FOLDED_SHOW decides in its first workflow task (`_patched`).
CARRIER_TRACKERS is left out: asked at the start of run() (the first task too), and only by a
shipment with a tracker plan, so one without gets no marker of it."""
PATCH_SET = "patch-set-1"
"""Patch id: a run that records it takes FOLDED_SHOW, every early patch and CARRIER_TRACKERS
on the strength of this one marker. Each marker of its own came with the SDK's upsert of
TemporalChangeVersion: sixteen history events in every run's first task, nearly half of a
delivered shipment's history, each written by the server and walked by the worker. Runs from
before it replay asking each patch, as they did. A patch added later is asked on its own (or
joins a `patch-set-2` that takes this set too)."""
TAKEN_BY_PATCH_SET = (FOLDED_SHOW, *EARLY_PATCHES, CARRIER_TRACKERS)


A = TypeVar("A")


@workflow.defn
class ShipmentWorkflow:
    """Tracks one shipment from dispatch to a final status, messaging the customer on the way.

    Glue only: every handler asks a pure reaction (workflows/reactions.py) what its input does,
    and `_apply` makes it so: queue the ledger changes, then show the state in the UI.
    """

    @workflow.init
    def __init__(self, request: ShipmentStart | ShipmentResume) -> None:
        self._outbox: list[LedgerUpdate] = []
        self._ledger_has_shipment = False  # each run's first update upserts the shipment row
        self._metrics: AppMetrics | None = None
        self._counted: set[str] = set()
        """Keys of messages the workflow settled itself and has counted (see _count_decided)."""
        self._tracking: asyncio.Task[None] | None = None
        """Creates the shipment's tracker and polls it, beside the main loop (never before the
        customer's messages)."""
        self._told: set[str] = set()
        """Keys of messages the workflow settled itself and passed to the ledger (`_enqueue`)."""
        self._page: LivePage | None = None
        """The tracking page's part of the state as the ledger last recorded it in this run
        (`_publish` sends it again only when it changed)."""
        self._patches: dict[str, bool] = {}
        """With FOLDED_SHOW, every patch is decided here, in the first workflow task, so all
        their markers are one billable action; runs from before ask each where it applies.
        With PATCH_SET, one marker decides them all."""
        if workflow.patched(PATCH_SET):
            self._patches = dict.fromkeys(TAKEN_BY_PATCH_SET, True)
        elif workflow.patched(FOLDED_SHOW):
            self._patches = {FOLDED_SHOW: True}
            self._patches |= {patch: workflow.patched(patch) for patch in EARLY_PATCHES}
        self._folded = self._patches.get(FOLDED_SHOW, False)
        """FOLDED_SHOW: changes mark the UI stale and `_show_when_due` shows them (decided
        here: signals in the first task reach their handlers before run() starts)."""
        self._stale = False
        self._recording: datetime | None = None
        """While a recording is in flight: when it began."""
        self._recorded_in = 0
        """The history length of the task in which the last recording ended."""
        if isinstance(request, ShipmentResume):
            self._limits = request.limits
            self._state = request.state
            self._counted = {
                n.key for n in request.state.notifications if n.status in WORKFLOW_DECIDED
            }
            self._told = set(self._counted)  # the unpublished updates carry what was not told
            self._state.runs += 1
            self._outbox, self._state.unpublished = request.state.unpublished, []
            return
        self._limits = WorkflowLimits()
        shipment = request
        now = workflow.now()
        self._state = ShipmentState(shipment=shipment, status_since=shipment.shipped_at or now)
        self._apply(on_start(self._state, now), show=False)  # run() shows first

    @workflow.run
    async def run(self, request: ShipmentStart | ShipmentResume) -> ShipmentState:
        self._changed()
        if self._folded:
            self._show_task = asyncio.create_task(self._show_when_due(), name="show")
        if self._state.shipment.tracker is not None and self._patched(CARRIER_TRACKERS):
            self._tracking = asyncio.create_task(self._track())
        while True:
            await self._wait_for_work()
            while self._outbox and not self._history_is_long():
                # Changes queued while the last activity ran go out together (one activity,
                # not one each); runs recorded before this existed replay one at a time.
                taken = len(self._outbox) if self._patched(BATCHED_PUBLISH) else 1
                queued = self._outbox[:taken]
                self._recording = workflow.now()
                await self._publish(queued[0] if taken == 1 else LedgerUpdate.merged(queued))
                self._recording = None
                self._recorded_in = workflow.info().get_current_history_length()
                del self._outbox[:taken]
                self._changed()
            if self._history_is_long():
                # Even under a flood of events: what is not yet published travels with the state.
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._stop_tracking()  # the next run resumes it from the state
                self._state.unpublished = self._outbox
                self._show_if_stale()
                workflow.continue_as_new(ShipmentResume(state=self._state, limits=self._limits))
            if self._finished():
                await workflow.wait_condition(workflow.all_handlers_finished)
                await self._stop_tracking()
                self._show_if_stale()  # the run ends with this task: show its final state now
                if not self._outbox:
                    workflow.logger.info(
                        "shipment closed", extra={"status": self._state.status.value}
                    )
                    return self._state

    async def _wait_for_work(self) -> None:
        """Until there is something to publish, or the next timer (or deferred message) is due."""
        due = next_due(self._state)
        if due is None:
            await workflow.wait_condition(lambda: bool(self._outbox) or self._finished())
            return
        when, label = due
        wait = when - workflow.now()
        if wait > timedelta(0):
            try:
                await workflow.wait_condition(
                    lambda: bool(self._outbox) or self._finished(),
                    timeout=wait,
                    timeout_summary=f"{label} at {when.isoformat(timespec='minutes')}",
                )
                return
            except TimeoutError:
                pass
        self._apply(on_due(self._state, workflow.now()))
        if next_due(self._state) == due:
            # A timer whose firing changed nothing would fall due again at once; wait for news
            # instead of spinning (schedule.timers should never produce one).
            workflow.logger.error("timer changed nothing", extra={"timer": label})
            await workflow.wait_condition(lambda: bool(self._outbox) or self._finished())

    async def _track(self) -> None:
        """Create the tracker (unless a previous run did), then, in polling mode, fetch it on a
        durable timer whose interval follows the status, until the shipment is final. A tracker
        that cannot be made is recorded for support; the customer's messages never wait."""
        plan = self._state.shipment.tracker
        assert plan is not None
        if self._state.tracker is None:
            self._state.tracker = TrackerState(service=plan.service, mode=plan.mode)
        tracker = self._state.tracker
        if tracker.tracker_id is None and tracker.error is None:
            try:
                created = await workflow.execute_activity(
                    CREATE_TRACKER_ACTIVITY,
                    self._tracker_request(),
                    start_to_close_timeout=TRACKER_TIMEOUT,
                    retry_policy=CREATE_TRACKER_RETRY,
                    result_type=TrackerCreated,
                    summary=f"create {plan.service.value} tracker",
                )
                tracker.tracker_id, tracker.created_at = created.tracker_id, workflow.now()
                if tracker.mode is TrackerMode.POLLING:
                    self._apply_polled(created.found)
            except ActivityError as err:
                _reraise_cancel(err)  # the run ends (or continues as new): not a failure
                tracker.error = _failure(err)
                workflow.logger.warning("tracker not created", extra={"error": tracker.error})
            self._changed()
        while True:
            due = next_poll(tracker, self._state.status, self._state.status_since)
            tracker.next_poll_at = due
            if due is None:
                return
            status = self._state.status
            wait = due - workflow.now()
            if wait > timedelta(0):
                try:
                    # A status that changes meanwhile (a webhook, the CLI) changes the interval.
                    await workflow.wait_condition(
                        functools.partial(self._status_is_not, status),
                        timeout=wait,
                        timeout_summary=f"poll {plan.service.value} tracker",
                    )
                    continue
                except TimeoutError:
                    pass
            try:
                found = await workflow.execute_activity(
                    POLL_TRACKER_ACTIVITY,
                    self._tracker_request(),
                    start_to_close_timeout=TRACKER_TIMEOUT,
                    retry_policy=POLL_TRACKER_RETRY,
                    result_type=TrackerPoll,
                    summary=f"poll {plan.service.value} tracker",
                )
                tracker.last_poll_error = None
                self._apply_polled(found)
            except ActivityError as err:
                _reraise_cancel(err)
                tracker.last_poll_error = _failure(err)
            tracker.last_poll_at = workflow.now()
            tracker.polls += 1
            self._changed()

    def _status_is_not(self, status: ShipmentStatus) -> bool:
        return self._state.status is not status

    def _tracker_request(self) -> TrackerRequest:
        shipment, plan = self._state.shipment, self._state.shipment.tracker
        assert plan is not None
        return TrackerRequest(
            shop_id=shipment.shop_id,
            shipment_ref=shipment.workflow_id,
            plan=plan,
            carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            tracker_id=self._state.tracker.tracker_id if self._state.tracker else None,
        )

    def _apply_polled(self, found: TrackerPoll) -> None:
        """A fetched tracker's scans, applied like the same scans from its webhook: the ones
        already seen are duplicates and change nothing."""
        for event in found.events:
            self._apply(self._on_event(event))

    async def _stop_tracking(self) -> None:
        """Before the run ends: a poll loop past a final status has returned; anything still in
        flight (a create being retried, a timer) is cancelled."""
        task = self._tracking
        if task is None or task.done():
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    @workflow.signal(name="carrier_event")
    def carrier_event(self, event: CarrierEvent) -> None:
        """Fire-and-forget event: an impossible one is kept in the timeline as refused."""
        self._apply(self._on_event(event))

    @workflow.update(name="report_event")
    def report_event(self, event: CarrierEvent) -> EventReceipt:
        """An event whose sender wants an answer: accepted, duplicate, or out of order."""
        return self._apply(self._on_event(event))

    def _patched(self, patch: str) -> bool:
        """A patch's decision: made in the first task for runs with FOLDED_SHOW (one action for
        all their markers), else asked here, where it applies, as runs from before did."""
        decided = self._patches.get(patch)
        return workflow.patched(patch) if decided is None else decided

    def _on_event(self, event: CarrierEvent) -> Reaction[EventReceipt]:
        """A carrier event's reaction; the patch is asked only where folding could apply."""
        event = _with_reason(event, self._patched)
        fold = event.status is ShipmentStatus.OUT_FOR_DELIVERY and self._patched(FOLD_CONFIRMATION)
        daytime = bool(event.slots) and self._patched(DAYTIME_DEADLINE)
        return on_carrier_event(
            self._state, event, workflow.now(), fold=fold, daytime_deadline=daytime
        )

    @report_event.validator
    def _validate_report(self, event: CarrierEvent) -> None:
        _refuse(event_refusal(self._state, event))

    @workflow.signal(name="delivery_report")
    def delivery_report(self, report: DeliveryReport) -> None:
        """A provider's later word on a sent message (the HTTP service forwards the ones that
        moved it in the ledger): shown to support, and a hard failure tries the other channel."""
        remember = report.permanent and self._patched(REMEMBER_FAILING)
        self._apply(
            on_delivery_report(self._state, report, workflow.now(), remember_failing=remember)
        )

    @workflow.update(name="choose_slot")
    def choose_slot(self, choice: SlotChoice) -> Window:
        """The customer's slot choice (tracking page, SMS reply): confirmed and told."""
        return self._apply(on_slot_choice(self._state, choice, workflow.now()))

    @choose_slot.validator
    def _validate_choice(self, choice: SlotChoice) -> None:
        _refuse(can_choose_slot(self._state, choice.slot))

    @workflow.update(name="courier_reply")
    def courier_reply(self, reply: CourierReply) -> ReplyReceipt:
        """The customer's answer to the courier's confirmation; reschedule re-opens slot choice.
        A repeated answer changes nothing (the receipt says so: it is not acknowledged twice)."""
        publish = self._patched(REPLIES_PUBLISHED)
        daytime = reply.answer == "reschedule" and self._patched(DAYTIME_DEADLINE)
        reaction = on_courier_reply(
            self._state, reply, workflow.now(), publish=publish, daytime_deadline=daytime
        )
        return self._apply(reaction)

    @courier_reply.validator
    def _validate_reply(self, reply: CourierReply) -> None:
        _refuse(can_answer_courier(self._state))

    @workflow.update(name="marketing_consent")
    def marketing_consent(self) -> MarketingConsent:
        """The customer agreed to the shop's offers on the tracking page: the thank-you may go."""
        return self._apply(on_marketing_consent(self._state, workflow.now()))

    @marketing_consent.validator
    def _validate_consent(self) -> None:
        _refuse(can_give_consent(self._state))

    @workflow.update(name="record_call")
    def record_call(self, call: Call) -> CallReceipt:
        """A call the shop's or the carrier's call centre made or took: kept in the state and
        recorded in the ledger (once per call id), so the tracking page and the report show it.
        A closed shipment takes no update: its callers record the call in the ledger itself."""
        return self._apply(on_call(self._state, call, workflow.now()))

    @record_call.validator
    def _validate_call(self, call: Call) -> None:
        _refuse(can_record_call(self._state, call, workflow.now()))

    @workflow.query(name="state")
    def state(self) -> ShipmentState:
        """The whole picture for support and the tracking page, with what comes next."""
        return self._state.model_copy(update={"waiting_for": self._waiting_for()})

    def _apply(self, reaction: Reaction[A], *, show: bool = True) -> A:
        """The one place a reaction takes effect: its changes queue for the ledger in order, a
        carrier event is logged, and the UI follows the state (unless nothing changed)."""
        for change in reaction.changes:
            self._enqueue(change)
            if change.entry is not None:
                workflow.logger.info(
                    "carrier event",
                    extra={
                        "event_id": change.entry.event.event_id,
                        "outcome": change.entry.outcome.value,
                        "status": self._state.status.value,
                    },
                )
            for call in change.calls:  # no operator, no note: they are personal
                workflow.logger.info(
                    "call recorded",
                    extra={"call_id": call.call_id, "outcome": call.outcome.value},
                )
        if show and reaction.changed:
            self._changed()
        return reaction.answer

    async def _publish(self, update: LedgerUpdate) -> None:
        """Record the change and send its messages; settle each message with the ledger's word."""
        for request in update.notifications:
            self._record(request.key).status = NotificationStatus.SENDING
        if not self._ledger_has_shipment:
            update = update.model_copy(update={"shipment": ShipmentRecord.of(self._state.shipment)})
        page = live_page(self._state) if self._state.status not in FINAL_STATUSES else None
        if page is not None and page != self._page:
            # Only the activity's input grows (no command changes): histories replay as they are.
            update = update.model_copy(update={"page": page})
        try:
            results = await workflow.execute_activity(
                PUBLISH_ACTIVITY,
                update,
                start_to_close_timeout=PUBLISH_TIMEOUT,
                heartbeat_timeout=PUBLISH_HEARTBEAT,
                retry_policy=PUBLISH_RETRY,
                result_type=list[SendResult],
                summary=self._publish_summary(update),
            )
            self._ledger_has_shipment = True
            self._page = update.page or self._page
        except ActivityError as err:  # only non-retryable failures reach here
            results = [
                SendResult(key=r.key, status=NotificationStatus.FAILED, error=str(err.cause or err))
                for r in update.notifications
            ]
        # run() shows once the update is off the outbox
        remember = any(r.permanent for r in results) and self._patched(REMEMBER_FAILING)
        self._apply(
            on_send_results(self._state, results, workflow.now(), remember_failing=remember),
            show=False,
        )

    def _enqueue(self, change: Change) -> None:
        """Queue a change for the ledger activity, with the shipment's status as it is now and
        the messages the workflow settled itself since the last one (the shop hears of them)."""
        decided = [
            n
            for n in self._state.notifications
            if n.status in WORKFLOW_DECIDED and n.key not in self._told
        ]
        self._told.update(n.key for n in decided)
        self._outbox.append(
            LedgerUpdate(
                shipment_ref=self._state.shipment.workflow_id,
                status=self._state.status,
                status_at=self._state.status_since,
                closed=self._state.status in FINAL_STATUSES,
                entry=change.entry,
                notifications=change.requests,
                consent=change.consent,
                calls=change.calls,
                replies=change.replies,
                decided=decided,
            )
        )

    def _record(self, key: str) -> NotificationRecord:
        return next(n for n in self._state.notifications if n.key == key)

    @staticmethod
    def _publish_summary(update: LedgerUpdate) -> str:
        done = [e.event.event_id for e in update.timeline]
        done += [f"call {c.call_id}" for c in update.calls]
        what = ", ".join(done) or "start"
        kinds = ", ".join(f"{n.kind.value}/{n.channel.value}" for n in update.notifications)
        return f"record {what} ({update.status.value})" + (f"; send {kinds}" if kinds else "")

    def _finished(self) -> bool:
        """Final, recorded, and nothing more scheduled (a thank-you may still be due)."""
        return (
            self._state.status in FINAL_STATUSES
            and not self._outbox
            and next_due(self._state) is None
        )

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._limits.history_events
        )

    def _waiting_for(self) -> list[Waiting]:
        return waiting_for(self._state, self._outbox)

    def _changed(self) -> None:
        """The state changed: show it now (runs before FOLDED_SHOW) or when due."""
        if self._folded:
            self._stale = True
        else:
            self._show()

    def _show_due(self) -> bool:
        """Stale, and nothing to record or in flight (unless a recording ended in this task,
        or it has taken SHOW_LAG): what changes meanwhile is shown when the recording ends."""
        if not self._stale:
            return False
        if self._recorded_in == workflow.info().get_current_history_length():
            return True
        if self._recording is None:
            return not self._outbox  # else the loop takes it in this task: shown when recorded
        return workflow.now() - self._recording >= SHOW_LAG

    async def _show_when_due(self) -> None:
        """FOLDED_SHOW's one place to show: a wait condition is checked once every coroutine of
        the task has run, so however many handlers changed the state, the UI gets one upsert."""
        while True:
            await workflow.wait_condition(self._show_due)
            self._show_if_stale()

    def _show_if_stale(self) -> None:
        if self._stale:
            self._show()

    def _show(self) -> None:
        """Keep the UI's search attributes and current details in step with the state.

        Only changed attributes are upserted: each upsert is a history event.
        """
        self._stale = False
        state = self._state
        shipment = state.shipment
        wanted: list[SearchAttributeUpdate[Any]] = [
            sa.SHIPMENT_STATUS.value_set(state.status.value),
            sa.CARRIER.value_set(shipment.carrier),
            sa.ORDER_ID.value_set(shipment.order_id),
            sa.TRACKING_NUMBER.value_set(shipment.tracking_number),
            sa.SHOP_ID.value_set(shipment.shop_id),
        ]
        if state.estimated_delivery is not None:
            wanted.append(sa.ESTIMATED_DELIVERY.value_set(state.estimated_delivery))
        current = workflow.info().typed_search_attributes
        changed = [u for u in wanted if current.get(u.key) != u.value]
        if self._patched(PENDING_TIMERS_ATTRIBUTE):
            kinds = pending_timer_kinds(state)
            if sorted(current.get(sa.PENDING_TIMERS) or []) != kinds:
                key = sa.PENDING_TIMERS
                changed.append(key.value_set(kinds) if kinds else key.value_unset())
        if changed:
            workflow.upsert_search_attributes(changed)
        workflow.set_current_details(details.markdown(state, self._waiting_for()))
        self._count_decided()

    def _count_decided(self) -> None:
        """Count the messages the workflow settled itself (suppressed, superseded, delegated:
        they never reach the sender), each once. The workflow's meter is silent while a history
        replays, and a continued run starts knowing what its predecessor counted."""
        for record in self._state.notifications:
            if record.status in WORKFLOW_DECIDED and record.key not in self._counted:
                self._counted.add(record.key)
                if self._metrics is None:
                    self._metrics = AppMetrics(workflow.metric_meter())
                self._metrics.message(record.kind, record.channel, record.status)


def _reraise_cancel(err: ActivityError) -> None:
    """A tracker activity cancelled because the run is ending is not the service's failure: it
    must not be recorded (the next run would never create the tracker)."""
    if isinstance(err.cause, CancelledError):
        raise asyncio.CancelledError() from err


def _failure(err: ActivityError) -> str:
    """What support reads of a failed tracker activity: the service's answer, bounded."""
    cause = err.cause
    text = cause.message if isinstance(cause, ApplicationError) else str(cause or err)
    return text[:300]


def _with_reason(event: CarrierEvent, patched: Callable[[str], bool]) -> CarrierEvent:
    """An exception always has a reason in new runs (`other` when the carrier gave none)."""
    if event.status is not ShipmentStatus.EXCEPTION or event.exception is not None:
        return event
    if not patched(EXCEPTION_REASONS):
        return event
    return event.model_copy(update={"exception": ExceptionReason.OTHER})


def _refuse(reason: str | None) -> None:
    """An update validator's verdict: a reason refuses the update, with that reason."""
    if reason is not None:
        raise ValueError(reason)
