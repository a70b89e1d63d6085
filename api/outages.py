"""Which failures mean "a dependency cannot answer now" (503 with Retry-After), never a 500.

Temporal unreachable or timing out, Temporal refusing more work on one workflow (its limit of
2,000 updates per run answers FAILED_PRECONDITION until the workflow has continued as new, which
it does within seconds; a server under load answers RESOURCE_EXHAUSTED), a query no worker is
there to answer, the ledger's database gone: the caller's request was fine and the same request
will succeed later.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import OperationalError
from temporalio.client import WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError, RPCStatusCode

RETRY_AFTER_SECONDS = 5

QUERY_TIMEOUT = timedelta(seconds=10)
"""A query waits for a worker to answer it: a request of the HTTP service waits no longer than
this (then 503), so none hangs on a shipment whose worker is gone."""

_UNAVAILABLE = (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED)


def unavailable(err: BaseException) -> str | None:
    """What is unavailable, worded for the answer, or None when `err` is something else."""
    if isinstance(err, RPCError):
        if err.status in _UNAVAILABLE:
            return "Temporal is unavailable"
        if err.status is RPCStatusCode.RESOURCE_EXHAUSTED:
            return "Temporal is at a limit (too much in flight)"
        if err.status is RPCStatusCode.FAILED_PRECONDITION and "limit" in err.message:
            return "the shipment took all the events one run takes; its next run starts in seconds"
        if err.status is RPCStatusCode.FAILED_PRECONDITION and "no poller" in err.message:
            return "no worker is running shipments just now"
        if err.status is RPCStatusCode.CANCELLED:
            return "Temporal did not answer in time"  # our rpc_timeout ran out
        return None
    if isinstance(err, WorkflowUpdateRPCTimeoutOrCancelledError):
        return "Temporal did not answer in time"
    if isinstance(err, RuntimeError) and str(err).startswith("Failed client connect"):
        return "Temporal is unreachable"  # a lazy client that cannot connect
    if isinstance(err, OperationalError):
        return "the ledger database is unavailable"
    return None
