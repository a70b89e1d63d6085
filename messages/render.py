"""Rendering one message (kind, channel, locale) from its context, without I/O.

A clause whose fields are unknown is dropped whole, so a missing courier or tracking link
never leaves "None" or a dangling comma behind. Rendering is pure: a retried activity sends
exactly the same text.

Fields a template may use: MessageContext's strings plus the derived ones built in _values():
window, eta, pickup_deadline, new_estimate (formatted dates), window_hours (the window's
times only, for messages sent on the day), lead_minutes, courier ("name, phone"),
pickup_point ("name, address"), slots (the offered slots, numbered from 1) and choose_by
(known only when there are slots to choose from). SMS use "-" in time ranges (the en dash is
not GSM-7 and would cost English messages the cheaper encoding); emails use the en dash.

A field written "{name:.0}" prints nothing but still drops its clause when unknown: that is
how a sentence about the offered slots is said only when there are slots.

SMS bodies are kept tight: Cyrillic and Polish/Romanian diacritics force UCS-2, where two
segments hold only 134 characters, and every SMS must fit in two with realistic context.
That is why the later pickup SMS name the point without its address (the first one gave it;
a point known only by its address is named by that, which may cost the final warning a
third segment) and the one-hour courier SMS shows the window's times without the date.
The slot-choice SMS lists at most three slots in a compact form ("1) 25.11 10-12"), leaves
out the tracking link, and says only what the customer must do: reply with a number.

Every SMS opens with the shop's name ("Acme Outdoor: Order ..."), when it is known, so the
customer knows who writes. Up to SMS_SHOP_NAME characters it is said whole; a longer one is cut
to that many with an ellipsis ("..." in a GSM-7 message, "…" where the message is UCS-2 anyway).
Every text is written so that this name fits SMS_BUDGET segments with the longest realistic
context of its language (`tests/test_messages.py`, LONGEST_CONTEXTS: every field at its longest,
in the language's own script). Only beyond those bounds (an English SMS turned UCS-2 by a
Cyrillic courier name, say) is the name shortened further, at a word and then a character,
rather than a third segment spent.

Where the shop's policy asks (`NotificationPolicy.sms_opt_out_hint`), the SMS ends with the
opt-out hint ("Reply STOP to opt out.", its STOP one of the words `messages.replies` accepts),
when it fits the budget beside the name; `Rendered.opt_out_hint` says whether it did, so an SMS
without room passes the hint on to the shipment's next one.

An email is a plain-text part (the body) and, given the shop's profile, a branded HTML part
saying the same words (`messages.branded`); the shop's product recommendations, when the
context carries them (the sender leaves them in only for a recipient who may receive the shop's
marketing), are a block in both parts.

The shop's return notice goes to the shop, not the customer: its email greets no one by
name and names the customer only as the one who was warned; its SMS names the point without
its address and leaves the customer out, so the order, carrier and tracking number fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from messages import formats
from messages.branded import email_html, recommendations_text, text_footer
from messages.catalogue import CATALOGUES
from messages.locales import negotiate
from messages.shape import Clause, Template, fields
from messages.sms import Encoding, sms_segments
from models.locale import Locale
from models.notification import Channel, MessageContext, NotificationKind
from models.shop import ShopProfile

SMS_SLOTS = 3
"""How many offered slots a slot-choice SMS lists: more would not fit two UCS-2 segments."""

SMS_SHOP_NAME = 16
"""The most of a shop's name an SMS spends characters on, an ellipsis included."""
SMS_BUDGET = 2
"""Segments every SMS fits in (a UCS-2 message, Cyrillic or diacritics, holds 134 characters)."""

TEMPLATES: Final[Mapping[tuple[NotificationKind, Channel, Locale], Template[str]]] = {
    (kind, channel, locale): template
    for locale, catalogue in CATALOGUES.items()
    for (kind, channel), template in catalogue.messages.items()
}
"""Every template by (kind, channel, locale), gathered from the catalogues."""


class Rendered(BaseModel):
    """One message ready for a provider. For email, `segments` is 0 and `encoding` informative;
    `body` is the plain-text part and `html` the branded one (None for SMS, or with no shop)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str | None
    body: str
    html: str | None = None
    encoding: Encoding
    segments: int
    opt_out_hint: bool = False
    """The SMS ends with the opt-out hint (asked for, and it fitted the budget)."""


def _compact_slot(start: datetime, end: datetime, shown_in: ZoneInfo, locale: Locale) -> str:
    """A slot as an SMS lists it: local "25.11 10-12", or "25.11 9:30-11:00" off the hour.

    A slot ending at midnight ends at 24; one spanning a night (rare: slots are daytime) keeps
    both dates. The zone is not labelled here: the list is labelled once.
    """
    start, end = start.astimezone(shown_in), end.astimezone(shown_in)
    first = formats.day(start, locale)
    next_day = start.date() + timedelta(days=1)
    if end.date() != start.date() and not (end.date() == next_day and end.time() == time(0)):
        since, until = formats.clock(start, locale), formats.clock(end, locale)
        return f"{first} {since}-{formats.day(end, locale)} {until}"
    end_hour = formats.clock(end, locale, "H") if end.date() == start.date() else "24"
    since, until = formats.clock(start, locale, "H"), end_hour
    if start.minute == end.minute == 0:
        return f"{first} {since}-{until}"
    start_min, end_min = formats.clock(start, locale, "mm"), formats.clock(end, locale, "mm")
    return f"{first} {since}:{start_min}-{until}:{end_min}"


def _slot_list(
    slots: Sequence[tuple[datetime, datetime]], shown_in: ZoneInfo, locale: Locale, channel: Channel
) -> str | None:
    """The offered slots numbered from 1, in local time; None when none are offered.

    Email lists every slot, one a line, as a full window. SMS lists the first SMS_SLOTS on one
    line, "1) 25.11 10-12, 2) ...", with the UTC label (if any) once at the end.
    """
    if channel is Channel.EMAIL:
        lines = [
            f"{number}) {formats.window(start, end, shown_in, locale)}"
            for number, (start, end) in enumerate(slots, 1)
        ]
        return "\n".join(lines) or None
    shown = [
        f"{number}) {_compact_slot(start, end, shown_in, locale)}"
        for number, (start, end) in enumerate(slots[:SMS_SLOTS], 1)
    ]
    return f"{', '.join(shown)}{formats.utc_label(shown_in)}" if shown else None


def _estimate(value: datetime, shown_in: ZoneInfo, locale: Locale) -> str:
    """A carrier's new estimate: a bare date as that date, else a local date and time."""
    if formats.is_bare_date(value):
        return formats.day(value, locale)
    return formats.moment(value, shown_in, locale)


def _eta(day: date | None, eta: datetime | None, shown_in: ZoneInfo, locale: Locale) -> str | None:
    """The expected day: a date-only estimate is that day as it is (already the recipient's), an
    instant is the day it falls on where the recipient is."""
    if day is not None:
        return formats.day(day, locale)
    return formats.day(eta.astimezone(shown_in), locale) if eta else None


def _joined(*parts: str | None) -> str | None:
    present = [p.strip() for p in parts if p and p.strip()]
    return ", ".join(present) or None


def sms_shop_name(name: str, *, gsm: bool = True) -> str:
    """The shop's name as an SMS says it: whole up to SMS_SHOP_NAME characters, else cut to that
    length with an ellipsis ("..." keeps a GSM-7 message GSM-7; "…" for one in UCS-2)."""
    name = " ".join(name.split())
    if len(name) <= SMS_SHOP_NAME:
        return name
    ellipsis = "..." if gsm else "\N{HORIZONTAL ELLIPSIS}"
    return name[: SMS_SHOP_NAME - len(ellipsis)].rstrip() + ellipsis


def _values(ctx: MessageContext, locale: Locale, channel: Channel) -> dict[str, str | None]:
    """What templates may say: the context's text, plus dates formatted for the recipient."""
    shown_in = formats.zone(ctx.time_zone)
    dash = "-" if channel is Channel.SMS else formats.EN_DASH
    window = window_hours = None
    if ctx.window_start is not None and ctx.window_end is not None:
        window = formats.window(ctx.window_start, ctx.window_end, shown_in, locale, dash=dash)
        window_hours = formats.hours(ctx.window_start, ctx.window_end, shown_in, locale, dash)
    lead = ctx.lead_minutes
    slots = _slot_list(ctx.slots, shown_in, locale, channel)
    choose_by = None
    if slots and ctx.choose_by is not None:
        separator = " " if channel is Channel.SMS else ", "
        choose_by = formats.moment(ctx.choose_by, shown_in, locale, separator=separator)
    eta, deadline = ctx.estimated_delivery, ctx.pickup_deadline
    values: dict[str, str | None] = {
        "recipient_name": ctx.recipient_name,
        "order_id": ctx.order_id,
        "carrier": ctx.carrier,
        "tracking_number": ctx.tracking_number,
        "tracking_url": ctx.tracking_url,
        "location": ctx.location,
        "window": window,
        "window_hours": window_hours,
        "lead_minutes": str(lead) if lead is not None and lead > 0 else None,
        "eta": _eta(ctx.estimated_day, eta, shown_in, locale),
        "courier": _joined(ctx.courier_name, ctx.courier_phone),
        "courier_name": ctx.courier_name,
        "courier_phone": ctx.courier_phone,
        "pickup_point": _joined(ctx.pickup_name, ctx.pickup_address),
        "pickup_name": ctx.pickup_name,
        "pickup_address": ctx.pickup_address,
        "pickup_code": ctx.pickup_code,
        "pickup_deadline": formats.day(deadline.astimezone(shown_in), locale) if deadline else None,
        "new_estimate": (
            formats.day(ctx.new_estimate_day, locale)
            if ctx.new_estimate_day
            else _estimate(ctx.new_estimate, shown_in, locale)
            if ctx.new_estimate
            else None
        ),
        "coupon_code": ctx.coupon_code,
        "review_url": ctx.review_url,
        "slots": slots,
        "choose_by": choose_by,
        "shop_name": ctx.shop_name,
    }
    return {name: (value.strip() or None) if value else None for name, value in values.items()}


def _shorter_names(name: str) -> list[str]:
    """The shop's name, then shorter: word by word, then character by character."""
    words = name.split()
    by_word = [" ".join(words[:n]) for n in range(len(words) - 1, 0, -1)]
    first = words[0] if words else ""
    return [name, *by_word, *(first[:n] for n in range(len(first) - 1, 0, -1))]


def _within_budget(text: str) -> bool:
    return sms_segments(text)[1] <= SMS_BUDGET


def _named_sms(
    sender: str, values: Mapping[str, str | None], text: str, hint: str | None
) -> tuple[str, bool]:
    """The SMS opened with the shop's name (SMS_SHOP_NAME at most), closed with the opt-out
    `hint` when it fits the budget beside them; and whether the hint is in.

    Beyond the longest contexts the texts are written for, the name is shortened further (a
    word, then a character at a time) rather than a third segment spent.
    """
    name = values["shop_name"]
    if not name:
        with_hint = f"{text} {hint}" if hint else text
        return (with_hint, True) if hint and _within_budget(with_hint) else (text, False)
    gsm = sms_segments(f"{name} {text}")[0] == "GSM-7"
    shown = sms_shop_name(name, gsm=gsm)
    opened = f"{sender.format_map({**values, 'shop_name': shown})} {text}"
    if hint and _within_budget(f"{opened} {hint}"):
        return f"{opened} {hint}", True
    if _within_budget(opened):
        return opened, False
    for shorter in _shorter_names(shown.rstrip(".\N{HORIZONTAL ELLIPSIS}")):
        named = f"{sender.format_map({**values, 'shop_name': shorter})} {text}"
        if _within_budget(named):
            return named, False
    return (text if _within_budget(text) else opened), False


def _clause(clause: Clause[str], values: Mapping[str, str | None]) -> str | None:
    """The first alternative whose fields are all known, filled in; None if there is none."""
    for option in (clause,) if isinstance(clause, str) else clause:
        if all(values[field] for field in fields(option)):
            return option.format_map(values)
    return None


def render(
    kind: NotificationKind,
    channel: Channel,
    locale: str,
    ctx: MessageContext,
    shop: ShopProfile | None = None,
    *,
    opt_out_hint: bool = False,
) -> Rendered:
    """Render one message; pure, so a retried activity sends exactly the same text.

    `shop` brands the email (HTML part, footer) and names the shop when the context does not;
    `opt_out_hint` asks for an SMS's opt-out hint (said when it fits: `Rendered.opt_out_hint`).
    """
    lang = negotiate(locale)
    if shop is not None and not ctx.shop_name:
        ctx = ctx.model_copy(update={"shop_name": shop.display_name})
    catalogue = CATALOGUES[lang]
    template = catalogue.messages[(kind, channel)]
    values = _values(ctx, lang, channel)
    paragraphs, linked = [], []
    for paragraph in template.body:
        clauses = [text for clause in paragraph if (text := _clause(clause, values))]
        if clauses:
            paragraphs.append(" ".join(clauses))
            linked.append(len(paragraph) == 1 and paragraph[0] in catalogue.link_lines)
    if channel is Channel.SMS:
        hint = catalogue.sms_opt_out if opt_out_hint else None
        body, hinted = _named_sms(catalogue.sms_sender, values, " ".join(paragraphs), hint)
        encoding, segments = sms_segments(body)
        return Rendered(
            subject=None, body=body, encoding=encoding, segments=segments, opt_out_hint=hinted
        )
    subject = (_clause(template.subject, values) or "") if template.subject else None
    html = None
    if shop is not None:
        shown = [text for text, link in zip(paragraphs, linked, strict=True) if not link]
        html = email_html(kind, lang, ctx, subject or "", shown, shop)
    if ctx.recommendations:
        paragraphs.append(recommendations_text(ctx, lang))
    if shop is not None:
        paragraphs.append(text_footer(shop, lang))
    body = "\n\n".join(paragraphs)
    encoding, _ = sms_segments(body)
    return Rendered(subject=subject, body=body, html=html, encoding=encoding, segments=0)
