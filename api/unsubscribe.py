"""One-click unsubscribe (RFC 8058) from a marketing email's List-Unsubscribe link.

`POST /u/{token}` is what a mail client sends for its unsubscribe button: it records the opt-out
at once, no confirmation. `GET` (a person following the link) shows a page whose button posts
the same, so a link scanner that fetches every URL in a mail never unsubscribes anyone. The token
is signed (`infra.links.UnsubscribeLinks`) and names the shop, channel, class and recipient's
keyed hash: no address reaches the service or its logs.
"""

from __future__ import annotations

from html import escape
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import HTMLResponse

from api.services import Services, services
from infra.links import UNSUBSCRIBE_PATH, LinkInvalid, Unsubscribe, UnsubscribeLinks
from messages.locales import negotiate
from messages.page import text
from models.consent import OptOutSource
from models.notification import Channel

log = structlog.get_logger("waypost.api.unsubscribe")

router = APIRouter(prefix=UNSUBSCRIBE_PATH, tags=["unsubscribe"])

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
}


def _page(locale: str, body: str, code: int = status.HTTP_200_OK) -> HTMLResponse:
    title = escape(text("unsubscribe.title", locale))
    html = (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=code, headers=_HEADERS)


def _locale(request: Request) -> str:
    accepted = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    return negotiate(accepted or None)


def _read(svc: Services, token: str) -> Unsubscribe | None:
    try:
        what = UnsubscribeLinks(svc.secret, svc.settings.public_base).read(token)
        Channel(what.channel)
    except (LinkInvalid, ValueError):
        return None
    return what


def _invalid(locale: str) -> HTMLResponse:
    return _page(
        locale,
        f"<p>{escape(text('error.invalid.body', locale))}</p>",
        status.HTTP_404_NOT_FOUND,
    )


@router.get(
    "/{token}", response_class=HTMLResponse, summary="The unsubscribe link's confirmation page"
)
async def confirm(
    token: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> HTMLResponse:
    locale = _locale(request)
    if _read(svc, token) is None:
        return _invalid(locale)
    return _page(
        locale,
        f"<p>{escape(text('unsubscribe.question', locale))}</p>"
        f'<form method="post" action="{UNSUBSCRIBE_PATH}/{escape(token)}">'
        f'<button type="submit">{escape(text("unsubscribe.button", locale))}</button></form>',
    )


@router.post(
    "/{token}",
    response_class=HTMLResponse,
    summary="One-click unsubscribe (RFC 8058 List-Unsubscribe-Post): recorded at once",
)
async def unsubscribe(
    token: str, request: Request, svc: Annotated[Services, Depends(services)]
) -> HTMLResponse:
    locale = _locale(request)
    what = _read(svc, token)
    if what is None:
        return _invalid(locale)
    await svc.db(
        svc.ledger_writer.record_opt_out,
        what.shop_id,
        Channel(what.channel),
        what.recipient,
        [what.category],
        OptOutSource.UNSUBSCRIBE_LINK.value,
    )
    log.info("unsubscribed by link", shop=what.shop_id, category=what.category)
    return _page(locale, f"<p>{escape(text('unsubscribe.done', locale))}</p>")
