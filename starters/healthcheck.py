"""`waypost healthcheck ...`: probes for container health checks (exit 0 healthy, 1 not).

A worker serves no HTTP, so its probe asks Temporal instead: a worker is healthy when it polls
its task queue. Temporal knows each poller by identity, `<pid>@<hostname>` for the Python SDK,
and a container's hostname is its own, so the probe finds the worker of the container it runs in.
"""

from __future__ import annotations

import asyncio
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from pydantic import BaseModel
from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from infra.settings import get_settings

healthcheck_app = typer.Typer(
    help="Health probes for containers: exit 0 when healthy, 1 (with the reason) when not.",
    no_args_is_help=True,
)

POLL_MAX_AGE = timedelta(minutes=2)
"""A poll is a long poll of up to about a minute, so a healthy idle worker's last one may be
that old; two minutes leaves room for one slow round trip."""


class Poller(BaseModel):
    identity: str
    last_access: datetime


def polling_here(
    pollers: Iterable[Poller], host: str, now: datetime, max_age: timedelta = POLL_MAX_AGE
) -> Poller | None:
    """The most recent poller from `host` seen within `max_age`, if any."""
    mine = [
        p
        for p in pollers
        if p.identity.rpartition("@")[2] == host and now - p.last_access <= max_age
    ]
    return max(mine, key=lambda p: p.last_access, default=None)


async def task_queue_pollers(client: Client, task_queue: str) -> list[Poller]:
    """Workflow-task pollers Temporal has seen recently on the task queue."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        ),
        timeout=timedelta(seconds=5),
    )
    return [
        Poller(identity=p.identity, last_access=p.last_access_time.ToDatetime(tzinfo=UTC))
        for p in response.pollers
    ]


@healthcheck_app.command("worker")
def worker_health() -> None:
    """Healthy when a worker on this host polls the configured task queue.

    Asks Temporal, so a worker cut off from Temporal is unhealthy too; its last poll must be at
    most two minutes old.
    """
    from infra.connection import connect

    # The probe runs beside the worker, with its environment: it must not try to serve the
    # worker's metrics port too.
    settings = get_settings().model_copy(update={"metrics_bind": ""})
    host = socket.gethostname()

    async def go() -> list[Poller]:
        return await task_queue_pollers(await connect(settings), settings.task_queue)

    try:
        pollers = asyncio.run(go())
    except Exception as err:  # any failure to ask is "unhealthy", with its reason
        where = settings.temporal_address
        typer.echo(f"unhealthy: cannot ask Temporal at {where}: {err}", err=True)
        raise typer.Exit(1) from None
    found = polling_here(pollers, host, datetime.now(UTC))
    if found is None:
        typer.echo(
            f"unhealthy: no worker on {host} polled task queue {settings.task_queue!r} in the "
            f"last {int(POLL_MAX_AGE.total_seconds())} s",
            err=True,
        )
        raise typer.Exit(1)
    typer.echo(f"healthy: {found.identity} polls {settings.task_queue!r}")


@healthcheck_app.command("url")
def url_health(
    url: Annotated[str, typer.Argument(help="e.g. http://127.0.0.1:8000/healthz")],
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the answer.")] = 5.0,
) -> None:
    """Healthy when the URL answers 2xx or 3xx (for services whose image has no curl)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as err:
        status = err.code
    except (urllib.error.URLError, OSError) as err:
        typer.echo(f"unhealthy: {url} does not answer: {err}", err=True)
        raise typer.Exit(1) from None
    if status >= 400:
        typer.echo(f"unhealthy: {url} answered {status}", err=True)
        raise typer.Exit(1)
    typer.echo(f"healthy: {url} answered {status}")
