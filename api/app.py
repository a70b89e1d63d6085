"""The FastAPI application: routers for shops, carriers, providers and customers, on one set of
services (Temporal client, ledger, link signer) built at start-up.

`create_app()` is what `waypost api`, `waypost dev` and the tests serve; OpenAPI is at /docs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from temporalio.client import Client, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from api import (
    calls,
    carrier_hooks,
    health,
    provider_hooks,
    shop_settings,
    shop_webhooks,
    shops,
    unsubscribe,
)
from api.body_rules import DEFAULT_RULE, body_rules
from api.outages import RETRY_AFTER_SECONDS, unavailable
from api.services import Services
from api.tracking import routes as tracking
from infra.connection import connect
from infra.encryption import warn_if_unencrypted
from infra.limits import BodyLimits
from infra.links import TrackingLinks, load_secret
from infra.settings import Settings, get_settings
from infra.telemetry import app_metrics
from ledger.claims import LedgerWriter
from ledger.engine import make_engine
from ledger.migrations import upgrade_database
from ledger.shops import ShopRegistry
from ledger.views import LedgerReader

log = structlog.get_logger("waypost.api")

DESCRIPTION = """\
Waypost keeps a shop's customers informed about their parcels.

* **Shops** start a shipment's notifications, read its state and cancel it before dispatch,
  and read and update their own settings (`/v1/shop`), authenticated with their API key
  (`Authorization: Bearer <key>`).
* **Carriers** post status events to their adapter's webhook, signed with their secret; the
  answer says, per event, what was accepted and what was refused and why.
* **Call centres** (the shop's, with its key; a carrier's, signed) record calls about a
  shipment: `/v1/shipments/{shipment_id}/calls`, `/v1/carriers/{carrier}/shops/{shop_id}/calls`.
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
    client = client or await connect(settings, lazy=True)
    engine = make_engine(settings.ledger_url)
    return Services(
        settings=settings,
        client=client,
        ledger=LedgerReader(engine),
        ledger_writer=LedgerWriter(engine, metrics=app_metrics(client)),
        links=TrackingLinks.from_settings(settings),
        secret=secret,
        shops=ShopRegistry(engine),
    )


def create_app(
    settings: Settings | None = None,
    *,
    client: Client | None = None,
    warn_unencrypted: bool = True,
) -> FastAPI:
    """The HTTP service. `warn_unencrypted` logs at start-up that payloads go to Temporal in
    plain when no payload keys are set; `waypost dev` and `waypost demo` say it their own way."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        svc = await build_services(settings, client)
        app.state.services = svc
        if not settings.shop_api_keys:
            log.info("no bootstrap shop API keys: only the registry's keys are accepted")
        if warn_unencrypted:
            warn_if_unencrypted(settings, "api")
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
        shop_settings.router,
        calls.router,
        shop_webhooks.router,
        carrier_hooks.router,
        provider_hooks.router,
        tracking.router,
        unsubscribe.router,
        health.router,
    ):
        app.include_router(router)

    # Outside every route: bodies are limited (and the shop's key checked) before any is read.
    def registry() -> ShopRegistry | None:
        svc: Services | None = getattr(app.state, "services", None)
        return svc.shops if svc is not None else None

    app.add_middleware(BodyLimits, rules=body_rules(settings, registry), default=DEFAULT_RULE)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for failure in (
        RPCError,
        WorkflowUpdateRPCTimeoutOrCancelledError,
        RuntimeError,
        OperationalError,
    ):
        app.add_exception_handler(failure, _unavailable)
    return app


async def _unavailable(request: Request, err: Exception) -> JSONResponse:
    """A dependency that cannot answer now (api.outages) is a 503 with Retry-After, never a
    500: the caller retries, and every write here is idempotent, so repeating is safe. Batch
    endpoints answer per item themselves, saying which items were applied."""
    what = unavailable(err)
    if what is None:
        raise err
    log.warning("dependency unavailable", path=request.url.path, error=type(err).__name__)
    return JSONResponse(
        {"detail": f"{what}; try again shortly (repeating this request is safe)"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _invalid_request(request: Request, err: Exception) -> JSONResponse:
    """FastAPI's 422, naming each field and what is wrong with it, without echoing the values:
    they may be huge, hold a customer's phone number, or not even be encodable (a lone
    surrogate made the default handler fail with a 500)."""
    assert isinstance(err, RequestValidationError)
    return JSONResponse(
        {"detail": [_problem(e) for e in err.errors()[:MAX_PROBLEMS]]},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


MAX_PROBLEMS = 20
"""Enough to fix a request by; a list of 5,000 bad items is not answered with 5,000 lines."""


def _problem(error: Any) -> dict[str, Any]:
    return {
        "loc": [_printable(part) if isinstance(part, str) else part for part in error["loc"]],
        "msg": _printable(str(error["msg"])),
        "type": error["type"],
    }


def _printable(text: str, limit: int = 200) -> str:
    """Encodable, control characters escaped, cut: safe in any answer and any log."""
    safe = text.encode("utf-8", "backslashreplace").decode("utf-8")
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in safe)
    return safe if len(safe) <= limit else safe[: limit - 1] + "…"
