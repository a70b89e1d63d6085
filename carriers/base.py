"""What every carrier adapter produces: canonical events for tracking numbers, or per-event errors.

An adapter is pure: it verifies a signature over the raw body and maps the carrier's own
vocabulary onto `ShipmentStatus`. Delivering the events to workflows is the router's job.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from models.bounds import storable
from models.shipment import CarrierEvent, Location


class SignatureError(Exception):
    """The request is not signed with the carrier's secret (missing, malformed or wrong)."""


class PayloadError(ValueError):
    """The body is not this carrier's payload at all (not JSON, wrong shape): nothing is read."""


Mode = Literal["production", "test"]


class ParsedEvent(BaseModel):
    """One carrier event mapped onto the canonical vocabulary, for one tracking number.

    `event` is None when the carrier's status has no canonical meaning (EasyPost `pre_transit`,
    Shippo `UNKNOWN`...): the answer says it was ignored and why, and nothing is delivered.
    """

    model_config = ConfigDict(frozen=True)

    index: int
    """Position in the payload (0-based), so the answer can name the event the carrier sent."""
    tracking_number: str
    carrier: str | None = None
    source_status: str
    """The carrier's own status word(s), e.g. "out_for_delivery" or "TRANSIT/out_for_delivery"."""
    event: CarrierEvent | None
    ignored_reason: str | None = None
    shipment_ref: str | None = None
    """The workflow id, when the payload names the shipment itself (generic format only)."""
    mode: Mode | None = None
    """Whether the carrier sent it from its test or its production environment (EasyPost's
    Event `mode`, Shippo's `test`), when it says; the router drops modes the deployment does not
    accept (WAYPOST_CARRIER_MODES)."""


class BadEvent(BaseModel):
    """One event of a batch that could not be read; the others are still delivered."""

    model_config = ConfigDict(frozen=True)

    index: int
    error: str
    """What was wrong, naming the field (e.g. "events[2].status: 'lost' is not a status")."""
    event_id: str | None = None
    tracking_number: str | None = None


ParsedItem = ParsedEvent | BadEvent


class Tracked(Protocol):
    """What a carrier's payload says about the parcel its events are for."""

    @property
    def tracking_number(self) -> str: ...

    @property
    def carrier(self) -> str | None: ...


def parsed(
    parcel: Tracked,
    index: int,
    source: str,
    event: CarrierEvent | None,
    reason: str | None = None,
    mode: Mode | None = None,
) -> ParsedEvent:
    """One mapped event (or, with `event` None, an ignored one and why)."""
    return ParsedEvent(
        index=index,
        tracking_number=parcel.tracking_number,
        carrier=parcel.carrier,
        source_status=source,
        event=event,
        ignored_reason=reason,
        mode=mode,
    )


class CarrierAdapter(Protocol):
    """One carrier's webhook: its signature scheme and its payload."""

    name: str
    """The path segment: /v1/carriers/{name}/events."""
    signature_header: str
    """The header the signature travels in (documented in the OpenAPI description)."""
    url_token: bool
    """Whether the carrier documents a token in the webhook URL (`?token=`) as its security:
    then a configured token authenticates a request instead of a signature."""

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> None:
        """Raise SignatureError unless `body` is signed with `secret`. Header names are
        lower-case in `headers`."""

    def parse(self, body: bytes) -> list[ParsedItem]:
        """Map the payload's events; raise PayloadError when the body is not readable at all."""

    def sign(self, body: bytes, secret: str, now: datetime) -> dict[str, str]:
        """The headers the carrier would send with `body`: for tests, and for the CLI that posts
        generic events."""


# Shared by the adapters: signatures, JSON, and reading carrier values without trusting them.

REPLAY_WINDOW_SECONDS = 300
"""How far a signed timestamp may be from now: a captured request cannot be replayed later."""

TEXT_MAX = 500
"""`Text` in models.bounds: longer carrier messages are cut, not refused."""
PLACE_MAX = 200
"""`PlaceName` in models.bounds: a city or facility."""


class FieldError(ValueError):
    """One value of a payload is unusable. Per event it becomes a BadEvent; in the envelope (the
    part every event shares) a PayloadError."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def find_header(headers: Mapping[str, str], name: str) -> str:
    """The header's value, whatever the case of its name; SignatureError when absent or blank."""
    wanted = name.lower()
    value = headers.get(wanted)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    if value is None or not value.strip():
        raise SignatureError(f"missing {name} header")
    return value.strip()


def require_secret(secret: str) -> None:
    """An empty secret makes every signature forgeable: refuse rather than verify against it."""
    if not secret:
        raise SignatureError("no webhook secret is configured for this carrier")


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def require_match(expected: str, given: Iterable[str]) -> None:
    """Constant-time comparison against every candidate (several during a secret rotation).

    The error never includes the expected value: it would hand out a valid signature.
    """
    wanted = expected.encode("ascii")
    matched = False
    for candidate in given:
        text = candidate.strip().lower().encode("utf-8", "replace")
        matched |= hmac.compare_digest(wanted, text)
    if not matched:
        raise SignatureError("signature does not match")


def header_fields(value: str) -> dict[str, list[str]]:
    """Split `t=1700000000,v1=ab12,v1=cd34` into {"t": ["1700000000"], "v1": ["ab12", "cd34"]}."""
    fields: dict[str, list[str]] = {}
    for part in value.split(","):
        key, sep, item = part.strip().partition("=")
        if sep:
            fields.setdefault(key.strip(), []).append(item.strip())
    return fields


_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def timestamped_signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 hex of `<timestamp>.<body>`: the time is inside the MAC, so it cannot be
    swapped for a fresh one when replaying."""
    return hmac_sha256_hex(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body)


def verify_timestamped(
    body: bytes,
    secret: str,
    *,
    timestamp: str,
    signatures: Iterable[str],
    now: datetime,
    timestamp_source: str,
) -> None:
    """Check a `<timestamp>.<body>` signature, then that the timestamp is within the window.

    The signature is checked first so that an unsigned caller learns nothing but "does not match".
    """
    if not _UNIX_SECONDS.fullmatch(timestamp):
        raise SignatureError(f"malformed {timestamp_source}: expected unix seconds")
    require_match(timestamped_signature(secret, timestamp, body), signatures)
    age = now.timestamp() - int(timestamp)
    if age > REPLAY_WINDOW_SECONDS:
        raise SignatureError("timestamp too old")
    if age < -REPLAY_WINDOW_SECONDS:
        raise SignatureError("timestamp is in the future")


def unix_seconds(now: datetime) -> str:
    return str(int(now.timestamp()))


def load_json(body: bytes) -> object:
    """Parse the body, or PayloadError saying why. NaN/Infinity are refused (not JSON); deep
    nesting (RecursionError) is refused like any other unreadable body."""
    try:
        return json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"body is not JSON: {_first_line(exc)}") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON value")


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def short(value: object) -> str:
    """A carrier value quoted for an error message, never unbounded."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def type_name(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def as_object(value: object, path: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise FieldError(path, f"expected an object, got {type_name(value)}")
    return value


def as_list(value: object, path: str) -> list[object]:
    """A list; a missing list (null) is an empty one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise FieldError(path, f"expected a list, got {type_name(value)}")
    return value


def required_text(value: object, path: str) -> str:
    """An identifier-like string (tracking number, status): present, non-blank, made storable
    (models.bounds.storable: no NUL or other control characters, no lone surrogates)."""
    text = storable(value).strip() if isinstance(value, str) else ""
    if not text:
        raise FieldError(path, f"expected a non-empty string, got {short(value)}")
    return text


def optional_id(value: object) -> str | None:
    """A carrier's own id when it is a usable string, else None (the caller derives one)."""
    try:
        return required_text(value, "id")
    except FieldError:
        return None


def clean_text(value: object, max_length: int = TEXT_MAX) -> str | None:
    """Carrier prose made fit for a `Text` field: storable, stripped, cut at max_length, None
    when empty or not a string. A long or odd message must not cost the customer the event."""
    if not isinstance(value, str):
        return None
    text = storable(value).strip()
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text or None


def location(
    city: object = None, country: object = None, facility: object = None
) -> Location | None:
    """A Location from carrier values; a country that is not two letters (e.g. "USA",
    "United States") is dropped rather than refused."""
    code = country.strip() if isinstance(country, str) else ""
    found = Location(
        city=clean_text(city, PLACE_MAX),
        country=code.upper() if len(code) == 2 and code.isascii() and code.isalpha() else None,
        facility=clean_text(facility, PLACE_MAX),
    )
    return found if (found.city or found.country or found.facility) else None


def parse_time(value: object, path: str) -> datetime:
    """An aware datetime from an ISO 8601 string. A naive time is taken as UTC: the carriers
    that send one (Shippo's test mode, some carriers' ETAs) mean UTC."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError(path, f"expected an ISO 8601 date-time, got {short(value)}")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldError(path, f"{short(value)} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError:
        raise FieldError(path, f"{short(value)} is out of range") from None
    return parsed


def optional_time(value: object) -> datetime | None:
    """A side value such as an ETA: unreadable means unknown, never a bad event."""
    try:
        return parse_time(value, "eta")
    except FieldError:
        return None


def estimate(value: object) -> tuple[datetime | None, date | None]:
    """A carrier's estimated delivery: an instant, or a day when it has no time of day.

    A bare date ("2026-11-21") and a midnight ("2026-11-21T00:00:00Z", EasyPost's and Shippo's
    way of saying "that day") are the day itself, read in the recipient's zone by the workflow:
    taken as an instant in UTC, midnight is the evening before west of UTC. Unreadable means
    unknown, never a bad event."""
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
        try:
            return None, date.fromisoformat(value.strip())
        except ValueError:
            return None, None
    moment = optional_time(value)
    if moment is not None and moment.time() == time(0):
        return None, moment.date()
    return moment, None


def local_day(value: object) -> date | None:
    """A carrier's local date field (EasyPost's est_delivery_date_local): a day, or None."""
    if not isinstance(value, str) or not _DATE_ONLY.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


_DATE_ONLY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def scan_digest(*parts: object) -> str:
    """A short, stable digest of what tells two scans apart at the same instant and status (the
    status detail, the place, the carrier's message), for ids derived where the carrier gives
    none per scan. Changing what goes in changes every derived id: see `legacy_event_id`."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def utc_stamp(moment: datetime) -> str:
    """The same instant always spelled the same way, for ids derived from it."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def describe(error: ValidationError, prefix: str) -> str:
    """Pydantic's errors as `events[2].status: 'lost' is not one of ...`, one per field."""
    return "; ".join(f"{_path(prefix, e['loc'])}: {_problem(e)}" for e in error.errors())


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    return prefix + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


def _problem(error: ErrorDetails) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "enum":
        return f"{short(given)} is not one of {error.get('ctx', {}).get('expected', '?')}"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    message = error["msg"].removeprefix("Value error, ")
    scalar = given is None or isinstance(given, str | int | float | bool)
    return f"{message} (got {short(given)})" if scalar else message


def read_scan(parcel: Tracked, index: int, path: str, read: Callable[[], ParsedItem]) -> ParsedItem:
    """One scan of a batch, read by `read`: what is wrong with it (a FieldError, or a value the
    canonical event refuses) becomes that scan's BadEvent; the other scans are still delivered."""
    try:
        return read()
    except FieldError as exc:
        return BadEvent(index=index, error=str(exc), tracking_number=parcel.tracking_number)
    except ValidationError as exc:
        error = describe(exc, path)
        return BadEvent(index=index, error=error, tracking_number=parcel.tracking_number)


def scan_place(place: object) -> tuple[Location | None, tuple[str | None, ...]]:
    """A scan's place (an object with city, state, zip, country; anything else is none): the
    Location it names, and its parts as they go into `scan_digest`."""
    spot = place if isinstance(place, dict) else {}
    where = location(spot.get("city"), spot.get("country")) if spot else None
    return where, tuple(
        clean_text(spot.get(k), PLACE_MAX) for k in ("city", "state", "zip", "country")
    )
