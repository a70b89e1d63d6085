"""The customer's tracking page at /t/{token}: the ledger's record (so it works after the
shipment closed), the workflow's live state while it runs, and the slot and courier forms.

The live state comes from the ledger too: the ledger activity keeps a sealed snapshot of what
the page shows of it (`models.page`), so a view costs no workflow query (a billable action and a
worker task, a whole history's replay when the shipment is not in the worker's cache). The
workflow is queried only when there is no snapshot to read (a shipment started before
snapshots existed, or one sealed with a key this process lacks), and for the one view a form's
redirect leads to (it carries a `notice`): the answer was taken by the workflow, and the ledger
activity that records it may not have run yet.

The token in the URL is the customer's capability: the page is never cached, never indexed,
and never leaks its URL in a Referer header. Forms post back and redirect (post/redirect/get),
so reloading the page never answers twice.

A customer's browser never gets FastAPI's 422 JSON, which quotes the input back: a form answer
that cannot be read (missing, not a number, out of range, an unknown answer, control characters)
gets the page itself with its refusal notice, status 400; a mangled `?notice=` gets the page
without one; any other path under /t/ is an invalid link's friendly page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.types import DecoratedCallable
from temporalio.service import RPCError

from api.services import Services, services
from api.shop_events import customer_replied
from api.tracking.calendar import calendar_file
from api.tracking.render import (
    ErrorKind,
    Notice,
    NoticeKey,
    content_security_policy,
    make_notice,
    render_error,
    render_page,
)
from api.tracking.view import (
    ConsentBlock,
    ShopBrand,
    build_view,
    consent_block,
    marketing_channels,
    shop_brand,
)
from infra.links import LinkExpired, LinkInvalid
from infra.page_snapshot import SnapshotUnreadable, open_snapshot
from ledger.views import ShipmentView
from messages.locales import negotiate
from models.channels import address
from models.consent import OptOutSource
from models.kinds import Category
from models.notification import Channel
from models.page import LiveView
from models.state import ShipmentState
from workflows import client as temporal
from workflows.page import live_view

log = structlog.get_logger("waypost.api.tracking")


class _FriendlyRoute(APIRoute):
    """A route whose unreadable input (FastAPI's validation error) is answered with the page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def friendly(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as err:
                return await _unreadable(request, err)

        return friendly


router = APIRouter(prefix="/t", tags=["tracking page"], route_class=_FriendlyRoute)

LIVE_TIMEOUT = timedelta(seconds=3)
ERROR_CODES: dict[ErrorKind, int] = {
    "invalid": status.HTTP_404_NOT_FOUND,
    "expired": status.HTTP_410_GONE,
    "not_found": status.HTTP_404_NOT_FOUND,
    "unavailable": status.HTTP_503_SERVICE_UNAVAILABLE,
}


def _headers(shop: ShopBrand | None = None) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(shop),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
        "X-Content-Type-Options": "nosniff",
    }


def _error_page(kind: ErrorKind, request: Request) -> HTMLResponse:
    """Friendly, in the browser's language (the link said nothing we could trust)."""
    accepted = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    headers = _headers()
    if kind == "unavailable":
        headers["Retry-After"] = "30"
    return HTMLResponse(
        render_error(kind, negotiate(accepted or None)),
        status_code=ERROR_CODES[kind],
        headers=headers,
    )


class _BadLink(Exception):
    def __init__(self, kind: ErrorKind) -> None:
        self.kind = kind


def _shipment_ref(token: str, svc: Services) -> str:
    try:
        return svc.links.read(token, svc.clock())
    except LinkExpired as err:
        raise _BadLink("expired") from err
    except LinkInvalid as err:
        raise _BadLink("invalid") from err


async def _live(svc: Services, ref: str) -> ShipmentState | None:
    """The running workflow's state, or None when it cannot answer now (the page then shows the
    ledger alone, without forms)."""
    try:
        return await temporal.shipment_state(svc.client, ref, rpc_timeout=LIVE_TIMEOUT)
    except (temporal.ShipmentNotFound, RPCError) as err:
        log.info("tracking page without live state", shipment=ref, error=str(err))
        return None


async def _live_view(
    svc: Services, shipment: ShipmentView, *, fresh: bool = False
) -> LiveView | None:
    """The page's live state of an open shipment: the ledger's snapshot, or the workflow's query
    when there is none to read or `fresh` asks for the workflow's own word (after a form)."""
    if shipment.closed_at is not None:
        return None
    ref = shipment.ref
    if not fresh:
        stored = await svc.db(svc.ledger.sealed_page, ref)
        if stored is not None:
            try:
                found = open_snapshot(svc.keyring, ref, stored.page_contact, stored.page_live)
            except SnapshotUnreadable as err:
                log.warning("tracking page snapshot unreadable", shipment=ref, error=str(err))
                found = None
            if found is not None:
                return found
    state = await _live(svc, ref)
    return live_view(state) if state is not None else None


@router.get(
    "/{token}",
    response_class=HTMLResponse,
    summary="The customer's tracking page",
    responses={404: {"description": "Unknown link"}, 410: {"description": "Expired link"}},
)
async def tracking_page(
    token: str,
    request: Request,
    svc: Annotated[Services, Depends(services)],
    notice: Annotated[NoticeKey | None, Query(description="After a form post")] = None,
) -> HTMLResponse:
    return await _page(token, request, svc, notice)


async def _page(
    token: str,
    request: Request,
    svc: Services,
    notice: NoticeKey | None,
    status_code: int = status.HTTP_200_OK,
) -> HTMLResponse:
    """The shipment's page (with `notice` above it), or the friendly page of a bad link."""
    found = await _linked(token, request, svc, fresh=notice is not None)
    if isinstance(found, HTMLResponse):
        return found
    ref, shipment, live = found
    events = await svc.db(svc.ledger.timeline, ref)
    notifications = await svc.db(svc.ledger.notifications_for, ref)
    calls = await svc.db(svc.ledger.calls_for, ref)
    view = build_view(shipment, events, notifications, live, svc.clock(), calls=calls)
    shop = shop_brand(shipment.shop_id, await svc.db(svc.directory.profile, shipment.shop_id))
    consent: ConsentBlock | None = None
    if live is not None:
        withdrawn = await svc.db(_opted_out_of_marketing, svc, shipment.shop_id, live)
        consent = consent_block(live, view.closed, withdrawn)
    shown: Notice | None = None
    if notice is not None:
        values: dict[str, object] = {}
        if notice == "slot_chosen" and live is not None and live.page.window is not None:
            values["window"] = live.page.window
        shown = make_notice(notice, shipment.locale, time_zone=view.time_zone, **values)
    return HTMLResponse(
        render_page(view, shipment.locale, f"/t/{token}", shown, shop, consent),
        status_code=status_code,
        headers=_headers(shop),
    )


async def _linked(
    token: str, request: Request, svc: Services, *, fresh: bool = False
) -> tuple[str, ShipmentView, LiveView | None] | HTMLResponse:
    """The shipment a link names (its ref, its ledger row, and its live state while open, from
    the workflow itself when `fresh`), or the friendly page of a bad or unknown link."""
    try:
        ref = _shipment_ref(token, svc)
    except _BadLink as bad:
        return _error_page(bad.kind, request)
    shipment = await svc.db(svc.ledger.shipment, ref)
    if shipment is None:
        return _error_page("not_found", request)
    return ref, shipment, await _live_view(svc, shipment, fresh=fresh)


def _opted_out_of_marketing(svc: Services, shop_id: str, live: LiveView) -> bool:
    """The recipient opted out of this shop's marketing on every channel it would go by (the
    unsubscribe link, a withdrawal on this page, STOP, a bounce): no offer can reach them."""
    channels = marketing_channels(live)
    return bool(channels) and all(
        (to := live.contact.address(channel)) is not None
        and svc.ledger.opt_out(shop_id, channel, svc.hash_recipient(to), Category.MARKETING.value)
        is not None
        for channel in channels
    )


async def _unreadable(request: Request, err: RequestValidationError) -> HTMLResponse:
    """Input FastAPI could not read: the page in the shipment's locale, status 400, never the
    input. A form answer gets the page's own refusal notice; a mangled query string, none."""
    fields = sorted({str(e["loc"][-1]) for e in err.errors() if e.get("loc")})
    log.info("tracking page input unreadable", method=request.method, fields=fields)
    token = str(request.path_params.get("token", ""))
    notice: NoticeKey | None = "refused" if request.method == "POST" else None
    return await _page(token, request, services(request), notice, status.HTTP_400_BAD_REQUEST)


def _back(token: str, notice: NoticeKey) -> RedirectResponse:
    """Back to the page with a notice chosen from fixed keys: no text travels in the URL, so
    nobody can craft a link that shows the customer words of their choosing."""
    return RedirectResponse(f"/t/{token}?{urlencode({'notice': notice})}", 303)


async def _answer(
    token: str,
    request: Request,
    svc: Services,
    what: Literal["slot", "reply", "consent"],
    value: str,
) -> RedirectResponse | HTMLResponse:
    try:
        ref = _shipment_ref(token, svc)
    except _BadLink as bad:
        return _error_page(bad.kind, request)
    try:
        if what == "slot":
            slot = int(value)
            window = await temporal.choose_slot(svc.client, ref, slot)
            await customer_replied(svc, ref, "slot", "tracking_page", slot=slot, window=window)
            return _back(token, "slot_chosen")
        if what == "consent":
            await temporal.give_marketing_consent(svc.client, ref)
            log.info("marketing consent from tracking page", shipment=ref)
            return _back(token, "consent_given")
        receipt = await temporal.courier_reply(svc.client, ref, value, via="page")
        log.info("courier reply from tracking page", shipment=ref, outcome=receipt.text)
        if receipt.outcome != "repeated":
            answer: Literal["confirm", "reschedule"] = (
                "confirm" if value == "confirm" else "reschedule"
            )
            await customer_replied(svc, ref, answer, "tracking_page", outcome=receipt.text)
        return _back(token, "confirmed" if value == "confirm" else "rescheduled")
    except temporal.EventRefused as err:
        log.info("tracking page answer refused", shipment=ref, reason=str(err))
        return _back(token, "refused")
    except temporal.ShipmentClosed:
        return _back(token, "closed")
    except temporal.ShipmentNotFound:
        return _error_page("not_found", request)


def _form_post(path: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A form's endpoint: it answers by redirecting back to the page (post/redirect/get)."""
    return router.post(
        path,
        summary=summary,
        response_class=RedirectResponse,
        response_model=None,
        status_code=status.HTTP_303_SEE_OTHER,
    )


@_form_post("/{token}/slot", "The customer chooses one of the offered delivery slots")
async def choose_slot(
    token: str,
    request: Request,
    slot: Annotated[int, Form(ge=1, le=10)],
    svc: Annotated[Services, Depends(services)],
) -> RedirectResponse | HTMLResponse:
    return await _answer(token, request, svc, "slot", str(slot))


@_form_post(
    "/{token}/reply", "The customer answers the courier's confirmation: confirm or reschedule"
)
async def courier_reply(
    token: str,
    request: Request,
    answer: Annotated[Literal["confirm", "reschedule"], Form()],
    svc: Annotated[Services, Depends(services)],
) -> RedirectResponse | HTMLResponse:
    return await _answer(token, request, svc, "reply", answer)


@_form_post(
    "/{token}/consent",
    "The customer agrees to the shop's offers and review requests (an unticked opt-in)",
)
async def give_consent(
    token: str,
    request: Request,
    consent: Annotated[Literal["yes"], Form(description="The ticked opt-in's value")],
    svc: Annotated[Services, Depends(services)],
) -> RedirectResponse | HTMLResponse:
    return await _answer(token, request, svc, "consent", consent)


@_form_post(
    "/{token}/consent/withdraw",
    "The customer withdraws consent to the shop's offers (as the unsubscribe link does)",
)
async def withdraw_consent(
    token: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> RedirectResponse | HTMLResponse:
    """Recorded at once as an opt-out of the shop's marketing on each of the recipient's
    channels, as the one-click unsubscribe link records it: the sender checks it before any
    marketing message goes, whatever the workflow's state says."""
    try:
        ref = _shipment_ref(token, svc)
    except _BadLink as bad:
        return _error_page(bad.kind, request)
    shipment = await svc.db(svc.ledger.shipment, ref)
    if shipment is None:
        return _error_page("not_found", request)
    if shipment.closed_at is not None:
        return _back(token, "closed")
    live = await _live(svc, ref)
    if live is None:
        return _back(token, "refused")
    recipient = live.shipment.recipient
    for channel in Channel:
        to = address(recipient, channel)
        if to is None:
            continue
        await svc.db(
            svc.ledger_writer.record_opt_out,
            shipment.shop_id,
            channel,
            svc.hash_recipient(to),
            [Category.MARKETING.value],
            OptOutSource.TRACKING_PAGE.value,
        )
    log.info("marketing consent withdrawn on tracking page", shipment=ref)
    return _back(token, "consent_withdrawn")


@router.get(
    "/{token}/calendar.ics",
    summary="The delivery window or the pickup deadline as an iCalendar file",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "An iCalendar file"},
        404: {"description": "Unknown link, or nothing to put in a calendar"},
    },
)
async def calendar(
    token: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> Response:
    """Only what the page shows (see api.tracking.calendar); the same headers as the page."""
    found = await _linked(token, request, svc)
    if isinstance(found, HTMLResponse):
        return found
    _, shipment, live = found
    view = build_view(shipment, [], [], live, svc.clock())
    ics = calendar_file(view, svc.clock())
    if ics is None:
        return Response(
            "This shipment has no delivery window or pickup deadline to add to a calendar.",
            status_code=status.HTTP_404_NOT_FOUND,
            media_type="text/plain",
            headers=_headers(),
        )
    headers = {**_headers(), "Content-Disposition": 'attachment; filename="delivery.ics"'}
    return Response(ics, media_type="text/calendar", headers=headers)


@router.get("/{rest:path}", include_in_schema=False, response_class=HTMLResponse)
async def not_a_link(request: Request) -> HTMLResponse:
    """Any other path under /t/ (an empty token, a token cut at a slash): a bad link's page."""
    return _error_page("invalid", request)
