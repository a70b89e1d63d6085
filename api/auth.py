"""Shop authentication: one API key per shop, sent as a bearer token.

The shop is known from its key alone, and every shop route derives the workflow id from that
shop, so a key can never reach another shop's shipments.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.services import Services, services

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ShopApiKey",
    description="The shop's API key (WAYPOST_SHOP_API_KEYS), as `Authorization: Bearer <key>`.",
)


def shop_for_key(keys: dict[str, str], presented: str) -> str | None:
    """The shop whose key this is. Every key is compared, in constant time, so the answer's
    timing tells nothing about which shops exist or how much of a key was right."""
    found = None
    for shop_id, key in keys.items():
        if hmac.compare_digest(key.encode(), presented.encode()):
            found = shop_id
    return found


def current_shop(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    svc: Annotated[Services, Depends(services)],
) -> str:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing API key: send `Authorization: Bearer <your shop's key>`",
            headers=challenge,
        )
    keys = {shop: key.get_secret_value() for shop, key in svc.settings.shop_api_keys.items()}
    shop_id = shop_for_key(keys, credentials.credentials)
    if shop_id is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown API key", headers=challenge)
    return shop_id


Shop = Annotated[str, Depends(current_shop)]
