"""Shop authentication: one API key per shop, sent as a bearer token.

The shop is known from its key alone, and every shop route derives the workflow id from that
shop, so a key can never reach another shop's shipments.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr
from starlette.datastructures import Headers

from api.services import Services, services
from infra.limits import Refusal

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


CHALLENGE = {"WWW-Authenticate": "Bearer"}


class KeyRefused(Exception):
    """The request names no shop; the message says why (never which keys exist)."""


def authenticate(keys: Mapping[str, SecretStr], presented: str | None) -> str:
    """The shop whose key is the bearer token `presented` (None: none was sent)."""
    if presented is None:
        raise KeyRefused("missing API key: send `Authorization: Bearer <your shop's key>`")
    plain = {shop: key.get_secret_value() for shop, key in keys.items()}
    shop_id = shop_for_key(plain, presented)
    if shop_id is None:
        raise KeyRefused("unknown API key")
    return shop_id


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, read as `HTTPBearer` reads it."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


def admit_shop(keys: Mapping[str, SecretStr]) -> Callable[[Headers], Refusal | None]:
    """The shop API's check in the body-limit middleware: FastAPI reads (and validates) a
    declared body before it resolves any dependency, so without this an unauthenticated client
    would have its body read before `current_shop` refuses it."""

    def admit(headers: Headers) -> Refusal | None:
        try:
            authenticate(keys, bearer_token(headers.get("authorization")))
        except KeyRefused as refused:
            return Refusal(status.HTTP_401_UNAUTHORIZED, str(refused), CHALLENGE)
        return None

    return admit


def current_shop(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    svc: Annotated[Services, Depends(services)],
) -> str:
    presented = credentials.credentials if credentials else None
    try:
        return authenticate(svc.settings.shop_api_keys, presented)
    except KeyRefused as refused:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(refused), headers=CHALLENGE
        ) from refused


Shop = Annotated[str, Depends(current_shop)]
