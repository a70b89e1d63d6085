"""The shop registry's write side: shops, their profiles, and their API keys.

A key is 32 random bytes, shown once when it is made and stored only as its SHA-256 (a slow
password hash buys nothing against a key that cannot be guessed) with a short prefix a human
recognises it by. Looking a key up hashes what was presented, finds the row by its hash and
compares the hashes in constant time. Its last use is written at most once a minute, so an
authenticated request usually costs one indexed read and no write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ledger.engine import Transactions
from ledger.schema import ShopApiKey, ShopRow
from ledger.views import ApiKeyView, LedgerReader, ShopView
from models.shop import ShopProfile

__all__ = [
    "KEY_PREFIX",
    "TOUCH_EVERY",
    "KnownKey",
    "NewKey",
    "RegistryError",
    "ShopRegistry",
    "key_hash",
    "key_prefix",
    "new_api_key",
    "new_webhook_secret",
    "touch_due",
]

KEY_PREFIX = "wp_"
"""Every registry key starts with it, so a leaked one is recognisable (secret scanners)."""
PREFIX_LENGTH = len(KEY_PREFIX) + 8
TOUCH_EVERY = timedelta(minutes=1)
"""A key's `last_used_at` is at most this stale: precise enough to see a key is unused."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_prefix(key: str) -> str:
    """What `waypost shop key ...` shows of a key: enough to tell keys apart, useless to use."""
    return key[:PREFIX_LENGTH]


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def touch_due(last_used_at: datetime | None, now: datetime) -> bool:
    return last_used_at is None or now - last_used_at >= TOUCH_EVERY


class RegistryError(Exception):
    """A registry change refused: the message says why, naming no secret."""


@dataclass(frozen=True)
class NewKey:
    key: str
    """The key itself: shown once, to the one who created it, then never again."""
    view: ApiKeyView


@dataclass(frozen=True)
class KnownKey:
    shop_id: str
    key_id: int


class ShopRegistry:
    """Writes to the registry over one engine; each method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.reader = LedgerReader(engine)
        self._tx = Transactions(engine)

    def create(self, shop_id: str, profile: ShopProfile, now: datetime | None = None) -> ShopView:
        moment = now or _utcnow()
        try:
            with self._tx.begin() as conn:
                conn.execute(
                    insert(ShopRow).values(
                        shop_id=shop_id,
                        profile=profile.model_dump_json(exclude_defaults=True),
                        webhook_secret=new_webhook_secret(),
                        created_at=moment,
                        updated_at=moment,
                    )
                )
        except IntegrityError as err:
            raise RegistryError(f"shop {shop_id} exists already") from err
        return self._shop(shop_id)

    def update(self, shop_id: str, profile: ShopProfile, now: datetime | None = None) -> ShopView:
        with self._tx.begin() as conn:
            done = conn.execute(
                update(ShopRow)
                .where(ShopRow.shop_id == shop_id)
                .values(
                    profile=profile.model_dump_json(exclude_defaults=True),
                    updated_at=now or _utcnow(),
                )
            )
        if done.rowcount == 0:
            raise RegistryError(f"no shop {shop_id}")
        return self._shop(shop_id)

    def create_key(self, shop_id: str, name: str, now: datetime | None = None) -> NewKey:
        if self.reader.shop(shop_id) is None:
            raise RegistryError(f"no shop {shop_id}")
        key = new_api_key()
        try:
            with self._tx.begin() as conn:
                key_id = conn.execute(
                    insert(ShopApiKey)
                    .values(
                        shop_id=shop_id,
                        name=name,
                        key_hash=key_hash(key),
                        prefix=key_prefix(key),
                        created_at=now or _utcnow(),
                    )
                    .returning(ShopApiKey.id)
                ).scalar_one()
        except IntegrityError as err:
            raise RegistryError(f"shop {shop_id} has a key named {name!r} already") from err
        view = next(k for k in self.reader.api_keys(shop_id) if k.id == key_id)
        return NewKey(key=key, view=view)

    def revoke_key(
        self, shop_id: str, prefix_or_name: str, now: datetime | None = None
    ) -> ApiKeyView:
        """Revoke the shop's one live key with this name or prefix; it is refused from then on."""
        live = [k for k in self.reader.api_keys(shop_id) if k.revoked_at is None]
        matches = [k for k in live if prefix_or_name in (k.name, k.prefix)]
        if not matches:
            raise RegistryError(f"shop {shop_id} has no live key {prefix_or_name} (name or prefix)")
        if len(matches) > 1:
            names = ", ".join(f"{k.name} ({k.prefix})" for k in matches)
            raise RegistryError(f"{prefix_or_name} is more than one key: {names}")
        with self._tx.begin() as conn:
            conn.execute(
                update(ShopApiKey)
                .where(ShopApiKey.id == matches[0].id, ShopApiKey.revoked_at.is_(None))
                .values(revoked_at=now or _utcnow())
            )
        return next(k for k in self.reader.api_keys(shop_id) if k.id == matches[0].id)

    def authenticate(self, presented: str, now: datetime | None = None) -> KnownKey | None:
        """The live key that `presented` is, its last use recorded (at most once a minute)."""
        if not presented.startswith(KEY_PREFIX):
            return None  # not a registry key: nothing to look up
        digest = key_hash(presented)
        with self._tx.read() as conn:
            row = conn.execute(
                select(
                    ShopApiKey.id, ShopApiKey.shop_id, ShopApiKey.key_hash, ShopApiKey.last_used_at
                ).where(ShopApiKey.key_hash == digest, ShopApiKey.revoked_at.is_(None))
            ).one_or_none()
        if row is None or not hmac.compare_digest(row.key_hash, digest):
            return None
        moment = now or _utcnow()
        if touch_due(row.last_used_at, moment):
            self._touch(row.id, moment)
        return KnownKey(shop_id=row.shop_id, key_id=row.id)

    def webhook_secret(self, shop_id: str) -> str | None:
        """The secret the shop's webhooks are signed with (`whsec_` and base64, Standard
        Webhooks): read only for the shop itself (`GET /v1/shop/webhook-secret`) or its
        operator (`waypost shop webhook secret`), never logged."""
        with self._tx.read() as conn:
            secret: str | None = conn.execute(
                select(ShopRow.webhook_secret).where(ShopRow.shop_id == shop_id)
            ).scalar_one_or_none()
        return secret

    def _touch(self, key_id: int, now: datetime) -> None:
        """Conditional, so racing requests write once a minute at most between them."""
        with self._tx.begin() as conn:
            conn.execute(
                update(ShopApiKey)
                .where(
                    ShopApiKey.id == key_id,
                    or_(
                        ShopApiKey.last_used_at.is_(None),
                        ShopApiKey.last_used_at <= now - TOUCH_EVERY,
                    ),
                )
                .values(last_used_at=now)
            )

    def _shop(self, shop_id: str) -> ShopView:
        found = self.reader.shop(shop_id)
        assert found is not None
        return found
