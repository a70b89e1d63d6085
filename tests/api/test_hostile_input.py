"""Hostile input, endpoint by endpoint: whatever a caller sends, properly signed or not, the
service answers with a clear 4xx or takes it, within seconds, never a 5xx, and the shipments it
touched keep working afterwards.

Each endpoint's documented, valid request is the seed; hypothesis replaces one value of it (any
leaf, at any depth) with a hostile one: NUL and other control characters, lone surrogates, huge
and negative numbers, far dates and durations, long strings, deep nesting, wrong types, or adds
an unknown field. Carrier and provider requests are signed as the real senders sign them, so
the values reach the parsers, the workflows and the ledger, not just the signature check.
`schemathesis` covers the same endpoints from the OpenAPI schema (tests/api/test_schema_fuzz.py).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.client import Client

from carriers import ADAPTERS
from infra.links import TrackingLinks
from infra.settings import Settings
from models.shipment import FINAL_STATUSES, ShipmentStart
from models.state import ShipmentState
from models.status import ShipmentStatus
from testing.factories import event, shipment
from testing.signing import sendgrid_signature, twilio_signature
from testing.twilio_server import DEFAULT_AUTH_TOKEN
from tests.api.conftest import CARRIER_SECRETS, SHOP_KEYS
from tests.db_fixtures import unique
from tests.polling import all_settled, eventually
from workflows.client import report_event, shipment_state, start_shipment

PAYLOADS = Path(__file__).parent / "payloads"
EXAMPLES = 40
"""Per endpoint; every example is one request to the running service."""
URL_ID_MAX = 4_000
"""Ids in paths are cut here: longer request lines are refused by the HTTP layer itself."""
ANSWER_WITHIN = 10.0
"""Seconds: a request that takes longer is a failure (today's 500s came after a 30 s timeout)."""


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = [value]
    return value


HOSTILE: list[Any] = [
    "\x00",
    "nul\x00inside",
    "\x01\x02\x07\x08\x1b[31m\x7f",
    "\ud800",
    "\u202eevil\u2066",
    "\ufeff",
    "a" * 70_000,
    "ż" * 20_000,
    "",
    " ",
    "{{7*7}}<script>alert(1)</script>",
    "'; DROP TABLE shipments; --",
    "../../../../etc/passwd",
    "shipment:other-shop:S-1",
    "9999-12-31T23:59:59+00:00",
    "0001-01-01T00:00:00+00:00",
    "2026-11-20T08:00:00",
    "2026-11-20T08:00:00+23:59",
    "P1000000000D",
    "P99999Y",
    0,
    -1,
    2**63,
    10**40,
    1e308,
    -1e308,
    True,
    None,
    [],
    {},
    ["x"] * 5_000,
    {"nested": deep(100)},
    deep(5_000),
]

hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON value that hypothesis may replace (containers included)."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


@st.composite
def mutations(draw: st.DrawFn, seed: Any) -> Any:
    """The seed with one value replaced, or with an unknown field added somewhere."""
    places = list(leaves(seed))
    path = draw(st.sampled_from(places))
    if draw(st.booleans()) and isinstance(_at(seed, path), dict):
        name = draw(st.sampled_from(["extra", "\x00", "a" * 300, "__proto__"]))
        return replaced(seed, path, {**_at(seed, path), name: draw(hostile_values)})
    return replaced(seed, path, draw(hostile_values))


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


def as_json(value: Any) -> bytes:
    """JSON as a careless or hostile sender writes it: lone surrogates escaped, deep nesting
    written by hand where the encoder would give up."""
    try:
        return json.dumps(value).encode()
    except RecursionError:
        return b"[" * 100_000 + b"]" * 100_000


@dataclass
class Tally:
    """What the suite sent, per endpoint, and what came back (for the README's figures)."""

    sent: dict[str, int] = field(default_factory=dict)
    codes: dict[int, int] = field(default_factory=dict)

    def count(self, endpoint: str, response: httpx.Response) -> None:
        self.sent[endpoint] = self.sent.get(endpoint, 0) + 1
        self.codes[response.status_code] = self.codes.get(response.status_code, 0) + 1


def answered_well(response: httpx.Response) -> None:
    """A 4xx or a success, never a server error; an explanation when refused."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if response.status_code >= 400 and "json" in response.headers.get("content-type", ""):
        assert response.json().get("detail") or response.json().get("results"), response.text


def fuzz(
    name: str,
    seed: Any,
    send: Callable[[Any], httpx.Response],
    tally: Tally,
    examples: int = EXAMPLES,
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutations(seed))
    def never_a_server_error(body: Any) -> None:
        response = send(body)
        tally.count(name, response)
        answered_well(response)

    never_a_server_error()


# The seeds: each endpoint's documented request, about a live shipment


def generic_seed(start: ShipmentStart) -> Any:
    return {
        "events": [
            {
                "tracking_number": start.tracking_number,
                "shop_id": start.shop_id,
                "shipment_id": start.shipment_id,
                "event_id": "scan-1",
                "status": "in_transit",
                "occurred_at": "2026-11-19T21:40:00+01:00",
                "location": {"city": "Warszawa", "country": "PL", "facility": "Hub"},
                "description": "Parcel sorted at the hub",
                "estimated_delivery": "2026-11-20T18:00:00+01:00",
            }
        ]
    }


def documented(name: str, number: str, replacing: str) -> Any:
    return json.loads((PAYLOADS / name).read_text().replace(replacing, number))


def order_seed() -> Any:
    body = shipment(tracking_number=unique("TRK")).model_dump(
        mode="json", exclude={"shop_id", "tracker"}
    )
    body["policy"] = {
        "pickup": {"after_arrival": ["P2D", "P4D"], "final_warning_before": "P1D"},
        "delay": {"after_estimate": "PT2H", "no_progress": "P3D"},
        "courier_lead_time": "PT1H",
        "thank_you": {"enabled": True, "delay": "PT2H", "coupon_code": "THANKS10"},
        "quiet_hours": {"start": "21:00:00", "end": "08:00:00"},
    }
    return body


@dataclass
class Service:
    """The running service, called synchronously from hypothesis's thread."""

    base: str
    http: httpx.Client
    sendgrid_key: ec.EllipticCurvePrivateKey

    def carrier(self, name: str, payload: Any, path: str | None = None) -> httpx.Response:
        body = as_json(payload)
        headers = ADAPTERS[name].sign(body, CARRIER_SECRETS[name], datetime.now(UTC))
        return self.http.post(
            path or f"/v1/carriers/{name}/events",
            content=body,
            headers=headers | {"content-type": "application/json"},
        )

    def shop(self, method: str, path: str, payload: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {SHOP_KEYS['shop-1']}"}
        if payload is None:
            return self.http.request(method, path, headers=headers)
        body = as_json(payload)
        return self.http.request(
            method, path, content=body, headers=headers | {"content-type": "application/json"}
        )

    def twilio(self, path: str, form: Any) -> httpx.Response:
        fields = {str(k): _form_value(v) for k, v in form.items()} if isinstance(form, dict) else {}
        signature = twilio_signature(DEFAULT_AUTH_TOKEN, f"{self.base}{path}", fields)
        return self.http.post(path, data=fields, headers={"X-Twilio-Signature": signature})

    def sendgrid(self, events: Any) -> httpx.Response:
        body = as_json(events)
        timestamp = str(int(datetime.now(UTC).timestamp()))
        return self.http.post(
            "/v1/sendgrid/events",
            content=body,
            headers={
                "content-type": "application/json",
                "X-Twilio-Email-Event-Webhook-Signature": sendgrid_signature(
                    self.sendgrid_key, body, timestamp
                ),
                "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
            },
        )


def _form_value(value: Any) -> str:
    """A form field is text; a surrogate cannot even be sent, so it is sent escaped."""
    text = value if isinstance(value, str) else as_json(value).decode()
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@pytest.fixture
def service(
    site: Settings, sendgrid_keys: tuple[ec.EllipticCurvePrivateKey, str]
) -> Iterator[Service]:
    assert site.public_url is not None
    with httpx.Client(base_url=site.public_url, timeout=ANSWER_WITHIN) as http:
        yield Service(site.public_url, http, sendgrid_keys[0])


@pytest.fixture(scope="module")
def tally() -> Iterator[Tally]:
    found = Tally()
    yield found
    total = sum(found.sent.values())
    print(f"\nhostile inputs: {total} requests, answers {dict(sorted(found.codes.items()))}")


async def live_shipment(client: Client, settings: Settings, **overrides: Any) -> ShipmentStart:
    start = shipment(tracking_number=unique("TRK"), **overrides)
    await start_shipment(client, start, settings.task_queue)
    await eventually(client, start.workflow_id, all_settled)
    return start


def settled_or_deferred(state: ShipmentState) -> bool:
    """Every message has its ledger answer, or waits for the end of quiet hours (the seed's
    policy has them, and tests run at any hour)."""
    return all(n.settled_at is not None or n.due_at is not None for n in state.notifications)


async def still_works(client: Client, start: ShipmentStart) -> None:
    """After the storm the shipment is not stalled: every message it planned was recorded, and
    if it is still open, a valid event is applied and its messages go out too."""
    state = await eventually(client, start.workflow_id, all_settled)
    if state.status in FINAL_STATUSES:
        return
    later = event(ShipmentStatus.DELIVERED, 0, event_id=unique("after-the-storm"))
    moment = max(datetime.now(UTC), state.last_event_at or state.status_since)
    receipt = await report_event(
        client,
        start.workflow_id,
        later.model_copy(update={"occurred_at": moment + timedelta(minutes=1)}),
    )
    assert receipt.status is ShipmentStatus.DELIVERED
    await eventually(client, start.workflow_id, all_settled)


# The endpoints


async def test_the_shop_api_start_refuses_or_takes_any_body_and_what_it_takes_runs(
    service: Service, client: Client, tally: Tally
) -> None:
    started: list[str] = []

    def send(body: Any) -> httpx.Response:
        if isinstance(body, dict) and body.get("shipment_id") == "__keep__":
            body["shipment_id"] = unique("s")
        response = service.shop("POST", "/v1/shipments", body)
        if response.status_code == 201:
            started.append(response.json()["workflow_id"])
        return response

    seed = order_seed() | {"shipment_id": "__keep__"}
    await asyncio.to_thread(fuzz, "POST /v1/shipments", seed, send, tally)

    for ref in started:  # what was accepted runs: its first workflow task did not fail
        await eventually(client, ref, settled_or_deferred)


async def test_shipment_paths_refuse_any_id_clearly(service: Service, tally: Tally) -> None:
    def send(shipment_id: Any) -> httpx.Response:
        path = f"/v1/shipments/{quote(_form_value(shipment_id)[:URL_ID_MAX], safe='')}"
        reading = service.shop("GET", path)
        tally.count("GET /v1/shipments/{id}", reading)
        answered_well(reading)
        return service.shop("POST", f"{path}/cancel")

    await asyncio.to_thread(fuzz, "POST /v1/shipments/{id}/cancel", "S-1", send, tally)


async def test_generic_carrier_events_never_stall_the_shipment_they_name(
    service: Service, client: Client, site: Settings, tally: Tally
) -> None:
    start = await live_shipment(client, site)

    await asyncio.to_thread(
        fuzz,
        "POST /v1/carriers/generic/events",
        generic_seed(start),
        lambda body: service.carrier("generic", body),
        tally,
    )

    await still_works(client, start)


@pytest.mark.parametrize(
    ("carrier", "document", "number"),
    [
        ("easypost", "easypost_tracker_updated.json", "9400110898825022579493"),
        ("shippo", "shippo_track_updated.json", "9205590164917312751089"),
    ],
)
async def test_a_carriers_own_payloads_never_stall_the_shipment_they_track(
    service: Service,
    client: Client,
    site: Settings,
    tally: Tally,
    carrier: str,
    document: str,
    number: str,
) -> None:
    start = await live_shipment(client, site)
    seed = documented(document, start.tracking_number, replacing=number)

    def send(body: Any) -> httpx.Response:
        return service.carrier(carrier, body, f"/v1/carriers/{carrier}/shops/shop-1/events")

    await asyncio.to_thread(fuzz, f"POST /v1/carriers/{carrier}/events", seed, send, tally)

    await still_works(client, start)


async def test_twilio_callbacks_with_any_values_are_answered_and_kept_apart(
    service: Service, client: Client, site: Settings, tally: Tally
) -> None:
    phone = f"+4477009{secrets.randbelow(10**5):05d}"  # replies find this test's shipment only
    recipient = shipment().recipient.model_copy(update={"phone": phone})
    start = await live_shipment(client, site, recipient=recipient)
    status_seed = {
        "MessageSid": "SM" + "0" * 32,
        "MessageStatus": "delivered",
        "AccountSid": "AC" + "0" * 32,
        "To": phone,
        "From": "+15005550006",
        "ErrorCode": "30003",
    }
    reply_seed = {
        "MessageSid": "SMinbound",
        "From": phone,
        "To": "+15005550006",
        "Body": "1",
    }

    await asyncio.to_thread(
        fuzz,
        "POST /v1/twilio/status",
        status_seed,
        lambda form: service.twilio("/v1/twilio/status", form),
        tally,
    )
    await asyncio.to_thread(
        fuzz,
        "POST /v1/twilio/inbound",
        reply_seed,
        lambda form: service.twilio("/v1/twilio/inbound", form),
        tally,
    )

    await still_works(client, start)


async def test_sendgrid_batches_with_any_values_are_answered_and_never_stall_a_shipment(
    service: Service, client: Client, site: Settings, tally: Tally
) -> None:
    email = f"{secrets.token_hex(5)}@example.com"  # a bounce here opts out this address only
    recipient = shipment().recipient.model_copy(update={"email": email})
    start = await live_shipment(client, site, recipient=recipient)
    state = await shipment_state(client, start.workflow_id)
    key = state.notifications[0].key
    seed = [
        {
            "email": email,
            "timestamp": int(datetime.now(UTC).timestamp()),
            "event": "delivered",
            "sg_event_id": "ev-1",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
            "waypost_key": key,
            "shipment_ref": start.workflow_id,
        },
        {
            "email": email,
            "timestamp": int(datetime.now(UTC).timestamp()),
            "event": "bounce",
            "type": "bounce",
            "reason": "550 5.1.1 unknown user",
            "sg_event_id": "ev-2",
            "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.1",
            "waypost_key": key,
            "shipment_ref": start.workflow_id,
        },
    ]

    await asyncio.to_thread(fuzz, "POST /v1/sendgrid/events", seed, service.sendgrid, tally)

    await still_works(client, start)


async def test_the_tracking_page_and_its_forms_answer_any_input_with_a_page(
    service: Service, client: Client, site: Settings, tally: Tally
) -> None:
    start = await live_shipment(client, site)
    token = TrackingLinks.from_settings(site).token(start.workflow_id, datetime.now(UTC))

    def send(form: Any) -> httpx.Response:
        fields = {str(k): _form_value(v) for k, v in form.items()} if isinstance(form, dict) else {}
        token_text = fields.get("token", _form_value(form))[:URL_ID_MAX]
        page = service.http.get(f"/t/{quote(token_text, safe='')}")
        tally.count("GET /t/{token}", page)
        answered_well(page)
        for action in ("slot", "reply"):
            response = service.http.post(f"/t/{token}/{action}", data=fields)
            tally.count(f"POST /t/{{token}}/{action}", response)
            answered_well(response)
            # Back to the page with a notice (post/redirect/get), the page itself, or a form
            # over the body limit.
            page_or_back = response.status_code in (303, 413) or "text/html" in (
                response.headers.get("content-type", "")
            )
            assert page_or_back, response.text[:300]
        return page

    seed = {"slot": "1", "answer": "confirm", "token": token}
    await asyncio.to_thread(fuzz, "tracking page", seed, send, tally)

    await still_works(client, start)
