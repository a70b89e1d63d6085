"""A shop's own settings: `GET /v1/shop` and `PATCH /v1/shop` (its profile in the registry).

The shop is its key's; there is no path naming a shop, so a key reads and changes its own
settings and never another's. The webhook secret is never answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api.auth import Shop
from api.services import Services, services
from ledger.shops import RegistryError
from ledger.views import ShopView
from models.shop import ShopProfile, patched_profile

router = APIRouter(prefix="/v1/shop", tags=["shops"])


class ShopSettings(BaseModel):
    shop_id: str
    profile: ShopProfile
    updated_at: datetime

    @classmethod
    def of(cls, view: ShopView) -> ShopSettings:
        return cls(shop_id=view.shop.shop_id, profile=view.shop.profile, updated_at=view.updated_at)


class Problem(BaseModel):
    detail: str


def _not_registered(shop_id: str) -> HTTPException:
    return HTTPException(
        status.HTTP_404_NOT_FOUND,
        f"shop {shop_id} has no profile in the registry (`waypost shop create {shop_id}`)",
    )


@router.get(
    "",
    response_model=ShopSettings,
    summary="The shop's own settings",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def read_settings(shop_id: Shop, svc: Annotated[Services, Depends(services)]) -> ShopSettings:
    view = await svc.db(svc.ledger.shop, shop_id)
    if view is None:
        raise _not_registered(shop_id)
    return ShopSettings.of(view)


@router.patch(
    "",
    response_model=ShopSettings,
    summary="Change the shop's profile (JSON Merge Patch: `null` resets a field)",
    responses={401: {"model": Problem}, 404: {"model": Problem}},
)
async def update_settings(
    patch: Annotated[dict[str, Any], Body(description="Fields of the profile to change.")],
    shop_id: Shop,
    svc: Annotated[Services, Depends(services)],
) -> ShopSettings:
    view = await svc.db(svc.ledger.shop, shop_id)
    if view is None:
        raise _not_registered(shop_id)
    try:
        profile = patched_profile(view.shop.profile, patch)
    except ValidationError as err:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]
        ) from err
    try:
        updated = await svc.db(svc.shops.update, shop_id, profile)
    except RegistryError as err:  # removed meanwhile
        raise _not_registered(shop_id) from err
    return ShopSettings.of(updated)
