"""The embedded default provider: prints messages instead of sending them.

It lets `make demo` run without any account while the rest of the pipeline (ledger, retries,
statuses) works exactly as with a real provider. Console output ends up in logs like everything
else, whatever the log level, so what it prints is masked as the logs are: the recipient, and in
the subject and body every phone number, email, name the message quotes, pickup code and
tracking-link token. What is left (channel, key with its kind, the wording) is what a demo needs.
"""

from __future__ import annotations

import hashlib
import sys
import threading
from datetime import datetime
from typing import TextIO

from activities.providers.base import NoLookup, OutgoingMessage, PermanentProviderError, Receipt
from infra.masking import mask_address, mask_message
from models.notification import Channel

__all__ = ["ConsoleProvider", "console_message_id"]


def console_message_id(key: str) -> str:
    """A stable id for `key`, so a replayed send reports the same message id."""
    return "console-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


class ConsoleProvider:
    """Prints one readable block per message to `stream` (default: the current sys.stdout)."""

    def __init__(self, channel: Channel, stream: TextIO | None = None) -> None:
        self.channel = channel
        self.name = "console"
        self._stream = stream
        self._lock = threading.Lock()

    def send(self, message: OutgoingMessage) -> Receipt:
        if message.channel is not self.channel:
            raise PermanentProviderError(
                self.name, f"cannot send a {message.channel} message on {self.channel}"
            )
        lines = [
            f"--- {self.channel.value} to {mask_address(message.to)} ---",
            f"key:     {message.key}",
        ]
        if message.subject:
            lines.append(f"subject: {mask_message(message.subject, message.personal)}")
        lines += ["", mask_message(message.body, message.personal), "---", ""]
        stream = self._stream or sys.stdout
        # Activities run in threads: one block must not interleave with another.
        with self._lock:
            stream.write("\n".join(lines))
            stream.flush()
        return Receipt(
            provider=self.name, message_id=console_message_id(message.key), status="sent"
        )

    def find_sent(self, message: OutgoingMessage, since: datetime) -> Receipt | None:
        """A terminal keeps no record: printing a message twice is the console's only risk."""
        raise NoLookup("the console keeps no record of what it printed")
