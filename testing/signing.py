"""Sign webhook requests exactly as the providers do, so tests can post genuine-looking callbacks.

SendGrid signs its event webhook with ECDSA P-256: the signature header is the base64 DER
signature of SHA-256 over the timestamp header followed by the raw body, and the public key it
shows in its settings is the base64 DER SubjectPublicKeyInfo, without PEM armour. Twilio signs
its webhooks with HMAC-SHA1 of the URL and the sorted form fields, keyed by the auth token; the
official SDK computes it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from twilio.request_validator import RequestValidator

__all__ = ["sendgrid_key_pair", "sendgrid_signature", "twilio_signature"]


def sendgrid_key_pair() -> tuple[ec.EllipticCurvePrivateKey, str]:
    """A fresh P-256 key pair: the private key, and the public key as SendGrid shows it."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_key, base64.b64encode(der).decode("ascii")


def sendgrid_signature(private_key: ec.EllipticCurvePrivateKey, body: bytes, timestamp: str) -> str:
    """The X-Twilio-Email-Event-Webhook-Signature header SendGrid sends with `body`."""
    der = private_key.sign(timestamp.encode("utf-8") + body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(der).decode("ascii")


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """The X-Twilio-Signature header Twilio sends when it posts `params` to `url`."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))
