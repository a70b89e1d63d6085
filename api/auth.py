"""Shop authentication: the shop's API key, sent as a bearer token.

A key is either one of the registry's (`waypost shop key create`: several per shop, named,
revocable, stored as hashes, `ledger.shops`) or the environment's bootstrap
(`WAYPOST_SHOP_API_KEYS`, for the demo and compose). The shop is known from its key alone, and
every shop route derives the workflow id and the settings it reads from that shop, so a key can
never reach another shop's shipments or settings.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from pydantic import SecretStr
from starlette.datastructures import Headers

from api.services import Services, services
from infra.limits import Refusal
from ledger.shops import ShopRegistry

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ShopApiKey",
    description="The shop's API key (`waypost shop key create`, or WAYPOST_SHOP_API_KEYS), as "
    "`Authorization: Bearer <key>`.",
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
    """The shop whose environment key is the bearer token `presented` (None: none was sent)."""
    if presented is None:
        raise KeyRefused("missing API key: send `Authorization: Bearer <your shop's key>`")
    plain = {shop: key.get_secret_value() for shop, key in keys.items()}
    shop_id = shop_for_key(plain, presented)
    if shop_id is None:
        raise KeyRefused("unknown API key")
    return shop_id


async def identify(
    keys: Mapping[str, SecretStr], registry: ShopRegistry | None, presented: str | None
) -> str:
    """The shop whose key `presented` is: the environment's bootstrap keys first (no database
    round trip), then the registry's live keys (its last use recorded)."""
    try:
        return authenticate(keys, presented)
    except KeyRefused:
        if presented is None or registry is None:
            raise
    known = await asyncio.to_thread(registry.authenticate, presented)
    if known is None:
        raise KeyRefused("unknown API key")
    return known.shop_id


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, read as `HTTPBearer` reads it."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


def admit_shop(
    keys: Mapping[str, SecretStr], registry: Callable[[], ShopRegistry | None]
) -> Callable[[Headers], Awaitable[Refusal | None]]:
    """The shop API's check in the body-limit middleware: FastAPI reads (and validates) a
    declared body before it resolves any dependency, so without this an unauthenticated client
    would have its body read before `current_shop` refuses it. `registry` is asked per request:
    the app builds it at start-up, after the middleware."""

    async def admit(headers: Headers) -> Refusal | None:
        try:
            await identify(keys, registry(), bearer_token(headers.get("authorization")))
        except KeyRefused as refused:
            return Refusal(status.HTTP_401_UNAUTHORIZED, str(refused), CHALLENGE)
        return None

    return admit


async def current_shop(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    svc: Annotated[Services, Depends(services)],
) -> str:
    presented = credentials.credentials if credentials else None
    try:
        return await identify(svc.settings.shop_api_keys, svc.shops, presented)
    except KeyRefused as refused:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, str(refused), headers=CHALLENGE
        ) from refused


Shop = Annotated[str, Depends(current_shop)]
