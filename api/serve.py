"""Serving the app with uvicorn inside a running event loop, beside the worker (`waypost dev`)
or alone (`waypost api`); the caller's stop event decides when it ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator

import uvicorn
from temporalio.client import Client

from api.app import create_app
from models.settings import Settings
from starters.devserver import port_open


class EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process's SIGTERM/SIGINT handling (shared
    with the worker) stops it, through `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def running_api(settings: Settings, client: Client) -> AsyncIterator[str]:
    """The HTTP service, started and answering; yields its local URL. Leaving the block lets
    in-flight requests finish."""
    host, port = settings.api_host, settings.api_port
    if port_open(host, port):
        raise RuntimeError(
            f"port {port} on {host} is taken: stop what runs there or set WAYPOST_API_PORT"
        )
    config = uvicorn.Config(
        create_app(settings, client=client),
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the HTTP service stopped while starting")
        await asyncio.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
