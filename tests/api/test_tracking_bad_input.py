"""The tracking page's forms and links given input they cannot read: the customer always gets a
page (the shipment's own, with its refusal notice, in the shipment's language), never FastAPI's
422 JSON, and never their input quoted back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from infra.links import TrackingLinks
from infra.settings import Settings
from messages.page import text
from models.shipment import Recipient
from testing.factories import shipment
from testing.sendgrid_server import FakeSendGrid
from tests.polling import eventually
from workflows.client import start_shipment

REFUSED = text("notice.refused_generic", "pl")


@pytest.fixture
async def page(
    http: httpx.AsyncClient, client: Client, api_settings: Settings, fake_sendgrid: FakeSendGrid
) -> str:
    """The path of a Polish customer's tracking page, once the ledger has the shipment."""
    start = shipment(
        recipient=Recipient(
            name="Ola Nowak", email="ola@example.com", locale="pl", time_zone="Europe/Warsaw"
        )
    )
    await start_shipment(client, start, api_settings.task_queue)
    await eventually(client, start.workflow_id, lambda s: bool(fake_sendgrid.sent))
    token = TrackingLinks.from_settings(api_settings).token(start.workflow_id, datetime.now(UTC))
    return f"/t/{token}"


def assert_friendly(response: httpx.Response, *, echoed: str | None = None) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert 'lang="pl"' in response.text
    assert '"detail"' not in response.text and "Traceback" not in response.text
    assert response.headers["cache-control"] == "no-store"
    if echoed is not None:
        assert echoed not in response.text


def assert_refused_notice(response: httpx.Response) -> None:
    assert 'data-testid="notice" data-kind="error"' in response.text
    assert REFUSED in response.text


async def test_a_slot_form_without_its_field_gets_the_page_with_its_notice(
    http: httpx.AsyncClient, page: str
) -> None:
    answer = await http.post(f"{page}/slot", data={})

    assert_friendly(answer)
    assert_refused_notice(answer)


async def test_a_slot_that_is_not_a_number_is_not_quoted_back(
    http: httpx.AsyncClient, page: str
) -> None:
    answer = await http.post(f"{page}/slot", data={"slot": "two<b>please</b>"})

    assert_friendly(answer, echoed="please")
    assert_refused_notice(answer)


@pytest.mark.parametrize("slot", ["0", "11", "-1", "99999999999999999999999"])
async def test_a_slot_out_of_range_gets_the_page_with_its_notice(
    http: httpx.AsyncClient, page: str, slot: str
) -> None:
    answer = await http.post(f"{page}/slot", data={"slot": slot})

    assert_friendly(answer, echoed=slot if len(slot) > 3 else None)
    assert_refused_notice(answer)


async def test_an_unknown_courier_answer_is_not_quoted_back(
    http: httpx.AsyncClient, page: str
) -> None:
    answer = await http.post(f"{page}/reply", data={"answer": "maybe-tomorrow"})

    assert_friendly(answer, echoed="maybe-tomorrow")
    assert_refused_notice(answer)


@pytest.mark.parametrize(
    ("form", "fields"),
    [("slot", {"slot": "2\x07"}), ("reply", {"answer": "confirm\x00"}), ("reply", {})],
)
async def test_control_characters_or_a_missing_answer_get_the_page_with_its_notice(
    http: httpx.AsyncClient, page: str, form: str, fields: dict[str, str]
) -> None:
    answer = await http.post(f"{page}/{form}", data=fields)

    assert_friendly(answer)
    assert_refused_notice(answer)


async def test_a_json_body_instead_of_the_form_gets_the_page(
    http: httpx.AsyncClient, page: str
) -> None:
    answer = await http.post(f"{page}/reply", json={"answer": "confirm"})

    assert_friendly(answer)
    assert_refused_notice(answer)


async def test_a_bad_form_on_a_forged_link_gets_the_bad_links_page(
    http: httpx.AsyncClient,
) -> None:
    answer = await http.post("/t/c2hvcC0xOnMtMTp6enp6.AAAAAAAAAAAAAAAA/slot", data={"slot": "x"})

    assert answer.status_code == 404
    assert 'data-error="invalid"' in answer.text


async def test_a_mangled_notice_in_the_link_gets_the_page_without_a_notice(
    http: httpx.AsyncClient, page: str
) -> None:
    opened = await http.get(page, params={"notice": "<i>you won</i>"})

    assert_friendly(opened, echoed="you won")
    assert 'data-testid="status"' in opened.text and 'data-testid="notice"' not in opened.text


ODD_TOKENS: list[Any] = [
    "%00",
    "a.b.c",
    "x" * 5000,
    "%C3%BCn%C3%AFcode.%E2%80%AE",
    "..%2F..%2Fetc",
    "%0D%0ASet-Cookie:%20x=1",
    ".",
    "",
    "abc/def",
]


@pytest.mark.parametrize("token", ODD_TOKENS, ids=range(len(ODD_TOKENS)))
async def test_odd_tokens_get_the_friendly_invalid_link_page(
    http: httpx.AsyncClient, token: str
) -> None:
    """A browser follows redirects: `/t/.` is `/t` once normalised, which is sent on to `/t/`."""
    opened = await http.get(
        f"/t/{token}", headers={"Accept-Language": "ro-RO,ro"}, follow_redirects=True
    )

    assert opened.status_code == 404
    assert opened.headers["content-type"].startswith("text/html")
    assert 'data-error="invalid"' in opened.text and 'lang="ro"' in opened.text
    assert "set-cookie" not in opened.headers
