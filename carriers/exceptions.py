"""What went wrong, in each carrier's words: their detail vocabularies mapped onto
`ExceptionReason`, so each problem gets its own message to the customer.

A detail we do not know (or none) is `other`: the customer is still told something is wrong, and
support still sees the carrier's own words (the event's `detail` and `description`). When the
code says nothing, the carrier's prose is read for a refusal, the one problem carriers tend to
report only in words ("Refused by recipient").
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from models.status import ExceptionReason

R = ExceptionReason

EASYPOST: Mapping[str, ExceptionReason] = {
    "lost": R.LOST,
    "damaged": R.DAMAGED,
    "held": R.HELD,
    "awaiting_information": R.HELD,
    "address_correction": R.ADDRESS,
    "refused": R.REFUSED,
}
"""EasyPost `status_detail` (its Tracker vocabulary) of a failure or exception scan."""

SHIPPO: Mapping[str, ExceptionReason] = {
    "package_lost": R.LOST,
    "package_disposed": R.LOST,  # destroyed by the carrier: for the customer, gone
    "package_damaged": R.DAMAGED,
    "package_held": R.HELD,
    "address_issue": R.ADDRESS,
}
"""Shippo `substatus.code` (its track event definitions); package_undeliverable and
contact_carrier say nothing more than "a problem": `other`."""

AFTERSHIP: Mapping[str, ExceptionReason] = {
    "Exception_002": R.ADDRESS,  # customer moved
    "Exception_003": R.REFUSED,  # customer refused delivery
    "Exception_004": R.HELD,  # delayed: customs clearance
    "Exception_006": R.HELD,  # held for payment
    "Exception_007": R.ADDRESS,  # incorrect address
    "Exception_012": R.DAMAGED,  # shipment damaged
    "Exception_013": R.LOST,  # shipment lost
    "Exception_018": R.HELD,  # incorrect or missing documents
}
"""AfterShip's Exception subtags (its delivery sub-statuses); the rest (Exception_001 generic,
_005 external delay, _008 pickup missed, _009 rejected by carrier, _016/_017 delays) are
`other`. No AfterShip adapter exists yet: an adapter for it (or a carrier's own webhook relayed
through the generic format) reads its subtags here."""

_REFUSAL = re.compile(r"\brefus", re.IGNORECASE)


def reason(
    vocabulary: Mapping[str, ExceptionReason], code: str | None, *words: str | None
) -> ExceptionReason:
    """The reason a carrier's detail code names; else a refusal its words mention; else other."""
    if code is not None and code in vocabulary:
        return vocabulary[code]
    if any(text and _REFUSAL.search(text) for text in words):
        return R.REFUSED
    return R.OTHER
