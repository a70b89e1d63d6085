"""A shop's webhook endpoint on 127.0.0.1: every request verified with the Standard Webhooks
library's own `Webhook.verify`, one secret per shop (`/hooks/<shop_id>`), as a shop's server
would. Verified deliveries and refused requests are kept for the test to read; it can be told to
refuse (any status) or to be slow, and stopped and started again on the same port (down, then
up)."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from testing.http_fake import FakeHttpServer, Incoming, Reply

__all__ = ["Delivered", "ShopWebhookReceiver", "free_port"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Delivered:
    """One verified delivery: the shop it was for, the Standard Webhooks headers, the body."""

    shop_id: str
    webhook_id: str
    timestamp: str
    signature: str
    body: dict[str, Any]
    raw: bytes

    @property
    def type(self) -> str:
        return str(self.body["type"])

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.body["data"]
        return data


class ShopWebhookReceiver(FakeHttpServer[int]):
    def __init__(self, port: int = 0) -> None:
        super().__init__(port)
        self.secrets: dict[str, str] = {}
        self.delivered: list[Delivered] = []
        self.refused: list[str] = []
        """Why each refused request was refused (a bad signature, an unknown shop)."""
        self.requests = 0
        self._refusals: list[tuple[str | None, int]] = []
        self._arrived = threading.Condition()

    def url_for(self, shop_id: str) -> str:
        """The shop's endpoint (known before the server starts when its port was given)."""
        base = self.url if self.port == 0 else f"http://127.0.0.1:{self.port}"
        return f"{base}/hooks/{shop_id}"

    def refuse_next(self, status: int = 503, times: int = 1, event_type: str | None = None) -> None:
        """Answer the next `times` deliveries (of `event_type`, or any) with `status`, after
        verifying them."""
        with self._lock:
            self._refusals.extend([(event_type, status)] * times)

    def _take_refusal(self, event_type: str) -> int | None:
        with self._lock:
            for index, (wanted, status) in enumerate(self._refusals):
                if wanted is None or wanted == event_type:
                    del self._refusals[index]
                    return status
        return None

    def handle(self, request: Incoming) -> Reply | None:
        with self._lock:
            self.requests += 1
        if not self._pause(self._take_hang()):
            return None
        shop_id = request.path.removeprefix("/hooks/")
        secret = self.secrets.get(shop_id)
        if request.method != "POST" or secret is None:
            return self._refuse(404, f"no endpoint {request.path}")
        try:
            body = Webhook(secret).verify(request.body, dict(request.headers))
        except WebhookVerificationError as err:
            return self._refuse(400, f"{shop_id}: {err}")
        failure = self._take_refusal(str(body.get("type")))
        if failure is not None:
            return Reply.json(failure, {"error": "scripted"})
        delivered = Delivered(
            shop_id=shop_id,
            webhook_id=request.headers["webhook-id"],
            timestamp=request.headers["webhook-timestamp"],
            signature=request.headers["webhook-signature"],
            body=body,
            raw=request.body,
        )
        with self._arrived:
            self.delivered.append(delivered)
            self._arrived.notify_all()
        return Reply(204)

    def _refuse(self, status: int, why: str) -> Reply:
        with self._lock:
            self.refused.append(why)
        return Reply(status, json.dumps({"error": why}).encode())

    def of(self, shop_id: str, event_type: str | None = None) -> list[Delivered]:
        with self._lock:
            return [
                d
                for d in self.delivered
                if d.shop_id == shop_id and (event_type is None or d.type == event_type)
            ]

    def wait_for(
        self, shop_id: str, event_type: str, *, count: int = 1, timeout: float = 15.0
    ) -> list[Delivered]:
        """Block until `count` verified deliveries of `event_type` reached `shop_id`."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.of(shop_id, event_type)) >= count, timeout)
        found = self.of(shop_id, event_type)
        if len(found) < count:
            seen = [d.type for d in self.of(shop_id)]
            raise AssertionError(
                f"{len(found)} of {count} {event_type} reached {shop_id} in {timeout}s; "
                f"it got {seen}, refused {self.refused}"
            )
        return found
