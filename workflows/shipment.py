"""ShipmentWorkflow: one durable workflow per parcel. It holds state, waits, and calls the pure
decisions in lifecycle/plan; the ledger activity does all I/O. Imports here are models and pure
logic only: this module is re-imported in the sandbox for every run."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeUpdate
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from infra import search_attributes as sa
    from infra.metrics import WORKFLOW_DECIDED, AppMetrics
    from models.notification import (
        DeliveryReport,
        NotificationKind,
        NotificationRecord,
        NotificationRequest,
        NotificationStatus,
        SendResult,
        provider_may_move,
    )
    from models.shipment import (
        FINAL_STATUSES,
        CarrierEvent,
        CourierReply,
        ShipmentStart,
        ShipmentStatus,
        SlotChoice,
        Window,
    )
    from models.state import (
        CustomerReplyRecord,
        EventOutcome,
        EventReceipt,
        LedgerUpdate,
        ShipmentResume,
        ShipmentState,
        TimelineEntry,
        Waiting,
        WorkflowLimits,
    )
    from workflows import details
    from workflows.lifecycle import apply_event, judge_event
    from workflows.plan import (
        channel_fallback,
        message_context,
        plan_kind,
        plan_shop_notice,
        plan_status_change,
        request_for,
    )
    from workflows.schedule import pending_timer_kinds, timers

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
PENDING_TIMERS_ATTRIBUTE = "pending-timers-attribute"
"""Patch id: the PendingTimers search attribute follows the armed timers (an upsert when their
kinds change). Runs started before it replay without it, and are not counted by the metric."""


@workflow.defn
class ShipmentWorkflow:
    """Tracks one shipment from dispatch to a final status, messaging the customer on the way."""

    @workflow.init
    def __init__(self, request: ShipmentStart | ShipmentResume) -> None:
        self._outbox: list[LedgerUpdate] = []
        self._ledger_has_shipment = False  # each run's first update upserts the shipment row
        self._metrics: AppMetrics | None = None
        self._counted: set[str] = set()
        """Keys of messages the workflow settled itself and has counted (see _count_decided)."""
        if isinstance(request, ShipmentResume):
            self._limits = request.limits
            self._state = request.state
            self._counted = {
                n.key for n in request.state.notifications if n.status in WORKFLOW_DECIDED
            }
            self._state.runs += 1
            self._outbox, self._state.unpublished = request.state.unpublished, []
            return
        self._limits = WorkflowLimits()
        shipment = request
        now = workflow.now()
        self._state = ShipmentState(shipment=shipment, status_since=shipment.shipped_at or now)
        requests, records = plan_status_change(self._state, None, "start", now)
        self._state.notifications.extend(records)
        self._enqueue(requests)

    @workflow.run
    async def run(self, request: ShipmentStart | ShipmentResume) -> ShipmentState:
        self._show()
        while True:
            await self._wait_for_work()
            while self._outbox and not self._history_is_long():
                # Changes queued while the last activity ran go out together (one activity,
                # not one each); runs recorded before this existed replay one at a time.
                taken = len(self._outbox) if workflow.patched(BATCHED_PUBLISH) else 1
                queued = self._outbox[:taken]
                await self._publish(queued[0] if taken == 1 else LedgerUpdate.merged(queued))
                del self._outbox[:taken]
                self._show()
            if self._history_is_long():
                # Even under a flood of events: what is not yet published travels with the state.
                await workflow.wait_condition(workflow.all_handlers_finished)
                self._state.unpublished = self._outbox
                workflow.continue_as_new(ShipmentResume(state=self._state, limits=self._limits))
            if self._finished():
                await workflow.wait_condition(workflow.all_handlers_finished)
                if not self._outbox:
                    workflow.logger.info(
                        "shipment closed", extra={"status": self._state.status.value}
                    )
                    return self._state

    async def _wait_for_work(self) -> None:
        """Until there is something to publish, or the next timer (or deferred message) is due."""
        due = self._next_due()
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
        self._fire_due()
        self._show()
        if self._next_due() == due:
            # A timer whose firing changed nothing would fall due again at once; wait for news
            # instead of spinning (schedule.timers should never produce one).
            workflow.logger.error("timer changed nothing", extra={"timer": label})
            await workflow.wait_condition(lambda: bool(self._outbox) or self._finished())

    def _next_due(self) -> tuple[datetime, str] | None:
        pending = [(t.due_at, t.label) for t in timers(self._state)]
        pending += [(n.due_at, f"{n.kind.value} (deferred)") for n in self._deferred() if n.due_at]
        return min(pending, default=None)

    def _deferred(self) -> list[NotificationRecord]:
        return [
            n
            for n in self._state.notifications
            if n.status is NotificationStatus.PLANNED and n.due_at is not None
        ]

    def _fire_due(self) -> None:
        """Send what has fallen due; what has gone stale meanwhile is superseded, never sent."""
        now = workflow.now()
        requests: list[NotificationRequest] = []
        for record in self._deferred():
            if record.due_at is None or record.due_at > now:
                continue
            record.due_at = None
            if record.status_when_planned != self._state.status.value:
                record.status = NotificationStatus.SUPERSEDED
                record.error = f"stale: the shipment is {self._state.status.value} now"
                record.settled_at = now
            else:
                requests.append(request_for(self._state, record))
        for timer in timers(self._state):
            if timer.due_at > now:
                continue
            if timer.kind is None:
                self._accept(
                    CarrierEvent(
                        event_id=f"waypost:storage-deadline:{self._state.status_since.isoformat()}",
                        status=ShipmentStatus.RETURNED,
                        occurred_at=max(now, timer.due_at, self._state.last_event_at or now),
                        description="storage deadline passed without pickup: returned to the shop",
                    )
                )
                shop_requests, shop_records = plan_shop_notice(self._state, "storage-deadline", now)
                self._state.notifications.extend(shop_records)
                requests += shop_requests
                continue
            requests += self._fire_timer(timer.kind, now)
        if requests:
            self._enqueue(requests)

    def _offer_slots(self, slots: list[Window], now: datetime) -> list[NotificationRequest]:
        state = self._state
        state.offered_slots = state.last_offered_slots = slots
        state.choose_by = now + state.shipment.policy.slot_choice_time
        context = message_context(state).model_copy(
            update={"slots": [(w.start, w.end) for w in slots], "choose_by": state.choose_by}
        )
        requests, records = plan_kind(state, NotificationKind.SLOT_CHOICE, "slots", now, context)
        state.notifications.extend(records)
        return requests

    def _confirm_slot(self, window: Window, by: str, now: datetime) -> list[NotificationRequest]:
        state = self._state
        state.window, state.estimated_delivery = window, window.end
        state.offered_slots, state.choose_by = [], None
        requests, records = plan_kind(state, NotificationKind.SLOT_CONFIRMED, f"slot:{by}", now)
        state.notifications.extend(records)
        return requests

    def _fire_timer(self, kind: NotificationKind, now: datetime) -> list[NotificationRequest]:
        state = self._state
        context = message_context(state)
        if kind is NotificationKind.SLOT_CONFIRMED:
            return self._confirm_slot(state.offered_slots[0], "default", now)
        if kind is NotificationKind.COURIER_ONE_HOUR:
            window = state.window
            state.one_hour_window = window
            if window is None or now >= window.start:
                return []  # the window has started: a confirmation now would be stale
            lead = int(state.shipment.policy.courier_lead_time.total_seconds() // 60)
            context = context.model_copy(update={"lead_minutes": lead})
        elif kind is NotificationKind.DELAY_NOTICE:
            state.delay_noticed = True
            context = context.model_copy(
                update={
                    "new_estimate": state.estimated_delivery
                    if state.estimated_delivery and state.estimated_delivery > now
                    else None
                }
            )
        elif kind is NotificationKind.THANK_YOU:
            thanks = state.shipment.policy.thank_you
            context = context.model_copy(
                update={"coupon_code": thanks.coupon_code, "review_url": thanks.review_url}
            )
        requests, records = plan_kind(state, kind, f"timer:{kind.value}", now, context)
        state.notifications.extend(records)
        return requests

    @workflow.signal(name="carrier_event")
    def carrier_event(self, event: CarrierEvent) -> None:
        """Fire-and-forget event: an impossible one is kept in the timeline as refused."""
        self._accept(event)

    @workflow.update(name="report_event")
    def report_event(self, event: CarrierEvent) -> EventReceipt:
        """An event whose sender wants an answer: accepted, duplicate, or out of order."""
        return self._accept(event)

    @report_event.validator
    def _validate_report(self, event: CarrierEvent) -> None:
        verdict = judge_event(
            event,
            status=self._state.status,
            last_event_at=self._state.last_event_at,
            seen_event_ids=self._state.seen_event_ids(),
        )
        if verdict.outcome is EventOutcome.REFUSED:
            raise ValueError(f"event {event.event_id} refused: {verdict.reason}")

    @workflow.signal(name="delivery_report")
    def delivery_report(self, report: DeliveryReport) -> None:
        """A provider's later word on a sent message (the HTTP service forwards the ones that
        moved it in the ledger): shown to support, and a hard failure tries the other channel."""
        record = next((n for n in self._state.notifications if n.key == report.key), None)
        if record is None or report.status is None:
            return
        if not provider_may_move(record.status, report.status):
            return
        record.status = report.status
        record.error = report.detail or record.error
        record.settled_at = workflow.now()
        hard = report.status in (NotificationStatus.FAILED, NotificationStatus.UNDELIVERED)
        if hard and report.permanent:
            requests, records = channel_fallback(self._state, record, workflow.now())
            self._state.notifications.extend(records)
            if requests:
                self._enqueue(requests)
        self._show()

    @workflow.update(name="choose_slot")
    def choose_slot(self, choice: SlotChoice) -> Window:
        """The customer's slot choice (tracking page, SMS reply): confirmed and told."""
        window = self._state.offered_slots[choice.slot - 1]
        self._enqueue(self._confirm_slot(window, "customer", workflow.now()))
        self._show()
        return window

    @choose_slot.validator
    def _validate_choice(self, choice: SlotChoice) -> None:
        offered = self._state.offered_slots
        if not offered:
            raise ValueError("no delivery slots are on offer for this shipment now")
        if choice.slot > len(offered):
            raise ValueError(f"slot {choice.slot} was not offered (choose 1 to {len(offered)})")

    @workflow.update(name="courier_reply")
    def courier_reply(self, reply: CourierReply) -> str:
        """The customer's answer to the courier's confirmation; reschedule re-opens slot choice."""
        now = workflow.now()
        self._state.replies.append(CustomerReplyRecord(what=reply.answer, received_at=now))
        if reply.answer == "confirm":
            self._show()
            return "confirmed: the courier knows you are home"
        upcoming = [w for w in self._state.last_offered_slots if w.start > now]
        if upcoming:
            self._enqueue(self._offer_slots(upcoming, now))
            self._show()
            return f"reschedule: {len(upcoming)} slot(s) offered again"
        self._show()
        return "reschedule: recorded; the carrier will offer new slots"

    @courier_reply.validator
    def _validate_reply(self, reply: CourierReply) -> None:
        if self._state.status is not ShipmentStatus.OUT_FOR_DELIVERY:
            raise ValueError(f"the shipment is {self._state.status.value}, not out for delivery")
        if self._state.one_hour_window is None:
            raise ValueError("the courier's confirmation has not been sent yet")

    @workflow.query(name="state")
    def state(self) -> ShipmentState:
        """The whole picture for support and the tracking page, with what comes next."""
        return self._state.model_copy(update={"waiting_for": self._waiting_for()})

    def _accept(self, event: CarrierEvent) -> EventReceipt:
        previous = self._state.status
        now = workflow.now()
        verdict = apply_event(self._state, event, now)
        receipt = EventReceipt(
            event_id=event.event_id,
            outcome=verdict.outcome,
            status=self._state.status,
            reason=verdict.reason,
        )
        if verdict.outcome is EventOutcome.DUPLICATE:
            return receipt
        entry: TimelineEntry = self._state.timeline[-1]
        requests, records = (
            plan_status_change(self._state, previous, event.event_id, now)
            if verdict.outcome is EventOutcome.APPLIED
            else ([], [])
        )
        if verdict.outcome is EventOutcome.APPLIED and event.slots:
            requests += self._offer_slots(event.slots, now)
        self._state.notifications.extend(records)
        receipt.notifications = [r.key for r in records]
        self._enqueue(requests, entry)
        workflow.logger.info(
            "carrier event",
            extra={
                "event_id": event.event_id,
                "outcome": verdict.outcome.value,
                "status": self._state.status.value,
            },
        )
        self._show()
        return receipt

    async def _publish(self, update: LedgerUpdate) -> None:
        """Record the change and send its messages; settle each message with the ledger's word."""
        for request in update.notifications:
            self._record(request.key).status = NotificationStatus.SENDING
        if not self._ledger_has_shipment:
            update = update.model_copy(update={"shipment": self._state.shipment})
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
        except ActivityError as err:  # only non-retryable failures reach here
            results = [
                SendResult(key=r.key, status=NotificationStatus.FAILED, error=str(err.cause or err))
                for r in update.notifications
            ]
        now = workflow.now()
        fallbacks: list[NotificationRequest] = []
        for result in results:
            record = self._record(result.key)
            record.status = result.status
            record.provider = result.provider
            record.provider_message_id = result.provider_message_id
            record.error = result.error
            record.segments, record.cost = result.segments, result.cost
            record.settled_at = now
            if result.status is NotificationStatus.FAILED and result.permanent:
                requests, records = channel_fallback(self._state, record, now)
                self._state.notifications.extend(records)
                fallbacks += requests
        if fallbacks:
            self._enqueue(fallbacks)

    def _enqueue(
        self, requests: list[NotificationRequest], entry: TimelineEntry | None = None
    ) -> None:
        """Queue a change for the ledger activity, with the shipment's status as it is now."""
        self._outbox.append(
            LedgerUpdate(
                shipment_ref=self._state.shipment.workflow_id,
                status=self._state.status,
                status_at=self._state.status_since,
                closed=self._state.status in FINAL_STATUSES,
                entry=entry,
                notifications=requests,
            )
        )

    def _record(self, key: str) -> NotificationRecord:
        return next(n for n in self._state.notifications if n.key == key)

    @staticmethod
    def _publish_summary(update: LedgerUpdate) -> str:
        what = ", ".join(e.event.event_id for e in update.timeline) or "start"
        kinds = ", ".join(f"{n.kind.value}/{n.channel.value}" for n in update.notifications)
        return f"record {what} ({update.status.value})" + (f"; send {kinds}" if kinds else "")

    def _finished(self) -> bool:
        """Final, recorded, and nothing more scheduled (a thank-you may still be due)."""
        return (
            self._state.status in FINAL_STATUSES and not self._outbox and self._next_due() is None
        )

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._limits.history_events
        )

    def _waiting_for(self) -> list[Waiting]:
        waiting: list[Waiting] = []
        if self._outbox:
            pending = sum(len(u.notifications) for u in self._outbox)
            waiting.append(
                Waiting(
                    what=f"recording {len(self._outbox)} change(s), sending {pending} message(s)"
                )
            )
        waiting += [
            Waiting(what=f"timer: {t.label} ({t.reason})", until=t.due_at)
            for t in timers(self._state)
        ]
        waiting += [
            Waiting(
                what=f"deferred: {n.kind.value} by {n.channel.value} (quiet hours)", until=n.due_at
            )
            for n in self._deferred()
        ]
        if self._state.status not in FINAL_STATUSES:
            waiting.append(Waiting(what="next carrier event", until=self._state.estimated_delivery))
        return waiting

    def _show(self) -> None:
        """Keep the UI's search attributes and current details in step with the state.

        Only changed attributes are upserted: each upsert is a history event.
        """
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
        if workflow.patched(PENDING_TIMERS_ATTRIBUTE):
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
