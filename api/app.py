"""The FastAPI application: routers for shops, carriers, providers and customers, on one set of
services (Temporal client, ledger, link signer) built at start-up.

`create_app()` is what `waypost api`, `waypost dev` and the tests serve; OpenAPI is at /docs.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.ledger import Ledger, make_engine
from activities.links import TrackingLinks, load_secret
from api import carrier_hooks, health, provider_hooks, shops
from api.services import Services
from api.tracking import routes as tracking
from models.migrations import upgrade_database
from models.settings import Settings, get_settings
from starters.client import connect

log = structlog.get_logger("waypost.api")

RETRY_AFTER_SECONDS = 5

DESCRIPTION = """\
Waypost keeps a shop's customers informed about their parcels.

* **Shops** start a shipment's notifications, read its state and cancel it before dispatch,
  authenticated with their API key (`Authorization: Bearer <key>`).
* **Carriers** post status events to their adapter's webhook, signed with their secret; the
  answer says, per event, what was accepted and what was refused and why.
* **Twilio and SendGrid** report what became of each message (signed callbacks).
* **Customers** open their tracking page from the link in their messages: `/t/{token}`.
"""


async def build_services(settings: Settings, client: Client | None = None) -> Services:
    """Connect lazily and migrate if the ledger answers: the service starts while Temporal or
    the database is still down, and /readyz says so until they are up."""
    try:
        upgrade_database(settings.ledger_url)
    except OperationalError as err:
        log.error("ledger unreachable at start-up; /readyz reports it", error=type(err).__name__)
    secret = load_secret(settings)
    return Services(
        settings=settings,
        client=client or await connect(settings, lazy=True),
        ledger=Ledger(make_engine(settings.ledger_url)),
        links=TrackingLinks.from_settings(settings),
        secret=secret,
    )


def create_app(settings: Settings | None = None, *, client: Client | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = await build_services(settings, client)
        app.state.services = svc
        if not settings.shop_api_keys:
            log.warning("no shop API keys configured: the shop API refuses every request")
        try:
            yield
        finally:
            svc.ledger.engine.dispose()

    app = FastAPI(
        title="Waypost",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    for router in (
        shops.router,
        carrier_hooks.router,
        provider_hooks.router,
        tracking.router,
        health.router,
    ):
        app.include_router(router)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(RPCError, _temporal_unavailable)
    app.add_exception_handler(RuntimeError, _temporal_unreachable)
    app.add_exception_handler(OperationalError, _database_unavailable)
    return app


class AsciiJSONResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: a 422 echoes what was sent, and a lone
    surrogate (from a "\\ud800" escape) cannot be encoded as UTF-8 but can be written as \\ud800."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


async def _invalid_request(request: Request, err: Exception) -> JSONResponse:
    """FastAPI's own 422 (the errors, each naming its field), rendered so it never fails."""
    assert isinstance(err, RequestValidationError)
    detail = jsonable_encoder(err.errors())
    return AsciiJSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


def _unavailable(what: str) -> JSONResponse:
    return JSONResponse(
        {"detail": f"{what} is unavailable; nothing was changed, try again shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _temporal_unavailable(request: Request, err: Exception) -> JSONResponse:
    """Temporal not answering is a 503 with Retry-After, never a 500: the caller retries."""
    if isinstance(err, RPCError) and err.status in (
        RPCStatusCode.UNAVAILABLE,
        RPCStatusCode.DEADLINE_EXCEEDED,
    ):
        log.warning("temporal unavailable", path=request.url.path, error=err.message)
        return _unavailable("Temporal")
    raise err


async def _temporal_unreachable(request: Request, err: Exception) -> JSONResponse:
    """A lazy client that cannot connect raises RuntimeError("Failed client connect: ...")."""
    if str(err).startswith("Failed client connect"):
        log.warning("temporal unreachable", path=request.url.path)
        return _unavailable("Temporal")
    raise err


async def _database_unavailable(request: Request, err: Exception) -> JSONResponse:
    log.warning("ledger database unavailable", path=request.url.path, error=type(err).__name__)
    return _unavailable("The ledger database")
