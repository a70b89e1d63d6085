"""Billable actions counted from workflow histories by Temporal Cloud's published rules
(https://docs.temporal.io/cloud/actions, "Temporal Cloud Actions"), and the size of a history.
Pure code over history events, so it is unit-tested on hand-made histories.

What a history shows, one action each: a workflow started (by a client, Continue-As-New or a
child start: every run's history opens with its own started event), a signal received, an
update accepted, an activity started or retried (the started event carries the attempt, earlier
attempts leave no event of their own), a timer started, a search attribute upsert (but not one
of TemporalChangeVersion alone, which the Python SDK upserts beside every patch marker), the
execution options updated; a child workflow is two (its start and its execution); every marker
(side effects, local activities, patches) recorded in one workflow task is one action together.

What a history does not show, and so is not counted here: queries (the benchmark sends none),
heartbeats that reached the server (Waypost's publish activity heartbeats before each message;
the SDK sends the first at once, so at least one per activity that sends), rejected updates,
resets, schedules, exports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent

E = EventType
ONE_EACH: Mapping[int, str] = {
    E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "workflow started",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "update",
    E.EVENT_TYPE_TIMER_STARTED: "timer started",
    E.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED: "options updated",
}
EXEMPT_ATTRIBUTES = frozenset({"TemporalChangeVersion"})


def count_actions(events: Iterable[HistoryEvent]) -> Counter[str]:
    """The billable actions of one run's history, by kind."""
    actions: Counter[str] = Counter()
    marker_tasks: set[int] = set()
    for ev in events:
        kind = ONE_EACH.get(ev.event_type)
        if kind is not None:
            actions[kind] += 1
        elif ev.event_type == E.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            actions["activity started"] += max(1, ev.activity_task_started_event_attributes.attempt)
        elif ev.event_type == E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            actions["child workflow"] += 2
        elif ev.event_type == E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            fields = ev.upsert_workflow_search_attributes_event_attributes.search_attributes
            if set(fields.indexed_fields) - EXEMPT_ATTRIBUTES:
                actions["search attribute upsert"] += 1
        elif ev.event_type == E.EVENT_TYPE_MARKER_RECORDED:
            task = ev.marker_recorded_event_attributes.workflow_task_completed_event_id
            if task not in marker_tasks:
                marker_tasks.add(task)
                actions["markers (per workflow task)"] += 1
    return actions


def payload_bytes(message: Message) -> int:
    """The serialized size of every Payload inside `message` (inputs, results, headers...)."""
    if isinstance(message, Payload):
        return message.ByteSize()
    total = 0
    for field, value in message.ListFields():
        kind = field.message_type
        if field.type != FieldDescriptor.TYPE_MESSAGE or kind is None:
            continue
        if kind.GetOptions().map_entry:
            if kind.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE:
                total += sum(payload_bytes(v) for v in value.values())
        elif field.is_repeated:
            total += sum(payload_bytes(v) for v in value)
        else:
            total += payload_bytes(value)
    return total


def history_bytes(events: Iterable[HistoryEvent]) -> int:
    return sum(ev.ByteSize() for ev in events)
