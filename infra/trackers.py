"""Which tracking service creates a shipment's tracker, and with whose key: read from the
settings by whoever starts a shipment (the plan travels in the workflow's input) and by the
worker's activities (the key, looked up by shop, never enters a workflow's history).

The rule: a shop listed in `shop_tracker_keys` uses its own account (EasyPost first when it has
both); any other shop uses the deployment's (EasyPost first). No key: no plan, and the shipment
runs exactly as before (no activity, no timer).
"""

from __future__ import annotations

from pydantic import SecretStr

from infra.settings import Settings
from models.tracking import TrackerMode, TrackerPlan, TrackerService

PREFERENCE = (TrackerService.EASYPOST, TrackerService.SHIPPO)


def deployment_keys(settings: Settings) -> dict[TrackerService, SecretStr]:
    keys = {
        TrackerService.EASYPOST: settings.easypost_api_key,
        TrackerService.SHIPPO: settings.shippo_api_token,
    }
    return {service: key for service, key in keys.items() if key is not None}


def tracker_mode(settings: Settings, service: TrackerService) -> TrackerMode:
    if service is TrackerService.EASYPOST:
        return settings.easypost_tracker_mode
    return settings.shippo_tracker_mode


def tracker_plan(settings: Settings, shop_id: str) -> TrackerPlan | None:
    """The tracker this shop's new shipments get, or None (the shop makes its own)."""
    own = settings.shop_tracker_keys.get(shop_id) or {}
    keys = own or deployment_keys(settings)
    for service in PREFERENCE:
        if service in keys:
            return TrackerPlan(
                service=service, mode=tracker_mode(settings, service), shop_account=bool(own)
            )
    return None


def tracker_key(settings: Settings, shop_id: str, plan: TrackerPlan) -> SecretStr | None:
    """The key the plan was made with (None: removed since the shipment started)."""
    keys = settings.shop_tracker_keys.get(shop_id, {}) if plan.shop_account else {}
    return keys.get(plan.service) or (
        None if plan.shop_account else deployment_keys(settings).get(plan.service)
    )


def api_base(settings: Settings, service: TrackerService) -> str:
    if service is TrackerService.EASYPOST:
        return settings.easypost_api_base
    return settings.shippo_api_base
