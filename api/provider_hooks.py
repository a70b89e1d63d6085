"""Provider callbacks: Twilio's message status and the customer's SMS replies, SendGrid's events.

Every request is verified with the provider's own scheme (Twilio's validator over the public
URL and form, SendGrid's ECDSA signature) before anything is read; a bad signature is a 403 and
changes nothing. Reports go to the ledger (idempotent, forward only); the ones that moved a
message are forwarded to its workflow, which tries the other channel after a hard failure.

A report the ledger cannot store (a NUL, a MessageSid of thousands of characters) is set aside
by the ledger and answered 2xx like the others: a provider retrying it would only meet the same
refusal, and the rest of a batch must never be lost with it.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel
from temporalio.service import RPCError
from twilio.request_validator import RequestValidator

from api import provider_events as read
from api.outages import QUERY_TIMEOUT, RETRY_AFTER_SECONDS, unavailable
from api.services import Services, services
from api.shop_events import customer_replied
from api.sms_routing import addressed
from infra.links import TWILIO_STATUS_PATH
from infra.telemetry import app_metrics
from ledger.claims import ReportReceipt
from messages.replies import OptKeyword, inbound_answer, opt_keyword
from models.consent import OptOutSource, categories_stopped, opt_out_source
from models.kinds import Category
from models.notification import Channel, DeliveryReport, NotificationKind
from models.shipment import shop_of_ref
from models.state import ShipmentState
from workflows import client as temporal

log = structlog.get_logger("waypost.api.providers")

router = APIRouter(tags=["providers"])

TWILIO_INBOUND_PATH = "/v1/twilio/inbound"
SENDGRID_EVENTS_PATH = "/v1/sendgrid/events"
TWIML = "application/xml"


_FORM_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        },
    }
}


class Problem(BaseModel):
    detail: str


class ReportsAnswer(BaseModel):
    recorded: int
    """Reports kept (repeats are recognised and kept once)."""
    moved: int
    """Messages whose delivery status moved forward."""
    errors: list[str]
    """Events that could not be read, or not stored (set aside); the others were recorded."""


async def _twilio_form(request: Request, svc: Services) -> dict[str, str]:
    """The callback's form, once its X-Twilio-Signature proves Twilio sent it.

    The signature covers the URL Twilio called, so it is rebuilt from the public address when
    one is configured (behind a proxy the request's own URL is not the one Twilio saw).
    """
    token = svc.settings.twilio_auth_token
    if token is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Twilio is not configured here (no auth token)"
        )
    signature = request.headers.get("x-twilio-signature", "")
    if not signature.strip():  # refused before the form is read
        log.warning("twilio signature missing", path=request.url.path)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "X-Twilio-Signature is missing")
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    url = str(request.url)
    if svc.settings.public_base:
        query = f"?{request.url.query}" if request.url.query else ""
        url = f"{svc.settings.public_base}{request.url.path}{query}"
    if not RequestValidator(token.get_secret_value()).validate(url, form, signature):
        log.warning("twilio signature refused", path=request.url.path)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "X-Twilio-Signature does not match")
    return form


async def _record(svc: Services, report: DeliveryReport) -> ReportReceipt:
    """Keep the report (or set it aside); tell the workflow when it moved the message."""
    receipt = await svc.db(svc.ledger_writer.record_delivery_report, report)
    message = receipt.notification
    source = opt_out_source(report)
    if source is not None and message is not None and receipt.new:
        await svc.db(svc.ledger_writer.opt_out_recipient_of, message.key, source)
        log.info("opt-out recorded from a provider's report", key=message.key, source=source)
    if not receipt.moved or message is None:
        return receipt
    if report.status is not None:  # always, when it moved: the status it moved to
        app_metrics(svc.client).message(message.kind, message.channel, report.status)
    forwarded = report.model_copy(update={"key": message.key})
    try:
        await temporal.signal_delivery_report(svc.client, message.shipment_ref, forwarded)
    except RPCError as err:  # a closed shipment: the ledger has it, nothing more to do
        log.info("delivery report not forwarded", key=message.key, error=err.message)
    return receipt


@router.post(
    TWILIO_STATUS_PATH,
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Twilio's message status callback (queued, sent, delivered, undelivered, failed)",
    openapi_extra=_FORM_BODY,
    responses={403: {"model": Problem}, 422: {"model": Problem}},
)
async def twilio_status(request: Request, svc: Annotated[Services, Depends(services)]) -> Response:
    form = await _twilio_form(request, svc)
    try:
        report = read.twilio_status_report(form, svc.clock())
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    await _record(svc, report)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    TWILIO_INBOUND_PATH,
    summary="A customer's SMS reply: a slot number, or 1/2 to the courier's confirmation",
    openapi_extra=_FORM_BODY,
    response_class=Response,
    responses={
        200: {"content": {TWIML: {}}, "description": "TwiML: empty, or a short explanation"},
        403: {"model": Problem},
    },
)
async def twilio_inbound(request: Request, svc: Annotated[Services, Depends(services)]) -> Response:
    form = await _twilio_form(request, svc)
    text = form.get("Body", "")
    keyword = opt_keyword(text)
    if keyword is not None:  # Twilio answers its keywords itself: ours stays empty
        if keyword != "help":
            await _opt(svc, form, keyword)
        return Response(read.twiml(None), media_type=TWIML)
    answer = await _answer_reply(svc, form.get("From", ""), text)
    return Response(read.twiml(answer), media_type=TWIML)


async def _opt(svc: Services, form: dict[str, str], keyword: OptKeyword) -> None:
    """STOP (in any language) records the number's opt-out at the shop it wrote to: the one
    whose own number (or Messaging Service) it replied to, else, on the shared number, the shop
    that last texted it (`api.sms_routing`); START lifts it. No shop meant: nothing changes."""
    sender = form.get("From", "")
    if not sender:
        return
    recipient = svc.hash_recipient(sender)
    meant = await svc.db(_addressed_shop, svc, recipient, form)
    if meant is None:
        log.info("sms opt keyword for no shop: nothing recorded", keyword=keyword)
        return
    shop_id, ref = meant
    writer = svc.ledger_writer
    if keyword == "stop":
        source = OptOutSource.SMS_KEYWORD
        categories = categories_stopped(source, Category.TRANSACTIONAL)
        await svc.db(
            writer.record_opt_out, shop_id, Channel.SMS, recipient, categories, source, ref
        )
    else:
        await svc.db(writer.remove_opt_outs, shop_id, Channel.SMS, recipient, ref)
    log.info("sms opt-out recorded" if keyword == "stop" else "sms opt-in recorded", shop=shop_id)


def _addressed_shop(
    svc: Services, recipient: str, form: dict[str, str]
) -> tuple[str, str | None] | None:
    """The shop an opt keyword from `recipient` (keyed hash) is meant for, with the shipment it
    last texted them about (the shop's webhook names it), or None."""
    settings = svc.settings
    profiles = dict(settings.shop_profiles)
    profiles.update({view.shop.shop_id: view.shop.profile for view in svc.ledger.shops()})
    meant = addressed(
        profiles,
        form.get("To", ""),
        form.get("MessagingServiceSid"),
        shared_number=settings.twilio_from_number,
        shared_service=settings.twilio_messaging_service_sid,
    )
    if meant.among is not None and not meant.among:
        return None
    last = svc.ledger.last_sms_to(recipient, among=meant.among, besides=meant.besides)
    ref = last.shipment_ref if last is not None else None
    if meant.among is not None and len(meant.among) == 1:
        return next(iter(meant.among)), ref
    shop_id = shop_of_ref(ref) if ref is not None else None
    return (shop_id, ref) if shop_id is not None else None


async def _answer_reply(svc: Services, sender: str, text: str) -> str | None:
    """Act on a reply to the latest question we asked this number, and answer it: a short
    acknowledgement of a courier answer, once (a repeated answer gets none), or None when the
    workflow's own message follows (a slot confirmed, slots offered again): the customer must
    not get two messages for one answer."""
    question = (
        await svc.db(svc.ledger.last_question_to, svc.hash_recipient(sender)) if sender else None
    )
    if question is None:
        return inbound_answer("en", "no_question")
    shipment = await svc.db(svc.ledger.shipment, question.shipment_ref)
    locale = shipment.locale if shipment else "en"
    ref = question.shipment_ref
    try:
        if question.kind is NotificationKind.SLOT_CHOICE:
            state = await temporal.shipment_state(svc.client, ref, rpc_timeout=QUERY_TIMEOUT)
            if not state.offered_slots:
                return _after_the_choice(state, text, locale)
            reply = read.interpret_reply(text, "slot_choice", len(state.offered_slots))
            if isinstance(reply, read.ChooseSlot):
                window = await temporal.choose_slot(svc.client, ref, reply.slot)
                await customer_replied(svc, ref, "slot", "sms", slot=reply.slot, window=window)
                return None
            return inbound_answer(locale, "unclear_slot", count=str(len(state.offered_slots)))
        reply = read.interpret_reply(text, "courier_one_hour", 0)
        if isinstance(reply, read.CourierAnswer):
            receipt = await temporal.courier_reply(svc.client, ref, reply.answer, via="sms")
            log.info("courier reply by sms", shipment=ref, outcome=receipt.outcome)
            if receipt.outcome == "repeated":
                return None  # nothing changed: neither the customer nor the shop hears again
            await customer_replied(svc, ref, reply.answer, "sms", outcome=receipt.text)
            if receipt.follows:
                return None
            return inbound_answer(
                locale, "confirmed" if reply.answer == "confirm" else "rescheduled"
            )
        return inbound_answer(locale, "unclear_courier")
    except temporal.EventRefused as err:
        return inbound_answer(locale, "refused", reason=str(err))
    except (temporal.ShipmentClosed, temporal.ShipmentNotFound):
        return inbound_answer(locale, "closed")


def _after_the_choice(state: ShipmentState, text: str, locale: str) -> str | None:
    """A reply to a slot offer once the slot is settled: the chosen slot's number again is a
    repeat (no answer: the confirmation went out); anything else cannot change it any more."""
    offered = state.last_offered_slots
    if offered:
        reply = read.interpret_reply(text, "slot_choice", len(offered))
        if isinstance(reply, read.ChooseSlot) and offered[reply.slot - 1] == state.window:
            return None
    return inbound_answer(locale, "closed")


@router.post(
    SENDGRID_EVENTS_PATH,
    response_model=ReportsAnswer,
    summary="SendGrid's signed Event Webhook (delivered, bounce, dropped, deferred, open...)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}
            },
        }
    },
    responses={403: {"model": Problem}, 422: {"model": Problem}},
)
async def sendgrid_events(
    request: Request, svc: Annotated[Services, Depends(services)]
) -> ReportsAnswer:
    public_key = svc.settings.sendgrid_webhook_public_key
    if public_key is None:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "SendGrid events are not configured here (no WAYPOST_SENDGRID_WEBHOOK_PUBLIC_KEY)",
        )
    signature = request.headers.get(read.SIGNATURE_HEADER)
    timestamp = request.headers.get(read.TIMESTAMP_HEADER)
    _refuse_sendgrid(read.missing_sendgrid_headers(signature, timestamp))  # before the body
    body = await request.body()
    _refuse_sendgrid(
        read.verify_sendgrid_signature(public_key, body, signature, timestamp, svc.clock())
    )
    try:
        reports, errors = read.sendgrid_reports(body)
    except ValueError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    receipts: list[ReportReceipt] = []
    for report in reports:
        try:
            receipts.append(await _record(svc, report))
        except Exception as err:
            if (why := unavailable(err)) is None:
                raise
            # SendGrid retries the whole batch; what was recorded is recognised and kept once.
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE,
                f"{why}: {len(receipts)} of {len(reports)} events recorded before it; send the "
                "batch again (events recorded already are kept once)",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            ) from err
    for receipt in receipts:
        if receipt.set_aside is not None:
            errors.append(
                f"event {receipt.set_aside.key[:80]}: set aside, the ledger cannot store it "
                f"({receipt.set_aside.error_class})"
            )
    return ReportsAnswer(
        recorded=sum(r.set_aside is None for r in receipts),
        moved=sum(r.moved for r in receipts),
        errors=errors,
    )


def _refuse_sendgrid(problem: str | None) -> None:
    if problem is not None:
        log.warning("sendgrid signature refused", reason=problem)
        raise HTTPException(status.HTTP_403_FORBIDDEN, problem)
