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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from functools import cache
from string import Formatter
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from models.notification import Channel, MessageContext, NotificationKind

Encoding = Literal["GSM-7", "UCS-2"]

DEFAULT_LOCALE = "en"

SMS_SLOTS = 3
"""How many offered slots a slot-choice SMS lists: more would not fit two UCS-2 segments."""


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
# window, eta, pickup_deadline, new_estimate (formatted dates), window_hours (the window's
# times only, for messages sent on the day), lead_minutes, courier ("name, phone"),
# pickup_point ("name, address"), slots (the offered slots, numbered from 1) and choose_by
# (known only when there are slots to choose from). SMS use "-" in time ranges (the en dash is
# not GSM-7 and would cost English messages the cheaper encoding); emails use the en dash.
#
# A field written "{name:.0}" prints nothing but still drops its clause when unknown: that is
# how a sentence about the offered slots is said only when there are slots.
#
# SMS bodies are kept tight: Cyrillic and Polish/Romanian diacritics force UCS-2, where two
# segments hold only 134 characters, and every SMS must fit in two with realistic context.
# That is why the later pickup SMS name the point without its address (the first one gave it;
# a point known only by its address is named by that, which may cost the final warning a
# third segment) and the one-hour courier SMS shows the window's times without the date.
# The slot-choice SMS lists at most three slots in a compact form ("1) 25.11 10-12"), leaves
# out the tracking link, and says only what the customer must do: reply with a number.
#
# The shop's return notice goes to the shop, not the customer: its email greets no one by
# name and names the customer only as the one who was warned; its SMS names the point without
# its address and leaves the customer out, so the order, carrier and tracking number fit.

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
    (K.COURIER_ONE_HOUR, Channel.SMS, "en"): sms(
        (
            "Courier {courier_name} arrives in about {lead_minutes} min ({window_hours}).",
            "Courier {courier_name} arrives in about {lead_minutes} min.",
            "Courier {courier_name} is on the way ({window_hours}).",
            "Courier {courier_name} is on the way.",
            "Your courier arrives in about {lead_minutes} min ({window_hours}).",
            "Your courier arrives in about {lead_minutes} min.",
            "Your courier is on the way ({window_hours}).",
            "Your courier is on the way.",
        ),
        "Tel. {courier_phone}.",
        "Reply 1 if home, 2 to reschedule.",
    ),
    (K.COURIER_ONE_HOUR, Channel.EMAIL, "en"): email(
        "Your courier is almost there with order {order_id}",
        ("Hi {recipient_name},",),
        (
            (
                "Your courier {courier_name} arrives in about {lead_minutes} minutes "
                "with your order {order_id}.",
                "Your courier arrives in about {lead_minutes} minutes with your order {order_id}.",
                "Your courier {courier_name} is on the way with your order {order_id}.",
                "Your courier is on the way with your order {order_id}.",
            ),
            "Delivery window: {window}.",
        ),
        ("Courier phone: {courier_phone}.",),
        ("Reply 1 to confirm you're home or 2 to reschedule.",),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.PICKUP_REMINDER, Channel.SMS, "en"): sms(
        (
            "Order {order_id} is still waiting at {pickup_name}.",
            "Order {order_id} is still waiting at {pickup_address}.",
            "Order {order_id} is still waiting for pickup.",
        ),
        "Code {pickup_code}.",
        ("It's kept only until {pickup_deadline}.", "Storage is limited."),
    ),
    (K.PICKUP_REMINDER, Channel.EMAIL, "en"): email(
        "Reminder: your order {order_id} is waiting for pickup",
        ("Hi {recipient_name},",),
        (
            (
                "A quick reminder: your order {order_id} is still waiting for you "
                "at {pickup_point}.",
                "A quick reminder: your order {order_id} is still waiting for pickup.",
            ),
        ),
        ("Your pickup code: {pickup_code}.", "Please collect it by {pickup_deadline}."),
        ("The pickup point can only keep parcels for a limited time.",),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.SMS, "en"): sms(
        (
            "Last call: order {order_id} returns to the shop after {pickup_deadline}; "
            "a return fee may apply.",
            "Last call: order {order_id} will soon return to the shop; a return fee may apply.",
        ),
        (
            "Code {pickup_code}, {pickup_name}.",
            "Code {pickup_code}, {pickup_address}.",
            "Code {pickup_code}.",
            "Pickup point: {pickup_name}.",
            "Pickup point: {pickup_address}.",
        ),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.EMAIL, "en"): email(
        "Last reminder: pick up your order {order_id}",
        ("Hi {recipient_name},",),
        (
            (
                "Your order {order_id} is still waiting for you. After {pickup_deadline} "
                "it will go back to the shop, and return shipping may be charged.",
                "Your order {order_id} is still waiting for you. Soon it will go back "
                "to the shop, and return shipping may be charged.",
            ),
        ),
        (
            (
                "Pick it up with code {pickup_code} at {pickup_point}.",
                "Pick it up at {pickup_point}.",
                "Pick it up with code {pickup_code}.",
            ),
        ),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.DELAY_NOTICE, Channel.SMS, "en"): sms(
        "Sorry, order {order_id} is delayed.",
        (
            "New estimate: {new_estimate}.",
            "We'll tell you as soon as the carrier gives a new date.",
        ),
        "{tracking_url}",
    ),
    (K.DELAY_NOTICE, Channel.EMAIL, "en"): email(
        "Your order {order_id} is delayed",
        ("Hi {recipient_name},",),
        ("We're sorry: your order {order_id} is running late with {carrier}.",),
        (
            (
                "The new estimated delivery is {new_estimate}.",
                "We'll let you know as soon as the carrier gives us a new delivery date.",
            ),
        ),
        ("Track your parcel: {tracking_url}",),
        ("Thank you for your patience.",),
    ),
    (K.THANK_YOU, Channel.SMS, "en"): sms(
        "Thank you for your order {order_id}!",
        "Your coupon for next time: {coupon_code}.",
        "How did we do? {review_url}",
    ),
    (K.THANK_YOU, Channel.EMAIL, "en"): email(
        "Thank you for your order {order_id}",
        ("Hi {recipient_name},",),
        ("Your order {order_id} has arrived. Thank you for shopping with us!",),
        ("As a thank-you, here is a coupon for your next order: {coupon_code}.",),
        ("We'd love to hear how it went: {review_url}",),
    ),
    (K.SLOT_CHOICE, Channel.SMS, "en"): sms(
        "Order {order_id} has reached your city.",
        (
            "Reply with the number of the delivery slot you want: {slots}.",
            "Choose a delivery slot: {tracking_url}",
        ),
        "If you don't reply by {choose_by}, slot 1 is confirmed.",
    ),
    (K.SLOT_CHOICE, Channel.EMAIL, "en"): email(
        "Choose a delivery slot for your order {order_id}",
        ("Hi {recipient_name},",),
        (
            "Good news: your order {order_id} has reached your city.",
            "Please choose when {carrier} should deliver it.",
        ),
        ("Available delivery slots:\n{slots}",),
        (
            (
                "{slots:.0}Reply with the number of the slot you prefer, "
                "or choose it using the tracking link: {tracking_url}",
                "{slots:.0}Reply with the number of the slot you prefer.",
                "Choose a delivery slot using the tracking link: {tracking_url}",
            ),
        ),
        ("If we don't hear from you by {choose_by}, we'll confirm slot 1.",),
    ),
    (K.SLOT_CONFIRMED, Channel.SMS, "en"): sms(
        (
            "Order {order_id} delivery confirmed: {window}.",
            "Order {order_id}: delivery slot confirmed.",
        ),
        "Courier: {courier}.",
    ),
    (K.SLOT_CONFIRMED, Channel.EMAIL, "en"): email(
        "Delivery slot confirmed for your order {order_id}",
        ("Hi {recipient_name},",),
        (
            (
                "The delivery slot for your order {order_id} is confirmed: {window}.",
                "The delivery slot for your order {order_id} is confirmed.",
            ),
        ),
        ("Your courier: {courier}.",),
        ("Track your parcel: {tracking_url}",),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.SMS, "en"): sms(
        (
            "Order {order_id} not collected from {pickup_name} by {pickup_deadline}, "
            "returning to you.",
            "Order {order_id} not collected from {pickup_address} by {pickup_deadline}, "
            "returning to you.",
            "Order {order_id} not collected by {pickup_deadline}, returning to you.",
            "Order {order_id} not collected from {pickup_name}, returning to you.",
            "Order {order_id} not collected from {pickup_address}, returning to you.",
            "Order {order_id} not collected, returning to you.",
        ),
        "{carrier} {tracking_number}.",
    ),
    (K.SHOP_RETURN_NOTICE, Channel.EMAIL, "en"): email(
        "Order {order_id}: parcel not collected, returning to you",
        ("Hello,",),
        (
            "The parcel for order {order_id} ({carrier}, tracking number {tracking_number}) "
            "was not collected from the pickup point within the storage period "
            "and is being returned to you.",
        ),
        ("Pickup point: {pickup_point}.", "Storage deadline: {pickup_deadline}."),
        ("The customer, {recipient_name}, was reminded to collect it before the deadline.",),
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
    (K.COURIER_ONE_HOUR, Channel.SMS, "ru"): sms(
        (
            "Курьер {courier_name} будет примерно через {lead_minutes} мин ({window_hours}).",
            "Курьер {courier_name} будет примерно через {lead_minutes} мин.",
            "Курьер {courier_name} уже в пути ({window_hours}).",
            "Курьер {courier_name} уже в пути.",
            "Курьер будет примерно через {lead_minutes} мин ({window_hours}).",
            "Курьер будет примерно через {lead_minutes} мин.",
            "Курьер уже в пути ({window_hours}).",
            "Курьер уже в пути.",
        ),
        "Тел. {courier_phone}.",
        "Ответьте: 1 — дома, 2 — перенести.",
    ),
    (K.COURIER_ONE_HOUR, Channel.EMAIL, "ru"): email(
        "Курьер скоро привезёт заказ {order_id}",
        ("Здравствуйте, {recipient_name}!",),
        (
            (
                "Курьер {courier_name} привезёт ваш заказ {order_id} "
                "примерно через {lead_minutes} мин.",
                "Курьер привезёт ваш заказ {order_id} примерно через {lead_minutes} мин.",
                "Курьер {courier_name} уже везёт ваш заказ {order_id}.",
                "Курьер уже везёт ваш заказ {order_id}.",
            ),
            "Интервал доставки: {window}.",
        ),
        ("Телефон курьера: {courier_phone}.",),
        ("Ответьте 1, чтобы подтвердить, что вы дома, или 2, чтобы перенести доставку.",),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.PICKUP_REMINDER, Channel.SMS, "ru"): sms(
        (
            "Заказ {order_id} всё ещё ждёт вас: {pickup_name}.",
            "Заказ {order_id} всё ещё ждёт вас: {pickup_address}.",
            "Заказ {order_id} всё ещё ждёт вас в пункте выдачи.",
        ),
        "Код {pickup_code}.",
        ("Хранится только до {pickup_deadline}.", "Срок хранения ограничен."),
    ),
    (K.PICKUP_REMINDER, Channel.EMAIL, "ru"): email(
        "Напоминаем: заказ {order_id} ждёт вас в пункте выдачи",
        ("Здравствуйте, {recipient_name}!",),
        (
            (
                "Напоминаем: ваш заказ {order_id} по-прежнему ждёт вас в пункте выдачи: "
                "{pickup_point}.",
                "Напоминаем: ваш заказ {order_id} по-прежнему ждёт вас в пункте выдачи.",
            ),
        ),
        ("Код получения: {pickup_code}.", "Срок хранения: до {pickup_deadline}."),
        ("Пункт выдачи хранит посылки ограниченное время.",),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.SMS, "ru"): sms(
        (
            "Последний шанс: после {pickup_deadline} заказ {order_id} вернётся в магазин, "
            "возможна плата за возврат.",
            "Последний шанс: скоро заказ {order_id} вернётся в магазин, возможна плата за возврат.",
        ),
        (
            "Код {pickup_code}, {pickup_name}.",
            "Код {pickup_code}, {pickup_address}.",
            "Код {pickup_code}.",
            "Пункт выдачи: {pickup_name}.",
            "Пункт выдачи: {pickup_address}.",
        ),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.EMAIL, "ru"): email(
        "Последнее напоминание: заберите заказ {order_id}",
        ("Здравствуйте, {recipient_name}!",),
        (
            (
                "Ваш заказ {order_id} всё ещё ждёт вас. После {pickup_deadline} он вернётся "
                "в магазин, и за обратную доставку может взиматься плата.",
                "Ваш заказ {order_id} всё ещё ждёт вас. Скоро он вернётся в магазин, "
                "и за обратную доставку может взиматься плата.",
            ),
        ),
        (
            (
                "Заберите его с кодом {pickup_code} в пункте выдачи: {pickup_point}.",
                "Заберите его в пункте выдачи: {pickup_point}.",
                "Заберите его с кодом {pickup_code}.",
            ),
        ),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.DELAY_NOTICE, Channel.SMS, "ru"): sms(
        "Извините, заказ {order_id} задерживается.",
        ("Новый срок: {new_estimate}.", "Сообщим новую дату, как только узнаем."),
        "{tracking_url}",
    ),
    (K.DELAY_NOTICE, Channel.EMAIL, "ru"): email(
        "Заказ {order_id} задерживается",
        ("Здравствуйте, {recipient_name}!",),
        (
            "К сожалению, доставка вашего заказа {order_id} службой {carrier} задерживается.",
            "Приносим извинения.",
        ),
        (
            (
                "Новый ожидаемый срок доставки: {new_estimate}.",
                "Мы сообщим новую дату, как только её назовёт служба доставки.",
            ),
        ),
        ("Отследить посылку: {tracking_url}",),
        ("Спасибо за терпение!",),
    ),
    (K.THANK_YOU, Channel.SMS, "ru"): sms(
        "Спасибо за заказ {order_id}!",
        "Промокод на следующую покупку: {coupon_code}.",
        "Оцените нас: {review_url}",
    ),
    (K.THANK_YOU, Channel.EMAIL, "ru"): email(
        "Спасибо за заказ {order_id}",
        ("Здравствуйте, {recipient_name}!",),
        ("Ваш заказ {order_id} доставлен. Спасибо, что выбрали нас!",),
        ("В благодарность дарим промокод на следующую покупку: {coupon_code}.",),
        ("Расскажите, как всё прошло: {review_url}",),
    ),
    (K.SLOT_CHOICE, Channel.SMS, "ru"): sms(
        (
            "Заказ {order_id}: ответьте номером интервала до {choose_by} (иначе №1): {slots}.",
            "Заказ {order_id} в вашем городе. Ответьте номером интервала: {slots}.",
            "Заказ {order_id} в вашем городе. Выберите интервал доставки: {tracking_url}",
            "Заказ {order_id} в вашем городе.",
        ),
    ),
    (K.SLOT_CHOICE, Channel.EMAIL, "ru"): email(
        "Выберите интервал доставки заказа {order_id}",
        ("Здравствуйте, {recipient_name}!",),
        (
            "Ваш заказ {order_id} уже в вашем городе.",
            "Пожалуйста, выберите удобный интервал доставки.",
        ),
        ("Доступные интервалы:\n{slots}",),
        (
            (
                "{slots:.0}Ответьте на это письмо номером выбранного интервала "
                "или выберите его по ссылке для отслеживания: {tracking_url}",
                "{slots:.0}Ответьте на это письмо номером выбранного интервала.",
                "Выбрать интервал можно по ссылке для отслеживания: {tracking_url}",
            ),
        ),
        ("Если вы не сделаете выбор до {choose_by}, мы подтвердим интервал 1.",),
    ),
    (K.SLOT_CONFIRMED, Channel.SMS, "ru"): sms(
        (
            "Интервал доставки заказа {order_id} подтверждён: {window}.",
            "Интервал доставки заказа {order_id} подтверждён.",
        ),
        "Курьер: {courier}.",
    ),
    (K.SLOT_CONFIRMED, Channel.EMAIL, "ru"): email(
        "Интервал доставки заказа {order_id} подтверждён",
        ("Здравствуйте, {recipient_name}!",),
        (
            (
                "Интервал доставки вашего заказа {order_id} подтверждён: {window}.",
                "Интервал доставки вашего заказа {order_id} подтверждён.",
            ),
        ),
        ("Курьер: {courier}.",),
        ("Отследить посылку: {tracking_url}",),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.SMS, "ru"): sms(
        (
            "Заказ {order_id} не забран из пункта {pickup_name} до {pickup_deadline} "
            "и возвращается к вам.",
            "Заказ {order_id} не забран из пункта {pickup_address} до {pickup_deadline} "
            "и возвращается к вам.",
            "Заказ {order_id} не забран до {pickup_deadline} и возвращается к вам.",
            "Заказ {order_id} не забран из пункта {pickup_name} и возвращается к вам.",
            "Заказ {order_id} не забран из пункта {pickup_address} и возвращается к вам.",
            "Заказ {order_id} не забран из пункта выдачи и возвращается к вам.",
        ),
        "{carrier} {tracking_number}.",
    ),
    (K.SHOP_RETURN_NOTICE, Channel.EMAIL, "ru"): email(
        "Заказ {order_id}: посылку не забрали, она возвращается к вам",
        ("Здравствуйте!",),
        (
            "Посылку с заказом {order_id} ({carrier}, трек-номер {tracking_number}) "
            "не забрали из пункта выдачи в срок хранения, и она возвращается к вам.",
        ),
        ("Пункт выдачи: {pickup_point}.", "Срок хранения: до {pickup_deadline}."),
        ("Получатель ({recipient_name}) был заранее предупреждён об окончании срока хранения.",),
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
    (K.COURIER_ONE_HOUR, Channel.SMS, "pl"): sms(
        (
            "Kurier {courier_name} będzie za ok. {lead_minutes} min ({window_hours}).",
            "Kurier {courier_name} będzie za ok. {lead_minutes} min.",
            "Kurier {courier_name} jest w drodze ({window_hours}).",
            "Kurier {courier_name} jest w drodze.",
            "Kurier będzie za ok. {lead_minutes} min ({window_hours}).",
            "Kurier będzie za ok. {lead_minutes} min.",
            "Kurier jest w drodze ({window_hours}).",
            "Kurier jest w drodze.",
        ),
        "Tel. {courier_phone}.",
        "Odpisz: 1 – w domu, 2 – inny termin.",
    ),
    (K.COURIER_ONE_HOUR, Channel.EMAIL, "pl"): email(
        "Kurier wkrótce dostarczy zamówienie {order_id}",
        ("Dzień dobry, {recipient_name}!",),
        (
            (
                "Kurier {courier_name} dostarczy Twoje zamówienie {order_id} "
                "za około {lead_minutes} min.",
                "Kurier dostarczy Twoje zamówienie {order_id} za około {lead_minutes} min.",
                "Kurier {courier_name} jest w drodze z Twoim zamówieniem {order_id}.",
                "Kurier jest w drodze z Twoim zamówieniem {order_id}.",
            ),
            "Planowane okno doręczenia: {window}.",
        ),
        ("Telefon do kuriera: {courier_phone}.",),
        ("Odpisz 1, aby potwierdzić, że jesteś w domu, lub 2, aby zmienić termin.",),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.PICKUP_REMINDER, Channel.SMS, "pl"): sms(
        (
            "Zamówienie {order_id} nadal czeka na odbiór: {pickup_name}.",
            "Zamówienie {order_id} nadal czeka na odbiór: {pickup_address}.",
            "Zamówienie {order_id} nadal czeka na odbiór.",
        ),
        "Kod {pickup_code}.",
        ("Odbiór możliwy tylko do {pickup_deadline}.", "Czas przechowania jest ograniczony."),
    ),
    (K.PICKUP_REMINDER, Channel.EMAIL, "pl"): email(
        "Przypomnienie: zamówienie {order_id} czeka na odbiór",
        ("Dzień dobry, {recipient_name}!",),
        (
            (
                "Przypominamy, że Twoje zamówienie {order_id} nadal czeka na odbiór "
                "w punkcie: {pickup_point}.",
                "Przypominamy, że Twoje zamówienie {order_id} nadal czeka na odbiór.",
            ),
        ),
        ("Kod odbioru: {pickup_code}.", "Termin odbioru: {pickup_deadline}."),
        ("Punkt przechowuje przesyłki tylko przez ograniczony czas.",),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.SMS, "pl"): sms(
        (
            "Ostatnia szansa: po {pickup_deadline} zamówienie {order_id} wróci do sklepu, "
            "możliwa opłata za zwrot.",
            "Ostatnia szansa: wkrótce zamówienie {order_id} wróci do sklepu, "
            "możliwa opłata za zwrot.",
        ),
        (
            "Kod {pickup_code}, {pickup_name}.",
            "Kod {pickup_code}, {pickup_address}.",
            "Kod {pickup_code}.",
            "Punkt odbioru: {pickup_name}.",
            "Punkt odbioru: {pickup_address}.",
        ),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.EMAIL, "pl"): email(
        "Ostatnie przypomnienie: odbierz zamówienie {order_id}",
        ("Dzień dobry, {recipient_name}!",),
        (
            (
                "Twoje zamówienie {order_id} nadal czeka na odbiór. Po {pickup_deadline} "
                "wróci do sklepu, a koszt odesłania może zostać naliczony.",
                "Twoje zamówienie {order_id} nadal czeka na odbiór. Wkrótce wróci do sklepu, "
                "a koszt odesłania może zostać naliczony.",
            ),
        ),
        (
            (
                "Odbierz je w punkcie {pickup_point}, kod odbioru: {pickup_code}.",
                "Odbierz je w punkcie {pickup_point}.",
                "Kod odbioru: {pickup_code}.",
            ),
        ),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.DELAY_NOTICE, Channel.SMS, "pl"): sms(
        "Przepraszamy, zamówienie {order_id} się opóźnia.",
        ("Nowy termin: {new_estimate}.", "Podamy nowy termin, gdy go poznamy."),
        "{tracking_url}",
    ),
    (K.DELAY_NOTICE, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id} się opóźnia",
        ("Dzień dobry, {recipient_name}!",),
        ("Przepraszamy: doręczenie Twojego zamówienia {order_id} ({carrier}) się opóźnia.",),
        (
            (
                "Nowa przewidywana data doręczenia: {new_estimate}.",
                "Poinformujemy Cię o nowej dacie, gdy tylko przewoźnik ją poda.",
            ),
        ),
        ("Śledź przesyłkę: {tracking_url}",),
        ("Dziękujemy za cierpliwość!",),
    ),
    (K.THANK_YOU, Channel.SMS, "pl"): sms(
        "Dziękujemy za zamówienie {order_id}!",
        "Kod rabatowy na kolejne zakupy: {coupon_code}.",
        "Oceń nas: {review_url}",
    ),
    (K.THANK_YOU, Channel.EMAIL, "pl"): email(
        "Dziękujemy za zamówienie {order_id}",
        ("Dzień dobry, {recipient_name}!",),
        ("Twoje zamówienie {order_id} zostało doręczone. Dziękujemy za zakupy!",),
        ("W podziękowaniu mamy dla Ciebie kod rabatowy na kolejne zakupy: {coupon_code}.",),
        ("Napisz nam, jak Ci się podobało: {review_url}",),
    ),
    (K.SLOT_CHOICE, Channel.SMS, "pl"): sms(
        (
            "Zamówienie {order_id}: odpisz numerem terminu do {choose_by} (inaczej nr 1): {slots}.",
            "Zamówienie {order_id} jest już w Twoim mieście. Odpisz numerem terminu: {slots}.",
            "Zamówienie {order_id} jest już w Twoim mieście. "
            "Wybierz termin dostawy: {tracking_url}",
            "Zamówienie {order_id} jest już w Twoim mieście.",
        ),
    ),
    (K.SLOT_CHOICE, Channel.EMAIL, "pl"): email(
        "Wybierz termin doręczenia zamówienia {order_id}",
        ("Dzień dobry, {recipient_name}!",),
        (
            "Twoje zamówienie {order_id} jest już w Twoim mieście.",
            "Wybierz dogodny termin doręczenia.",
        ),
        ("Dostępne terminy:\n{slots}",),
        (
            (
                "{slots:.0}Odpisz, podając numer wybranego terminu, "
                "lub wybierz go przez link do śledzenia przesyłki: {tracking_url}",
                "{slots:.0}Odpisz, podając numer wybranego terminu.",
                "Termin możesz wybrać przez link do śledzenia przesyłki: {tracking_url}",
            ),
        ),
        ("Jeśli nie wybierzesz terminu do {choose_by}, potwierdzimy termin nr 1.",),
    ),
    (K.SLOT_CONFIRMED, Channel.SMS, "pl"): sms(
        (
            "Dostawa zamówienia {order_id} potwierdzona na {window}.",
            "Termin dostawy zamówienia {order_id} potwierdzony.",
        ),
        "Kurier: {courier}.",
    ),
    (K.SLOT_CONFIRMED, Channel.EMAIL, "pl"): email(
        "Termin doręczenia zamówienia {order_id} potwierdzony",
        ("Dzień dobry, {recipient_name}!",),
        (
            (
                "Termin doręczenia Twojego zamówienia {order_id} został potwierdzony: {window}.",
                "Termin doręczenia Twojego zamówienia {order_id} został potwierdzony.",
            ),
        ),
        ("Kurier: {courier}.",),
        ("Śledź przesyłkę: {tracking_url}",),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.SMS, "pl"): sms(
        (
            "Zamówienie {order_id} nieodebrane z {pickup_name} do {pickup_deadline}, "
            "wraca do Państwa.",
            "Zamówienie {order_id} nieodebrane z {pickup_address} do {pickup_deadline}, "
            "wraca do Państwa.",
            "Zamówienie {order_id} nieodebrane do {pickup_deadline}, wraca do Państwa.",
            "Zamówienie {order_id} nieodebrane z {pickup_name}, wraca do Państwa.",
            "Zamówienie {order_id} nieodebrane z {pickup_address}, wraca do Państwa.",
            "Zamówienie {order_id} nieodebrane, wraca do Państwa.",
        ),
        "{carrier} {tracking_number}.",
    ),
    (K.SHOP_RETURN_NOTICE, Channel.EMAIL, "pl"): email(
        "Zamówienie {order_id}: paczka nieodebrana, wraca do Państwa",
        ("Dzień dobry,",),
        (
            "Przesyłka z zamówieniem {order_id} ({carrier}, numer przesyłki {tracking_number}) "
            "nie została odebrana z punktu odbioru w terminie przechowywania "
            "i wraca do Państwa.",
        ),
        ("Punkt odbioru: {pickup_point}.", "Termin odbioru: {pickup_deadline}."),
        ("Odbiorca ({recipient_name}) otrzymał przypomnienie przed upływem terminu.",),
        ("Śledzenie zwrotu: {tracking_url}",),
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
    (K.COURIER_ONE_HOUR, Channel.SMS, "ro"): sms(
        (
            "Curierul {courier_name} ajunge în cca {lead_minutes} min ({window_hours}).",
            "Curierul {courier_name} ajunge în cca {lead_minutes} min.",
            "Curierul {courier_name} e pe drum ({window_hours}).",
            "Curierul {courier_name} e pe drum.",
            "Curierul ajunge în cca {lead_minutes} min ({window_hours}).",
            "Curierul ajunge în cca {lead_minutes} min.",
            "Curierul e pe drum ({window_hours}).",
            "Curierul e pe drum.",
        ),
        "Tel. {courier_phone}.",
        "Răspunde: 1 – acasă, 2 – reprogramare.",
    ),
    (K.COURIER_ONE_HOUR, Channel.EMAIL, "ro"): email(
        "Curierul ajunge curând cu comanda {order_id}",
        ("Bună ziua, {recipient_name},",),
        (
            (
                "Curierul {courier_name} ajunge cu comanda ta {order_id} "
                "în aproximativ {lead_minutes} min.",
                "Curierul ajunge cu comanda ta {order_id} în aproximativ {lead_minutes} min.",
                "Curierul {courier_name} este pe drum cu comanda ta {order_id}.",
                "Curierul este pe drum cu comanda ta {order_id}.",
            ),
            "Interval de livrare: {window}.",
        ),
        ("Telefonul curierului: {courier_phone}.",),
        ("Răspunde 1 ca să confirmi că ești acasă sau 2 ca să reprogramezi livrarea.",),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.PICKUP_REMINDER, Channel.SMS, "ro"): sms(
        (
            "Comanda {order_id} încă te așteaptă la {pickup_name}.",
            "Comanda {order_id} încă te așteaptă la {pickup_address}.",
            "Comanda {order_id} încă te așteaptă la punctul de ridicare.",
        ),
        "Cod {pickup_code}.",
        ("O poți ridica doar până pe {pickup_deadline}.", "Timpul de păstrare e limitat."),
    ),
    (K.PICKUP_REMINDER, Channel.EMAIL, "ro"): email(
        "Reamintire: comanda {order_id} te așteaptă",
        ("Bună ziua, {recipient_name},",),
        (
            (
                "Îți reamintim că comanda ta {order_id} te așteaptă în continuare "
                "la {pickup_point}.",
                "Îți reamintim că comanda ta {order_id} poate fi ridicată în continuare.",
            ),
        ),
        ("Codul de ridicare: {pickup_code}.", "O poți ridica până pe {pickup_deadline}."),
        ("Coletele sunt păstrate doar pentru o perioadă limitată.",),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.SMS, "ro"): sms(
        (
            "Ultima șansă: după {pickup_deadline} comanda {order_id} revine la magazin, "
            "iar returul poate fi taxat.",
            "Ultima șansă: comanda {order_id} revine curând la magazin, "
            "iar returul poate fi taxat.",
        ),
        (
            "Cod {pickup_code}, {pickup_name}.",
            "Cod {pickup_code}, {pickup_address}.",
            "Cod {pickup_code}.",
            "Punct de ridicare: {pickup_name}.",
            "Punct de ridicare: {pickup_address}.",
        ),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.EMAIL, "ro"): email(
        "Ultima reamintire: ridică comanda {order_id}",
        ("Bună ziua, {recipient_name},",),
        (
            (
                "Comanda ta {order_id} te așteaptă încă. După {pickup_deadline} se întoarce "
                "la magazin, iar transportul de retur poate fi taxat.",
                "Comanda ta {order_id} te așteaptă încă. Curând se întoarce la magazin, "
                "iar transportul de retur poate fi taxat.",
            ),
        ),
        (
            (
                "Ridic-o cu codul {pickup_code} de la {pickup_point}.",
                "Ridic-o de la {pickup_point}.",
                "Ridic-o cu codul {pickup_code}.",
            ),
        ),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.DELAY_NOTICE, Channel.SMS, "ro"): sms(
        "Ne pare rău, comanda {order_id} întârzie.",
        ("Noul termen estimat: {new_estimate}.", "Te anunțăm când aflăm noua dată."),
        "{tracking_url}",
    ),
    (K.DELAY_NOTICE, Channel.EMAIL, "ro"): email(
        "Comanda {order_id} întârzie",
        ("Bună ziua, {recipient_name},",),
        ("Ne pare rău: livrarea comenzii tale {order_id} prin {carrier} întârzie.",),
        (
            (
                "Noua dată estimată de livrare: {new_estimate}.",
                "Te anunțăm imediat ce curierul ne comunică o nouă dată de livrare.",
            ),
        ),
        ("Urmărește coletul: {tracking_url}",),
        ("Îți mulțumim pentru răbdare!",),
    ),
    (K.THANK_YOU, Channel.SMS, "ro"): sms(
        "Mulțumim pentru comanda {order_id}!",
        "Cupon pentru data viitoare: {coupon_code}.",
        "Părerea ta: {review_url}",
    ),
    (K.THANK_YOU, Channel.EMAIL, "ro"): email(
        "Îți mulțumim pentru comanda {order_id}",
        ("Bună ziua, {recipient_name},",),
        ("Comanda ta {order_id} a fost livrată. Îți mulțumim că ai cumpărat de la noi!",),
        ("Ca mulțumire, îți oferim un cod de reducere pentru următoarea comandă: {coupon_code}.",),
        ("Ne-ar plăcea să aflăm cum a fost: {review_url}",),
    ),
    (K.SLOT_CHOICE, Channel.SMS, "ro"): sms(
        (
            "Comanda {order_id}: răspunde cu nr. dorit până la {choose_by} "
            "(altfel nr. 1): {slots}.",
            "Comanda {order_id} a ajuns în orașul tău. "
            "Răspunde cu nr. intervalului dorit: {slots}.",
            "Comanda {order_id} a ajuns în orașul tău. Alege intervalul de livrare: {tracking_url}",
            "Comanda {order_id} a ajuns în orașul tău.",
        ),
    ),
    (K.SLOT_CHOICE, Channel.EMAIL, "ro"): email(
        "Alege intervalul de livrare pentru comanda {order_id}",
        ("Bună ziua, {recipient_name},",),
        (
            "Comanda ta {order_id} a ajuns în orașul tău.",
            "Alege intervalul în care vrei să fie livrată.",
        ),
        ("Intervale de livrare disponibile:\n{slots}",),
        (
            (
                "{slots:.0}Răspunde cu numărul intervalului ales "
                "sau alege-l folosind linkul de urmărire: {tracking_url}",
                "{slots:.0}Răspunde cu numărul intervalului ales.",
                "Poți alege intervalul folosind linkul de urmărire: {tracking_url}",
            ),
        ),
        ("Dacă nu alegi până la {choose_by}, confirmăm intervalul 1.",),
    ),
    (K.SLOT_CONFIRMED, Channel.SMS, "ro"): sms(
        (
            "Livrarea comenzii {order_id} e confirmată pentru {window}.",
            "Intervalul de livrare al comenzii {order_id} e confirmat.",
        ),
        "Curier: {courier}.",
    ),
    (K.SLOT_CONFIRMED, Channel.EMAIL, "ro"): email(
        "Intervalul de livrare pentru comanda {order_id} a fost confirmat",
        ("Bună ziua, {recipient_name},",),
        (
            (
                "Intervalul de livrare pentru comanda ta {order_id} a fost confirmat: {window}.",
                "Intervalul de livrare pentru comanda ta {order_id} a fost confirmat.",
            ),
        ),
        ("Curier: {courier}.",),
        ("Urmărește coletul: {tracking_url}",),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.SMS, "ro"): sms(
        (
            "Comanda {order_id}, neridicată de la {pickup_name} până pe {pickup_deadline}, "
            "revine la dvs.",
            "Comanda {order_id}, neridicată de la {pickup_address} până pe {pickup_deadline}, "
            "revine la dvs.",
            "Comanda {order_id}, neridicată până pe {pickup_deadline}, revine la dvs.",
            "Comanda {order_id}, neridicată de la {pickup_name}, revine la dvs.",
            "Comanda {order_id}, neridicată de la {pickup_address}, revine la dvs.",
            "Comanda {order_id} nu a fost ridicată și revine la dvs.",
        ),
        "{carrier} {tracking_number}.",
    ),
    (K.SHOP_RETURN_NOTICE, Channel.EMAIL, "ro"): email(
        "Comanda {order_id}: colet neridicat, vă este returnat",
        ("Bună ziua,",),
        (
            "Coletul comenzii {order_id} ({carrier}, AWB {tracking_number}) nu a fost ridicat "
            "de la punctul de ridicare în termenul de păstrare și vă este returnat.",
        ),
        ("Punct de ridicare: {pickup_point}.", "Termen de ridicare: {pickup_deadline}."),
        ("Destinatarul ({recipient_name}) a fost anunțat înainte de expirarea termenului.",),
        ("Urmăriți returul: {tracking_url}",),
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


def _utc_label(zone: ZoneInfo) -> str:
    return " UTC" if zone.key == "UTC" else ""


def _window(start: datetime, end: datetime, zone: ZoneInfo, locale: str, dash: str) -> str:
    """Local "date, HH:MM-HH:MM"; both dates when the window crosses local midnight."""
    day = DATE_FORMATS[locale]
    start, end = start.astimezone(zone), end.astimezone(zone)
    label = _utc_label(zone)
    if start.date() == end.date():
        return f"{day(start)}, {start:%H:%M}{dash}{end:%H:%M}{label}"
    return f"{day(start)}, {start:%H:%M} {dash} {day(end)}, {end:%H:%M}{label}"


def _window_hours(start: datetime, end: datetime, zone: ZoneInfo, dash: str) -> str:
    """Local "HH:MM-HH:MM" without the date, for a message sent shortly before the window."""
    start, end = start.astimezone(zone), end.astimezone(zone)
    return f"{start:%H:%M}{dash}{end:%H:%M}{_utc_label(zone)}"


def _compact_slot(start: datetime, end: datetime, zone: ZoneInfo, locale: str) -> str:
    """A slot as an SMS lists it: local "25.11 10-12", or "25.11 9:30-11:00" off the hour.

    A slot ending at midnight ends at 24; one spanning a night (rare: slots are daytime) keeps
    both dates. The zone is not labelled here: the list is labelled once.
    """
    day = DATE_FORMATS[locale]
    start, end = start.astimezone(zone), end.astimezone(zone)
    next_day = start.date() + timedelta(days=1)
    if end.date() == start.date() or (end.date() == next_day and end.time() == time(0)):
        end_hour = end.hour if end.date() == start.date() else 24
        if start.minute == end.minute == 0:
            return f"{day(start)} {start.hour}-{end_hour}"
        return f"{day(start)} {start.hour}:{start:%M}-{end_hour}:{end:%M}"
    return f"{day(start)} {start:%H:%M}-{day(end)} {end:%H:%M}"


def _slot_list(
    slots: Sequence[tuple[datetime, datetime]], zone: ZoneInfo, locale: str, channel: Channel
) -> str | None:
    """The offered slots numbered from 1, in local time; None when none are offered.

    Email lists every slot, one a line, as a full window. SMS lists the first SMS_SLOTS on one
    line, "1) 25.11 10-12, 2) ...", with the UTC label (if any) once at the end.
    """
    if channel is Channel.EMAIL:
        dash = "\N{EN DASH}"
        lines = [
            f"{number}) {_window(start, end, zone, locale, dash)}"
            for number, (start, end) in enumerate(slots, 1)
        ]
        return "\n".join(lines) or None
    shown = [
        f"{number}) {_compact_slot(start, end, zone, locale)}"
        for number, (start, end) in enumerate(slots[:SMS_SLOTS], 1)
    ]
    return f"{', '.join(shown)}{_utc_label(zone)}" if shown else None


def _moment(moment: datetime, zone: ZoneInfo, locale: str, separator: str) -> str:
    """Local date and time, e.g. "24.11, 20:00" (SMS: "24.11 20:00")."""
    local = moment.astimezone(zone)
    return f"{DATE_FORMATS[locale](local)}{separator}{local:%H:%M}{_utc_label(zone)}"


def _estimate(moment: datetime, zone: ZoneInfo, locale: str) -> str:
    """A carrier's new estimate: a bare date, or a local date and time when it has one.

    A date without a time arrives as midnight in the carrier's own offset; it is shown as that
    calendar date, since converting it to the recipient's zone would invent an hour (or move
    it to the day before). Any other moment is shown as the recipient's local date and time.
    """
    day = DATE_FORMATS[locale]
    if moment.time() == time(0):
        return day(moment)
    local = moment.astimezone(zone)
    return f"{day(local)}, {local:%H:%M}{_utc_label(zone)}"


# --- Rendering --------------------------------------------------------------------------------


def _joined(*parts: str | None) -> str | None:
    present = [p.strip() for p in parts if p and p.strip()]
    return ", ".join(present) or None


def _values(ctx: MessageContext, locale: str, channel: Channel) -> dict[str, str | None]:
    """What templates may say: the context's text, plus dates formatted for the recipient."""
    zone = _zone(ctx.time_zone)
    day = DATE_FORMATS[locale]
    dash = "-" if channel is Channel.SMS else "\N{EN DASH}"
    window = window_hours = None
    if ctx.window_start is not None and ctx.window_end is not None:
        window = _window(ctx.window_start, ctx.window_end, zone, locale, dash)
        window_hours = _window_hours(ctx.window_start, ctx.window_end, zone, dash)
    lead = ctx.lead_minutes
    slots = _slot_list(ctx.slots, zone, locale, channel)
    choose_by = None
    if slots and ctx.choose_by is not None:
        choose_by = _moment(ctx.choose_by, zone, locale, " " if channel is Channel.SMS else ", ")
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
        "eta": day(ctx.estimated_delivery.astimezone(zone)) if ctx.estimated_delivery else None,
        "courier": _joined(ctx.courier_name, ctx.courier_phone),
        "courier_name": ctx.courier_name,
        "courier_phone": ctx.courier_phone,
        "pickup_point": _joined(ctx.pickup_name, ctx.pickup_address),
        "pickup_name": ctx.pickup_name,
        "pickup_address": ctx.pickup_address,
        "pickup_code": ctx.pickup_code,
        "pickup_deadline": day(ctx.pickup_deadline.astimezone(zone))
        if ctx.pickup_deadline
        else None,
        "new_estimate": _estimate(ctx.new_estimate, zone, locale) if ctx.new_estimate else None,
        "coupon_code": ctx.coupon_code,
        "review_url": ctx.review_url,
        "slots": slots,
        "choose_by": choose_by,
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
