"""Where each request body limit of the HTTP service applies, and who may send a body there.

The table is README's "Hostile input: request bodies"; `infra.limits` enforces it while bodies
stream in. The limits an operator may need to raise (a carrier's whole tracker, SendGrid's
batches) are settings; the others are far above what their routes ever legitimately receive.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import Scope

from api.auth import admit_shop
from api.services import Services
from carriers import ADAPTERS
from infra.limits import BodyRule, KiB
from infra.settings import Settings
from infra.telemetry import app_metrics
from ledger.shops import ShopRegistry

SHOP_API_LIMIT = 64 * KiB
"""A shipment with a pickup point, slots and a full policy is a few KiB."""
SHOP_SETTINGS_LIMIT = 16 * KiB
"""A shop's profile with a full default policy is a few KiB."""
CALL_LIMIT = 8 * KiB
"""A call: a few short fields and a note of at most 500 characters."""
TWILIO_LIMIT = 64 * KiB
"""A status callback or an SMS reply: a form of a few dozen short fields."""
TRACKING_FORM_LIMIT = 8 * KiB
"""The tracking page's forms: one small field."""
DEFAULT_LIMIT = 4 * KiB
"""Everything else (health checks, docs) takes no body at all."""

DEFAULT_RULE = BodyRule("this endpoint", "/", DEFAULT_LIMIT)


def body_rules(
    settings: Settings, registry: Callable[[], ShopRegistry | None] = lambda: None
) -> list[BodyRule]:
    """`registry`: the shop registry once the app has built it (keys are looked up there)."""
    admit = admit_shop(settings.shop_api_keys, registry)
    return [
        BodyRule("the shop API", "/v1/shipments", SHOP_API_LIMIT, admit=admit),
        BodyRule("the shop's settings", "/v1/shop", SHOP_SETTINGS_LIMIT, admit=admit),
        BodyRule(
            "carrier webhooks",
            "/v1/carriers",
            settings.carrier_max_body_bytes,
            on_too_large=count_carrier_refusal,
        ),
        BodyRule("Twilio callbacks", "/v1/twilio", TWILIO_LIMIT),
        BodyRule("a shop's call", "/v1/shipments/*/calls", CALL_LIMIT, admit=admit),
        BodyRule(
            "a carrier's call",
            "/v1/carriers/*/shops/*/calls",
            CALL_LIMIT,
            on_too_large=count_carrier_refusal,
        ),
        BodyRule("SendGrid events", "/v1/sendgrid", settings.sendgrid_max_body_bytes),
        BodyRule("the tracking page's forms", "/t", TRACKING_FORM_LIMIT),
        BodyRule("one-click unsubscribe", "/u", TRACKING_FORM_LIMIT),
    ]


def count_carrier_refusal(scope: Scope) -> None:
    """`waypost_carrier_requests_refused{reason="too_large"}`, as the route counts its own
    refusals; only for known adapters, so a path cannot mint label values."""
    parts = scope["path"].split("/")  # "", "v1", "carriers", <adapter>, "events"
    app = scope.get("app")
    if len(parts) < 4 or parts[3] not in ADAPTERS or app is None:
        return
    svc: Services | None = getattr(app.state, "services", None)
    if svc is not None:
        app_metrics(svc.client).carrier_request_refused(parts[3], "too_large")
