"""Serving the app with uvicorn inside a running event loop, beside the worker (`waypost dev`)
or alone (`waypost api`); the caller's stop event decides when it ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from temporalio.client import Client

from api.app import create_app
from infra.serving import serving
from infra.settings import Settings


@contextlib.asynccontextmanager
async def running_api(
    settings: Settings, client: Client, *, warn_unencrypted: bool = True
) -> AsyncIterator[str]:
    """The HTTP service, started and answering; yields its local URL. Leaving the block lets
    in-flight requests finish."""
    async with serving(
        create_app(settings, client=client, warn_unencrypted=warn_unencrypted),
        host=settings.api_host,
        port=settings.api_port,
        name="HTTP service",
        port_setting="WAYPOST_API_PORT",
        lifespan="on",
    ):
        yield f"http://{settings.api_host}:{settings.api_port}"
