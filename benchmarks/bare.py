"""The reference: the simplest workflow of the same shape as a shipment. It receives four
events as signals and runs one no-op activity per event; nothing else."""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

EVENTS_PER_LIFECYCLE = 4


@activity.defn(name="bare_noop")
def bare_noop(event: str) -> str:
    return event


@workflow.defn
class BareShipmentWorkflow:
    def __init__(self) -> None:
        self._events: list[str] = []

    @workflow.signal
    def event(self, name: str) -> None:
        self._events.append(name)

    @workflow.run
    async def run(self) -> int:
        done = 0
        while done < EVENTS_PER_LIFECYCLE:
            await workflow.wait_condition(lambda: len(self._events) > done)  # noqa: B023
            await workflow.execute_activity(
                bare_noop, self._events[done], start_to_close_timeout=timedelta(seconds=30)
            )
            done += 1
        return done
