"""Masks for phone numbers and emails, so logs, errors and the ledger never hold a full address.

A masked value keeps just enough to tell two recipients apart when debugging (the country prefix
and last digits of a phone, the first letter and domain of an email) and nothing to contact them.
Every mask is idempotent: masking masked text changes nothing.
"""

from __future__ import annotations

import re

__all__ = ["mask_address", "mask_email", "mask_phone", "mask_text"]

# An email anywhere in text; the local part stops at the characters emails cannot start with.
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An E.164-looking number: "+" then 7 to 15 digits, optionally split by spaces, dots or dashes.
_PHONE = re.compile(r"\+\d(?:[ .-]?\d){6,14}(?!\d)")


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
