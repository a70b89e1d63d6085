"""Every message Waypost sends, as data, rendered without I/O; plus SMS segment counting.

Templates are plain format strings keyed by (kind, channel, locale), so adding a kind or a
language means adding entries, not code. A clause whose fields are unknown is dropped whole,
so a missing courier or tracking link never leaves "None" or a dangling comma behind.
Dates and times are shown in the recipient's time zone with hand-written numeric formats:
the output must not depend on Babel or on the locales installed on the worker.
"""

# The templates are deliberately multilingual: Cyrillic letters are not look-alike typos.
# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from string import Formatter
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from models.notification import Channel, MessageContext, NotificationKind

Encoding = Literal["GSM-7", "UCS-2"]

DEFAULT_LOCALE = "en"


class Rendered(BaseModel):
    """One message ready for a provider. For email, `segments` is 0 and `encoding` informative."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str | None
    body: str
    encoding: Encoding
    segments: int


# --- Templates as data ------------------------------------------------------------------------

Clause = str | tuple[str, ...]
"""A sentence; a tuple offers alternatives, the first whose fields are all known is used."""

Paragraph = tuple[Clause, ...]


@dataclass(frozen=True)
class Template:
    """Paragraphs of clauses. Clauses join with a space, paragraphs with a blank line.

    An SMS is a single paragraph. A clause (or a whole paragraph) that needs an unknown field
    is left out, which is how optional context drops its sentence instead of printing "None".
    """

    body: tuple[Paragraph, ...]
    subject: str | None = None


def sms(*clauses: Clause) -> Template:
    return Template(body=(clauses,))


def email(subject: str, *paragraphs: Paragraph) -> Template:
    return Template(body=paragraphs, subject=subject)


K = NotificationKind

# Fields a template may use: MessageContext's strings plus the derived ones built in _values():
# window, eta, pickup_deadline (formatted dates), courier ("name, phone"), pickup_point
# ("name, address"). SMS use "-" in time ranges (the en dash is not GSM-7 and would cost
# English messages the cheaper encoding); emails use the en dash.
#
# SMS bodies are kept tight: Cyrillic and Polish/Romanian diacritics force UCS-2, where two
# segments hold only 134 characters, and every SMS must fit in two with realistic context.

TEMPLATES: dict[tuple[NotificationKind, Channel, str], Template] = {
    # ---------------------------------------------------------------------------- English
    (K.SHIPPED, Channel.SMS, "en"): sms(
        "Order {order_id} shipped with {carrier}, tracking no. {tracking_number}.",
        "{tracking_url}",
    ),
    (K.SHIPPED, Channel.EMAIL, "en"): email(
        "Your order {order_id} is on its way",
        ("Hi {recipient_name},",),
        (
            "Good news: your order {order_id} has been shipped with {carrier}.",
            "The tracking number is {tracking_number}.",
        ),
        ("Estimated delivery: {eta}.",),
        ("Track your parcel: {tracking_url}",),
        ("Thank you for shopping with us!",),
    ),
    (K.OUT_FOR_DELIVERY, Channel.SMS, "en"): sms(
        (
            "Order {order_id} is out for delivery: {window}.",
            "Order {order_id} is out for delivery, expected {eta}.",
            "Order {order_id} is out for delivery.",
        ),
        "Courier: {courier}.",
    ),
    (K.OUT_FOR_DELIVERY, Channel.EMAIL, "en"): email(
        "Your order {order_id} is out for delivery",
        ("Hi {recipient_name},",),
        (
            "Your order {order_id} is out for delivery with {carrier}.",
            ("Delivery window: {window}.", "Estimated delivery: {eta}."),
        ),
        ("Your courier: {courier}.",),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.DELIVERY_FAILED, Channel.SMS, "en"): sms(
        "Order {order_id} not delivered. The carrier will retry or tell you where to collect it.",
        "{tracking_url}",
    ),
    (K.DELIVERY_FAILED, Channel.EMAIL, "en"): email(
        "Your order {order_id} couldn't be delivered",
        ("Hi {recipient_name},",),
        (
            "{carrier} couldn't deliver your order {order_id}.",
            "The parcel was last scanned at {location}.",
        ),
        ("Nothing is lost: the carrier will try again or tell you where to collect it.",),
        ("Tracking number: {tracking_number}.",),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.SMS, "en"): sms(
        ("Order {order_id} is ready at {pickup_point}.", "Order {order_id} is ready for pickup."),
        (
            "Code {pickup_code}, collect by {pickup_deadline}.",
            "Code {pickup_code}.",
            "Collect by {pickup_deadline}.",
        ),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL, "en"): email(
        "Your order {order_id} is ready for pickup",
        ("Hi {recipient_name},",),
        (
            (
                "Your order {order_id} is waiting for you at {pickup_point}.",
                "Your order {order_id} is ready for pickup.",
            ),
        ),
        ("Your pickup code: {pickup_code}.", "Please collect it by {pickup_deadline}."),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.DELIVERED, Channel.SMS, "en"): sms(
        "Order {order_id} has been delivered. Enjoy!",
    ),
    (K.DELIVERED, Channel.EMAIL, "en"): email(
        "Your order {order_id} has been delivered",
        ("Hi {recipient_name},",),
        ("Your order {order_id} has been delivered by {carrier}.", "We hope you enjoy it!"),
        ("If you can't find it, please contact us and mention tracking number {tracking_number}.",),
    ),
    (K.RETURNED, Channel.SMS, "en"): sms(
        "Sorry, order {order_id} couldn't be delivered and is going back to the shop.",
        "{tracking_url}",
    ),
    (K.RETURNED, Channel.EMAIL, "en"): email(
        "Your order {order_id} is on its way back to us",
        ("Hi {recipient_name},",),
        (
            "We're sorry: your order {order_id} couldn't be delivered, "
            "and {carrier} is returning it to us.",
        ),
        ("If you still want it, please get in touch and we'll be glad to help.",),
        ("Follow the return: {tracking_url}",),
    ),
    # ---------------------------------------------------------------------------- Russian
    (K.SHIPPED, Channel.SMS, "ru"): sms(
        "Заказ {order_id} отправлен ({carrier}), трек-номер {tracking_number}.",
        "{tracking_url}",
    ),
    (K.SHIPPED, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} отправлен",
        ("Здравствуйте, {recipient_name}!",),
        (
            "Ваш заказ {order_id} отправлен.",
            "Служба доставки: {carrier}, трек-номер: {tracking_number}.",
        ),
        ("Ожидаемая дата доставки: {eta}.",),
        ("Отследить посылку: {tracking_url}",),
        ("Спасибо за покупку!",),
    ),
    (K.OUT_FOR_DELIVERY, Channel.SMS, "ru"): sms(
        (
            "Заказ {order_id} передан курьеру, доставка {window}.",
            "Заказ {order_id} передан курьеру, доставка {eta}.",
            "Заказ {order_id} передан курьеру.",
        ),
        "Курьер: {courier}.",
    ),
    (K.OUT_FOR_DELIVERY, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} передан курьеру",
        ("Здравствуйте, {recipient_name}!",),
        (
            "Ваш заказ {order_id} передан курьеру службы доставки {carrier}.",
            ("Интервал доставки: {window}.", "Ожидаемая дата доставки: {eta}."),
        ),
        ("Курьер: {courier}.",),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.DELIVERY_FAILED, Channel.SMS, "ru"): sms(
        "Заказ {order_id} не доставлен. Курьер попробует снова или сообщит, где забрать.",
        "{tracking_url}",
    ),
    (K.DELIVERY_FAILED, Channel.EMAIL, "ru"): email(
        "Не удалось доставить заказ {order_id}",
        ("Здравствуйте, {recipient_name}!",),
        (
            "Служба доставки {carrier} не смогла доставить ваш заказ {order_id}.",
            "Последнее местоположение посылки: {location}.",
        ),
        (
            "Не беспокойтесь: служба доставки попробует доставить его ещё раз "
            "или сообщит, где можно забрать посылку.",
        ),
        ("Трек-номер: {tracking_number}.",),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.SMS, "ru"): sms(
        (
            "Заказ {order_id} ждёт вас: {pickup_point}.",
            "Заказ {order_id} ждёт вас в пункте выдачи.",
        ),
        (
            "Код {pickup_code}, забрать до {pickup_deadline}.",
            "Код {pickup_code}.",
            "Забрать до {pickup_deadline}.",
        ),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} ждёт вас в пункте выдачи",
        ("Здравствуйте, {recipient_name}!",),
        (
            (
                "Ваш заказ {order_id} ждёт вас в пункте выдачи: {pickup_point}.",
                "Ваш заказ {order_id} ждёт вас в пункте выдачи.",
            ),
        ),
        ("Код получения: {pickup_code}.", "Срок хранения: до {pickup_deadline}."),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.DELIVERED, Channel.SMS, "ru"): sms(
        "Заказ {order_id} доставлен. Спасибо за покупку!",
    ),
    (K.DELIVERED, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} доставлен",
        ("Здравствуйте, {recipient_name}!",),
        ("Ваш заказ {order_id} доставлен. Надеемся, он вам понравится!",),
        ("Если вы не получили посылку, свяжитесь с нами и укажите трек-номер {tracking_number}.",),
    ),
    (K.RETURNED, Channel.SMS, "ru"): sms(
        "К сожалению, заказ {order_id} возвращается в магазин.",
        "{tracking_url}",
    ),
    (K.RETURNED, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} возвращается в магазин",
        ("Здравствуйте, {recipient_name}!",),
        (
            "К сожалению, ваш заказ {order_id} не удалось вручить, и служба доставки "
            "{carrier} возвращает его в магазин.",
            "Приносим извинения за неудобства.",
        ),
        ("Если заказ вам всё ещё нужен, свяжитесь с нами, и мы поможем.",),
        ("Отследить возврат: {tracking_url}",),
    ),
    # ----------------------------------------------------------------------------- Polish
    (K.SHIPPED, Channel.SMS, "pl"): sms(
        "Zamówienie {order_id} wysłane ({carrier}, nr {tracking_number}).",
        "{tracking_url}",
    ),
    (K.SHIPPED, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} zostało wysłane",
        ("Dzień dobry, {recipient_name}!",),
        (
            "Twoje zamówienie {order_id} zostało wysłane.",
            "Przewoźnik: {carrier}, numer przesyłki: {tracking_number}.",
        ),
        ("Przewidywana data doręczenia: {eta}.",),
        ("Śledź przesyłkę: {tracking_url}",),
        ("Dziękujemy za zakupy!",),
    ),
    (K.OUT_FOR_DELIVERY, Channel.SMS, "pl"): sms(
        (
            "Zamówienie {order_id} jest u kuriera, dostawa {window}.",
            "Zamówienie {order_id} jest u kuriera, dostawa {eta}.",
            "Zamówienie {order_id} jest u kuriera.",
        ),
        "Kurier: {courier}.",
    ),
    (K.OUT_FOR_DELIVERY, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} wydane do doręczenia",
        ("Dzień dobry, {recipient_name}!",),
        (
            "Twoje zamówienie {order_id} jest już u kuriera ({carrier}).",
            ("Planowane okno doręczenia: {window}.", "Przewidywana data doręczenia: {eta}."),
        ),
        ("Kurier: {courier}.",),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.DELIVERY_FAILED, Channel.SMS, "pl"): sms(
        "Nie doręczono zamówienia {order_id}. Kurier ponowi próbę lub wskaże miejsce odbioru.",
        "{tracking_url}",
    ),
    (K.DELIVERY_FAILED, Channel.EMAIL, "pl"): email(
        "Nie udało się doręczyć zamówienia {order_id}",
        ("Dzień dobry, {recipient_name}!",),
        (
            "Nie udało się doręczyć Twojego zamówienia {order_id} ({carrier}).",
            "Ostatnia lokalizacja przesyłki: {location}.",
        ),
        (
            "Nic straconego: przewoźnik ponowi próbę doręczenia lub poinformuje Cię, "
            "gdzie odebrać przesyłkę.",
        ),
        ("Numer przesyłki: {tracking_number}.",),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.SMS, "pl"): sms(
        (
            "Zamówienie {order_id} do odbioru: {pickup_point}.",
            "Zamówienie {order_id} czeka na odbiór.",
        ),
        (
            "Kod {pickup_code}, odbiór do {pickup_deadline}.",
            "Kod {pickup_code}.",
            "Odbiór do {pickup_deadline}.",
        ),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} czeka na odbiór",
        ("Dzień dobry, {recipient_name}!",),
        (
            (
                "Twoje zamówienie {order_id} czeka na odbiór w punkcie: {pickup_point}.",
                "Twoje zamówienie {order_id} czeka na odbiór.",
            ),
        ),
        ("Kod odbioru: {pickup_code}.", "Termin odbioru: {pickup_deadline}."),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.DELIVERED, Channel.SMS, "pl"): sms(
        "Zamówienie {order_id} zostało doręczone. Dziękujemy za zakupy!",
    ),
    (K.DELIVERED, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} zostało doręczone",
        ("Dzień dobry, {recipient_name}!",),
        ("Twoje zamówienie {order_id} zostało doręczone przez {carrier}.", "Miłego korzystania!"),
        (
            "Jeśli nie możesz znaleźć przesyłki, skontaktuj się z nami i podaj numer przesyłki "
            "{tracking_number}.",
        ),
    ),
    (K.RETURNED, Channel.SMS, "pl"): sms(
        "Przepraszamy, zamówienie {order_id} wraca do sklepu.",
        "{tracking_url}",
    ),
    (K.RETURNED, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} wraca do sklepu",
        ("Dzień dobry, {recipient_name}!",),
        (
            "Przepraszamy: Twoje zamówienie {order_id} nie zostało doręczone "
            "i przewoźnik {carrier} odsyła je do nas.",
        ),
        ("Jeśli nadal chcesz je otrzymać, skontaktuj się z nami, a chętnie pomożemy.",),
        ("Śledź zwrot: {tracking_url}",),
    ),
    # --------------------------------------------------------------------------- Romanian
    (K.SHIPPED, Channel.SMS, "ro"): sms(
        "Comanda {order_id} a fost expediată prin {carrier}, AWB {tracking_number}.",
        "{tracking_url}",
    ),
    (K.SHIPPED, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} a fost expediată",
        ("Bună ziua, {recipient_name},",),
        (
            "Comanda ta {order_id} a fost expediată prin {carrier}.",
            "Numărul AWB: {tracking_number}.",
        ),
        ("Data estimată de livrare: {eta}.",),
        ("Urmărește coletul: {tracking_url}",),
        ("Îți mulțumim pentru comandă!",),
    ),
    (K.OUT_FOR_DELIVERY, Channel.SMS, "ro"): sms(
        (
            "Comanda {order_id} a fost predată curierului, livrare {window}.",
            "Comanda {order_id} a fost predată curierului, livrare {eta}.",
            "Comanda {order_id} a fost predată curierului.",
        ),
        "Curier: {courier}.",
    ),
    (K.OUT_FOR_DELIVERY, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} este în curs de livrare",
        ("Bună ziua, {recipient_name},",),
        (
            "Comanda ta {order_id} a fost predată curierului {carrier}.",
            ("Interval de livrare: {window}.", "Data estimată de livrare: {eta}."),
        ),
        ("Curier: {courier}.",),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.DELIVERY_FAILED, Channel.SMS, "ro"): sms(
        "Comanda {order_id} nu a fost livrată. Curierul revine sau îți spune de unde o ridici.",
        "{tracking_url}",
    ),
    (K.DELIVERY_FAILED, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} nu a putut fi livrată",
        ("Bună ziua, {recipient_name},",),
        (
            "Curierul {carrier} nu a putut livra comanda ta {order_id}.",
            "Ultima locație cunoscută a coletului: {location}.",
        ),
        (
            "Nu-ți face griji: curierul va încerca din nou sau îți va spune "
            "de unde poți ridica coletul.",
        ),
        ("Numărul AWB: {tracking_number}.",),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.SMS, "ro"): sms(
        (
            "Comanda {order_id} a ajuns la {pickup_point}.",
            "Comanda {order_id} poate fi ridicată.",
        ),
        (
            "Cod {pickup_code}, ridic-o până pe {pickup_deadline}.",
            "Cod {pickup_code}.",
            "Ridic-o până pe {pickup_deadline}.",
        ),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} te așteaptă",
        ("Bună ziua, {recipient_name},",),
        (
            (
                "Comanda ta {order_id} te așteaptă la {pickup_point}.",
                "Comanda ta {order_id} poate fi ridicată.",
            ),
        ),
        ("Codul de ridicare: {pickup_code}.", "O poți ridica până pe {pickup_deadline}."),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.DELIVERED, Channel.SMS, "ro"): sms(
        "Comanda {order_id} a fost livrată. Mulțumim!",
    ),
    (K.DELIVERED, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} a fost livrată",
        ("Bună ziua, {recipient_name},",),
        ("Comanda ta {order_id} a fost livrată de {carrier}.", "Sperăm să te bucuri de ea!"),
        ("Dacă nu găsești coletul, contactează-ne și menționează numărul AWB {tracking_number}.",),
    ),
    (K.RETURNED, Channel.SMS, "ro"): sms(
        "Ne pare rău, comanda {order_id} nu a putut fi livrată și se întoarce la magazin.",
        "{tracking_url}",
    ),
    (K.RETURNED, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} se întoarce la magazin",
        ("Bună ziua, {recipient_name},",),
        (
            "Ne pare rău: comanda ta {order_id} nu a putut fi livrată, "
            "iar curierul {carrier} o trimite înapoi la magazin.",
        ),
        ("Dacă o mai dorești, contactează-ne și te ajutăm cu plăcere.",),
        ("Urmărește returul: {tracking_url}",),
    ),
}

LOCALES = frozenset(locale for _, _, locale in TEMPLATES)


# --- Dates and times --------------------------------------------------------------------------

_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _en_date(moment: datetime) -> str:
    return f"{_EN_WEEKDAYS[moment.weekday()]} {moment.day} {_EN_MONTHS[moment.month - 1]}"


def _numeric_date(moment: datetime) -> str:
    return f"{moment.day:02d}.{moment.month:02d}"


DATE_FORMATS: dict[str, Callable[[datetime], str]] = {
    "en": _en_date,  # Tue 24 Nov
    "ru": _numeric_date,  # 24.11
    "pl": _numeric_date,
    "ro": _numeric_date,
}


def _zone(name: str) -> ZoneInfo:
    """The recipient's zone; UTC (which is then labelled) if the name is not a known zone."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _window(start: datetime, end: datetime, zone: ZoneInfo, locale: str, dash: str) -> str:
    """Local "date, HH:MM-HH:MM"; both dates when the window crosses local midnight."""
    day = DATE_FORMATS[locale]
    start, end = start.astimezone(zone), end.astimezone(zone)
    label = " UTC" if zone.key == "UTC" else ""
    if start.date() == end.date():
        return f"{day(start)}, {start:%H:%M}{dash}{end:%H:%M}{label}"
    return f"{day(start)}, {start:%H:%M} {dash} {day(end)}, {end:%H:%M}{label}"


# --- Rendering --------------------------------------------------------------------------------


def _joined(*parts: str | None) -> str | None:
    present = [p.strip() for p in parts if p and p.strip()]
    return ", ".join(present) or None


def _values(ctx: MessageContext, locale: str, channel: Channel) -> dict[str, str | None]:
    """What templates may say: the context's text, plus dates formatted for the recipient."""
    zone = _zone(ctx.time_zone)
    day = DATE_FORMATS[locale]
    dash = "-" if channel is Channel.SMS else "\N{EN DASH}"
    window = None
    if ctx.window_start is not None and ctx.window_end is not None:
        window = _window(ctx.window_start, ctx.window_end, zone, locale, dash)
    values: dict[str, str | None] = {
        "recipient_name": ctx.recipient_name,
        "order_id": ctx.order_id,
        "carrier": ctx.carrier,
        "tracking_number": ctx.tracking_number,
        "tracking_url": ctx.tracking_url,
        "location": ctx.location,
        "window": window,
        "eta": day(ctx.estimated_delivery.astimezone(zone)) if ctx.estimated_delivery else None,
        "courier": _joined(ctx.courier_name, ctx.courier_phone),
        "pickup_point": _joined(ctx.pickup_name, ctx.pickup_address),
        "pickup_code": ctx.pickup_code,
        "pickup_deadline": day(ctx.pickup_deadline.astimezone(zone))
        if ctx.pickup_deadline
        else None,
    }
    return {name: (value.strip() or None) if value else None for name, value in values.items()}


@cache
def _fields(text: str) -> frozenset[str]:
    return frozenset(field for _, field, _, _ in Formatter().parse(text) if field is not None)


def _clause(clause: Clause, values: Mapping[str, str | None]) -> str | None:
    """The first alternative whose fields are all known, filled in; None if there is none."""
    for option in (clause,) if isinstance(clause, str) else clause:
        if all(values[field] for field in _fields(option)):
            return option.format_map(values)
    return None


def _fill(text: str, values: Mapping[str, str | None]) -> str:
    return _clause(text, values) or ""


def language(locale: str) -> str:
    """The supported language for a locale tag ("pl-PL" -> "pl"); English when unsupported."""
    primary = locale.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else DEFAULT_LOCALE


def render(kind: NotificationKind, channel: Channel, locale: str, ctx: MessageContext) -> Rendered:
    """Render one message; pure, so a retried activity sends exactly the same text."""
    lang = language(locale)
    template = TEMPLATES[(kind, channel, lang)]
    values = _values(ctx, lang, channel)
    paragraphs = []
    for paragraph in template.body:
        clauses = [text for clause in paragraph if (text := _clause(clause, values))]
        if clauses:
            paragraphs.append(" ".join(clauses))
    body = "\n\n".join(paragraphs)
    encoding, segments = sms_segments(body)
    if channel is Channel.SMS:
        return Rendered(subject=None, body=body, encoding=encoding, segments=segments)
    subject = _fill(template.subject, values) if template.subject else None
    return Rendered(subject=subject, body=body, encoding=encoding, segments=0)


# --- SMS segments -----------------------------------------------------------------------------

# GSM 03.38 default alphabet (ESC excluded: it only introduces the extension table).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each is sent as ESC + char, so it takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_SEGMENT = {"GSM-7": 160, "UCS-2": 70}
MULTIPART_SEGMENT = {"GSM-7": 153, "UCS-2": 67}  # the rest is the concatenation header


def _units(text: str) -> tuple[Encoding, list[int]]:
    """Each character's size in its encoding's units (septets or UTF-16 code units)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "GSM-7", [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return "UCS-2", [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_segments(text: str) -> tuple[Encoding, int]:
    """Encoding and billed segments, by Twilio's rules: GSM-7 when every character allows it.

    Up to 160 septets (70 UTF-16 units) is one segment; longer text goes in parts of 153 (67).
    An escape pair or a surrogate pair is never split across parts, so a part may hold one
    unit fewer; counting the same way as the network keeps cost estimates honest.
    """
    encoding, units = _units(text)
    if sum(units) <= SINGLE_SEGMENT[encoding]:
        return encoding, 1
    capacity = MULTIPART_SEGMENT[encoding]
    segments, used = 1, 0
    for size in units:
        if used + size > capacity:
            segments, used = segments + 1, 0
        used += size
    return encoding, segments


# --- Cost -------------------------------------------------------------------------------------

# USD per outbound segment, for dashboards and budgets only: the provider's invoice is the
# truth, and list prices change. Add a country (ISO 3166 alpha-2) from the provider's price
# page when its rate matters; every other country is estimated at the default.
DEFAULT_SMS_PRICE = Decimal("0.0079")
SMS_PRICES: dict[str, Decimal] = {
    "US": Decimal("0.0079"),
}


def estimated_sms_cost(segments: int, country_code: str | None = None) -> Decimal:
    """Estimated USD cost of `segments` segments to `country_code` (the default rate if unknown)."""
    if segments < 0:
        raise ValueError("segments cannot be negative")
    price = SMS_PRICES.get((country_code or "").upper(), DEFAULT_SMS_PRICE)
    return price * segments


__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "TEMPLATES",
    "Encoding",
    "Rendered",
    "Template",
    "estimated_sms_cost",
    "language",
    "render",
    "sms_segments",
]
