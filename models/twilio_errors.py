"""Twilio's error codes on a message that did not arrive, classified by what they say about the
number: it cannot be reached (the news goes by the other channel, and the number is treated as
failing for the rest of the shipment) or the failure may pass (later news still goes by SMS).

Pure data, read by the status-callback reader (api.provider_events) and by tests; the workflow
only ever sees the verdict, as `DeliveryReport.permanent`. Descriptions and classes follow
Twilio's error dictionary (https://www.twilio.com/docs/api/errors/<code>).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

__all__ = ["TWILIO_ERROR_CODES", "Reach", "TwilioError", "reach"]


class Reach(StrEnum):
    """What a failed message's error code says about the recipient's number."""

    UNREACHABLE = "unreachable"
    """The handset cannot be reached (switched off for good, not in service, a landline, a
    carrier that takes no SMS): no SMS to it will arrive, so the news goes by email."""
    REFUSED = "refused"
    """The number refuses our SMS (opted out, blocked, invalid, a region we may not send to):
    as final as unreachable, for another reason."""
    TRANSIENT = "transient"
    """About the moment, the sender, the account or the content, not the number: the next SMS
    may well arrive."""


@dataclass(frozen=True, slots=True)
class TwilioError:
    """One documented code: a short description and its class."""

    description: str
    reach: Reach

    @property
    def permanent(self) -> bool:
        """Whether SMS to this number will keep failing the same way."""
        return self.reach is not Reach.TRANSIENT


U, R, T = Reach.UNREACHABLE, Reach.REFUSED, Reach.TRANSIENT

# Judgement calls. 30003 (unreachable destination handset: off, out of coverage, roaming where
# SMS is not delivered) is unreachable: Twilio advises a retry "later", but parcel news is for
# today, and the email arrives now. 30004 (blocked: opted out or blocklisted) refuses. 30007
# (filtered as spam) is about the content or the sender: transient. 30008 (unknown) and every
# code not listed are transient: an unknown failure never stops SMS to a number.
TWILIO_ERROR_CODES: Mapping[str, TwilioError] = MappingProxyType(
    {
        # 21xxx: usually refused at the API call; with a Messaging Service they come back here.
        "21211": TwilioError("invalid 'To' phone number", R),
        "21408": TwilioError("sending to this region is not enabled", R),
        "21610": TwilioError("recipient unsubscribed (replied STOP)", R),
        "21612": TwilioError("'To' number not reachable from the sender", U),
        "21614": TwilioError("'To' number is not a mobile number", U),
        "21635": TwilioError("'To' number is a landline", U),
        # 30xxx: the carrier's verdict on a message Twilio accepted.
        "30001": TwilioError("queue overflow", T),
        "30002": TwilioError("account suspended", T),
        "30003": TwilioError("unreachable destination handset", U),
        "30004": TwilioError("message blocked (recipient opted out or blocklisted)", R),
        "30005": TwilioError("unknown destination handset (number not in service)", U),
        "30006": TwilioError("landline or unreachable carrier", U),
        "30007": TwilioError("message filtered by the carrier or Twilio", T),
        "30008": TwilioError("unknown error", T),
        "30009": TwilioError("missing inbound segment", T),
        "30010": TwilioError("message price exceeds the maximum price", T),
        "30017": TwilioError("carrier network congestion", T),
        "30018": TwilioError("destination carrier requires sender ID pre-registration", T),
        "30019": TwilioError("content size exceeds the carrier's limit", T),
        "30022": TwilioError("US A2P 10DLC rate limit exceeded", T),
        "30023": TwilioError("US A2P 10DLC daily cap reached", T),
        "30024": TwilioError("numeric sender ID not provisioned on the carrier", T),
        "30027": TwilioError("US A2P 10DLC T-Mobile daily message limit reached", T),
        "30032": TwilioError("toll-free number deactivated", T),
        "30034": TwilioError("US A2P 10DLC: message from an unregistered number", T),
        "30036": TwilioError("validity period expired before delivery", T),
        "30410": TwilioError("provider timeout", T),
        "30450": TwilioError("delivery temporarily blocked (SMS pumping protection)", T),
    }
)


def reach(code: str | None) -> Reach:
    """The class of a failed message's error code; no code or an unknown one is transient."""
    known = TWILIO_ERROR_CODES.get(code or "")
    return known.reach if known is not None else Reach.TRANSIENT
