"""Masks for phone numbers and emails, so logs, errors and the ledger never hold a full address.

A masked value keeps just enough to tell two recipients apart when debugging (the country prefix
and last digits of a phone, the first letter and domain of an email) and nothing to contact them.
Every mask is idempotent: masking masked text changes nothing.
"""

from __future__ import annotations

import re

__all__ = [
    "LINK_TOKEN",
    "mask_address",
    "mask_email",
    "mask_link_tokens",
    "mask_message",
    "mask_phone",
    "mask_text",
    "mask_value",
]

# An email anywhere in text; the local part stops at the characters emails cannot start with.
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An E.164-looking number: "+" then 7 to 15 digits, optionally split by spaces, dots or dashes.
_PHONE = re.compile(r"\+\d(?:[ .-]?\d){6,14}(?!\d)")
LINK_TOKEN = re.compile(r"/t/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")
"""A tracking link's signed token (`/t/<payload>.<signature>`): whoever holds it sees the page."""


def mask_phone(phone: str) -> str:
    """`+447700900123` -> `+44*******123`: the country prefix and last three digits survive."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) <= 6:
        # Too short for a prefix and a tail to leave anything hidden.
        return "+" + "*" * len(digits) if digits else "***"
    return "+" + digits[:2] + "*" * (len(digits) - 5) + digits[-3:]


def mask_email(email: str) -> str:
    """`sam@example.com` -> `s***@example.com`: the domain helps debugging, the name is gone."""
    local, sep, domain = email.strip().rpartition("@")
    if not sep:
        return "***"
    return (local[:1] or "*") + "***@" + domain


def mask_address(address: str) -> str:
    """Mask a recipient of either channel: an email if it has an `@`, else a phone number."""
    return mask_email(address) if "@" in address else mask_phone(address)


def mask_text(text: str) -> str:
    """Mask every email and E.164-looking phone number inside free text (log lines, errors)."""
    masked = _EMAIL.sub(lambda m: mask_email(m.group(0)), text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), masked)


def mask_link_tokens(text: str) -> str:
    """`https://host/t/<token>` -> `https://host/t/***`: the link's place stays, the key to the
    customer's page does not."""
    return LINK_TOKEN.sub("/t/***", text)


def mask_value(value: str) -> str:
    """A known personal value: a phone or email masked as such, anything else (a name, a pickup
    code) down to its first character."""
    if "@" in value:
        return mask_email(value)
    if sum(ch.isdigit() for ch in value) >= 7:
        return mask_phone(value)
    return value.strip()[:1] + "***"


def mask_message(text: str, known: tuple[str, ...] = ()) -> str:
    """A message body fit to print: the `known` personal values it quotes (names, the pickup
    code, in whatever format the template wrote them) masked, then every phone, email and
    tracking-link token."""
    for value in sorted({v.strip() for v in known if len(v.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(value, mask_value(value))
    return mask_link_tokens(mask_text(text))
