"""Every word the tracking page says, in each supported language, and its dates and times.

Strings are flat dictionaries keyed alike in every locale (a test holds them to the same keys
and placeholders), so a new language is a new dictionary, not code. Dates reuse the messages'
numeric formats (`activities.templates.DATE_FORMATS`), so a day reads the same on the page as
in the SMS that linked to it; the page adds a short weekday, which helps when choosing a slot.
Times are shown in the recipient's zone, and the page says which zone that is.
"""

# The strings are deliberately multilingual: Cyrillic letters are not look-alike typos.
# ruff: noqa: RUF001

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from string import Formatter
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup

from activities.templates import DATE_FORMATS
from models.shipment import Window

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "STRINGS",
    "Translator",
    "format_date",
    "format_estimate",
    "format_moment",
    "format_time",
    "format_window",
    "locale_for",
    "placeholders",
    "text",
    "zone_for",
]

DEFAULT_LOCALE = "en"

_EN: dict[str, str] = {
    "page.title": "Order {order_id}: parcel tracking",
    "page.heading": "Your order {order_id}",
    "page.carrier": "Carrier",
    "page.tracking_number": "Tracking number",
    "page.delivery_kind": "Delivery",
    "page.times_in": "Times are shown in the {zone} time zone.",
    "page.private": "This page is just for you: please don't share its link.",
    "delivery.courier_next_day": "Courier, next day",
    "delivery.courier_multi_day": "Courier, on an agreed day",
    "delivery.pickup_point": "Collect from a pickup point",
    "status.heading": "Status",
    "status.since": "Since {time}",
    "status.shipped": "Shipped",
    "status.in_transit": "In transit",
    "status.out_for_delivery": "Out for delivery",
    "status.delivery_failed": "Delivery attempt failed",
    "status.available_for_pickup": "Ready for pickup",
    "status.delivered": "Delivered",
    "status.returned": "Returned to the shop",
    "status.exception": "Held up by a problem in transit",
    "status.cancelled": "Cancelled",
    "expected.window": "Delivery window",
    "expected.estimate": "Expected delivery",
    "closed.note": "This shipment is closed: there will be no more updates.",
    "live.unavailable": (
        "Some live details are unavailable right now, so this page shows the latest recorded "
        "information. Please try again later."
    ),
    "details.courier": "Your courier",
    "details.courier_name": "Name",
    "details.courier_phone": "Phone",
    "details.pickup": "Pickup point",
    "details.pickup_name": "Name",
    "details.pickup_address": "Address",
    "details.pickup_hours": "Opening hours",
    "details.pickup_code": "Pickup code",
    "details.pickup_deadline": "Collect by",
    "slots.heading": "Choose a delivery time",
    "slots.legend": "Available times",
    "slots.option": "Option {number}: {window}",
    "slots.choose_by": "Please choose by {time}. If you don't, the first time is booked for you.",
    "slots.default": "If you don't choose, the first time is booked for you.",
    "slots.submit": "Book this time",
    "reply.heading": "Will you be at home?",
    "reply.intro": "Your courier is due: {window}. Please let them know whether you'll be there.",
    "reply.confirm": "Yes, I'll be at home",
    "reply.reschedule": "No, choose another time",
    "reply.answered_confirm": "You told the courier you'll be at home ({time}).",
    "reply.answered_reschedule": "You asked for another time ({time}).",
    "pending.heading": "What happens next",
    "pending.courier_one_hour": "Your courier confirms the arrival time with a message",
    "pending.pickup_reminder": "A reminder to collect your parcel",
    "pending.pickup_final_warning": "A last reminder before the parcel goes back",
    "pending.delay_notice": (
        "If there's no news from the carrier by then, we'll tell you about the delay"
    ),
    "pending.slot_confirmed": "If you haven't chosen by then, the first offered time is booked",
    "pending.thank_you": "A thank-you message from the shop",
    "pending.storage_deadline": "Last day to collect: after that the parcel goes back to the shop",
    "pending.other": "Message: {kind}",
    "pending.deferred": "{kind} ({channel}): held until the morning, we don't send at night",
    "route.heading": "Parcel journey",
    "route.empty": "No news from the carrier yet.",
    "route.late": "Reported late by the carrier",
    "route.latest": "Latest update",
    "route.storage_deadline": "Not collected in time: returned to the shop.",
    "notifications.heading": "Messages to you",
    "notifications.empty": "No messages yet.",
    "notifications.to": "To {recipient}",
    "notifications.planned_for": "Planned for {time}",
    "channel.sms": "SMS",
    "channel.email": "Email",
    "kind.shipped": "Shipping confirmation",
    "kind.out_for_delivery": "Out for delivery",
    "kind.delivery_failed": "Delivery attempt failed",
    "kind.available_for_pickup": "Ready for pickup",
    "kind.delivered": "Delivered",
    "kind.returned": "Return notice",
    "kind.courier_one_hour": "Courier's arrival confirmation",
    "kind.pickup_reminder": "Pickup reminder",
    "kind.pickup_final_warning": "Last pickup reminder",
    "kind.delay_notice": "Delay notice",
    "kind.thank_you": "Thank-you message",
    "kind.slot_choice": "Choice of delivery time",
    "kind.slot_confirmed": "Delivery time confirmed",
    "kind.shop_return_notice": "Return notice to the shop",
    "nstatus.planned": "Planned",
    "nstatus.sending": "Sending",
    "nstatus.sent": "Sent",
    "nstatus.delivered": "Delivered",
    "nstatus.undelivered": "Not delivered",
    "nstatus.failed": "Could not be sent",
    "nstatus.suppressed": "Not sent: message limit reached",
    "nstatus.superseded": "Not sent: no longer needed",
    "nstatus.delegated": "Sent by someone else",
    "nstatus.delegated_shop": "Sent by the shop",
    "nstatus.delegated_carrier": "Sent by the carrier",
    "notice.slot_chosen": "Thank you! Your delivery is booked for {window}.",
    "notice.slot_chosen_generic": "Thank you! Your delivery time is booked.",
    "notice.confirmed": "Thank you! The courier knows you'll be at home.",
    "notice.rescheduled": "Noted: you'd like another time. We'll offer you new delivery times.",
    "notice.refused": "Sorry, we couldn't take your answer: {reason}",
    "notice.refused_generic": (
        "Sorry, we couldn't take your answer. Please reload the page and try again."
    ),
    "notice.closed": "This shipment is closed, so it can't be changed any more.",
    "error.invalid.title": "This link doesn't work",
    "error.invalid.body": (
        "This tracking link is incomplete or has a mistake in it. Please open it again from "
        "your message from the shop."
    ),
    "error.expired.title": "This link has expired",
    "error.expired.body": (
        "This tracking link has expired. The latest link is in your most recent message from "
        "the shop."
    ),
    "error.not_found.title": "Parcel not found",
    "error.not_found.body": (
        "We couldn't find a parcel for this link. Please check your most recent message from "
        "the shop, or contact the shop."
    ),
    "error.unavailable.title": "Tracking is unavailable right now",
    "error.unavailable.body": (
        "We can't show your parcel right now. Please try again in a few minutes."
    ),
}

_RU: dict[str, str] = {
    "page.title": "Заказ {order_id}: отслеживание посылки",
    "page.heading": "Ваш заказ {order_id}",
    "page.carrier": "Перевозчик",
    "page.tracking_number": "Трек-номер",
    "page.delivery_kind": "Доставка",
    "page.times_in": "Время указано для часового пояса {zone}.",
    "page.private": "Эта страница только для вас: пожалуйста, не пересылайте ссылку на неё.",
    "delivery.courier_next_day": "Курьером на следующий день",
    "delivery.courier_multi_day": "Курьером в согласованный день",
    "delivery.pickup_point": "В пункт выдачи",
    "status.heading": "Статус",
    "status.since": "С {time}",
    "status.shipped": "Отправлен",
    "status.in_transit": "В пути",
    "status.out_for_delivery": "Передан курьеру",
    "status.delivery_failed": "Доставка не удалась",
    "status.available_for_pickup": "Ждёт в пункте выдачи",
    "status.delivered": "Доставлен",
    "status.returned": "Возвращён в магазин",
    "status.exception": "Задержан из-за проблемы в пути",
    "status.cancelled": "Отменён",
    "expected.window": "Интервал доставки",
    "expected.estimate": "Ожидаемая доставка",
    "closed.note": "Отправление закрыто: обновлений больше не будет.",
    "live.unavailable": (
        "Сейчас часть данных недоступна, поэтому здесь показаны последние сохранённые сведения. "
        "Пожалуйста, зайдите позже."
    ),
    "details.courier": "Ваш курьер",
    "details.courier_name": "Имя",
    "details.courier_phone": "Телефон",
    "details.pickup": "Пункт выдачи",
    "details.pickup_name": "Название",
    "details.pickup_address": "Адрес",
    "details.pickup_hours": "Часы работы",
    "details.pickup_code": "Код получения",
    "details.pickup_deadline": "Забрать до",
    "slots.heading": "Выберите время доставки",
    "slots.legend": "Доступное время",
    "slots.option": "Вариант {number}: {window}",
    "slots.choose_by": "Пожалуйста, выберите до {time}. Иначе будет назначено первое время.",
    "slots.default": "Если вы не выберете, будет назначено первое время.",
    "slots.submit": "Выбрать это время",
    "reply.heading": "Вы будете дома?",
    "reply.intro": "Курьер приедет: {window}. Пожалуйста, сообщите, будете ли вы на месте.",
    "reply.confirm": "Да, я буду дома",
    "reply.reschedule": "Нет, выбрать другое время",
    "reply.answered_confirm": "Вы сообщили курьеру, что будете дома ({time}).",
    "reply.answered_reschedule": "Вы попросили другое время ({time}).",
    "pending.heading": "Что дальше",
    "pending.courier_one_hour": "Курьер подтвердит время приезда сообщением",
    "pending.pickup_reminder": "Напоминание забрать посылку",
    "pending.pickup_final_warning": "Последнее напоминание перед возвратом посылки",
    "pending.delay_notice": (
        "Если к этому времени от перевозчика не будет новостей, мы сообщим о задержке"
    ),
    "pending.slot_confirmed": (
        "Если вы не выберете время до этого момента, будет назначено первое предложенное"
    ),
    "pending.thank_you": "Благодарность от магазина",
    "pending.storage_deadline": (
        "Последний день, чтобы забрать посылку: затем она вернётся в магазин"
    ),
    "pending.other": "Сообщение: {kind}",
    "pending.deferred": "{kind} ({channel}): отправим утром, ночью мы не пишем",
    "route.heading": "Путь посылки",
    "route.empty": "От перевозчика пока нет новостей.",
    "route.late": "Перевозчик сообщил об этом с опозданием",
    "route.latest": "Последнее обновление",
    "route.storage_deadline": "Посылку не забрали вовремя: она возвращена в магазин.",
    "notifications.heading": "Сообщения вам",
    "notifications.empty": "Сообщений пока нет.",
    "notifications.to": "Кому: {recipient}",
    "notifications.planned_for": "Запланировано на {time}",
    "channel.sms": "SMS",
    "channel.email": "Эл. почта",
    "kind.shipped": "Подтверждение отправки",
    "kind.out_for_delivery": "Передан курьеру",
    "kind.delivery_failed": "Доставка не удалась",
    "kind.available_for_pickup": "Готов к выдаче",
    "kind.delivered": "Доставлен",
    "kind.returned": "Уведомление о возврате",
    "kind.courier_one_hour": "Подтверждение приезда курьера",
    "kind.pickup_reminder": "Напоминание о получении",
    "kind.pickup_final_warning": "Последнее напоминание о получении",
    "kind.delay_notice": "Уведомление о задержке",
    "kind.thank_you": "Благодарность",
    "kind.slot_choice": "Выбор времени доставки",
    "kind.slot_confirmed": "Время доставки подтверждено",
    "kind.shop_return_notice": "Уведомление магазину о возврате",
    "nstatus.planned": "Запланировано",
    "nstatus.sending": "Отправляется",
    "nstatus.sent": "Отправлено",
    "nstatus.delivered": "Доставлено",
    "nstatus.undelivered": "Не доставлено",
    "nstatus.failed": "Не удалось отправить",
    "nstatus.suppressed": "Не отправлено: достигнут лимит сообщений",
    "nstatus.superseded": "Не отправлено: уже не актуально",
    "nstatus.delegated": "Отправлено другой стороной",
    "nstatus.delegated_shop": "Отправлено магазином",
    "nstatus.delegated_carrier": "Отправлено перевозчиком",
    "notice.slot_chosen": "Спасибо! Доставка назначена на {window}.",
    "notice.slot_chosen_generic": "Спасибо! Время доставки назначено.",
    "notice.confirmed": "Спасибо! Курьер знает, что вы будете дома.",
    "notice.rescheduled": "Принято: вам нужно другое время. Мы предложим новые варианты доставки.",
    "notice.refused": "К сожалению, мы не смогли принять ваш ответ: {reason}",
    "notice.refused_generic": (
        "К сожалению, мы не смогли принять ваш ответ. Обновите страницу и попробуйте ещё раз."
    ),
    "notice.closed": "Отправление закрыто, изменить его уже нельзя.",
    "error.invalid.title": "Ссылка не работает",
    "error.invalid.body": (
        "Ссылка для отслеживания неполная или содержит ошибку. Пожалуйста, откройте её заново "
        "из сообщения магазина."
    ),
    "error.expired.title": "Срок действия ссылки истёк",
    "error.expired.body": (
        "Срок действия этой ссылки для отслеживания истёк. Актуальная ссылка — в последнем "
        "сообщении от магазина."
    ),
    "error.not_found.title": "Посылка не найдена",
    "error.not_found.body": (
        "Мы не нашли посылку по этой ссылке. Проверьте последнее сообщение от магазина или "
        "свяжитесь с магазином."
    ),
    "error.unavailable.title": "Отслеживание временно недоступно",
    "error.unavailable.body": (
        "Сейчас мы не можем показать вашу посылку. Пожалуйста, попробуйте через несколько минут."
    ),
}

_PL: dict[str, str] = {
    "page.title": "Zamówienie {order_id}: śledzenie przesyłki",
    "page.heading": "Twoje zamówienie {order_id}",
    "page.carrier": "Przewoźnik",
    "page.tracking_number": "Numer przesyłki",
    "page.delivery_kind": "Dostawa",
    "page.times_in": "Godziny podano w strefie czasowej {zone}.",
    "page.private": "Ta strona jest tylko dla Ciebie: nie udostępniaj jej linku.",
    "delivery.courier_next_day": "Kurierem, następnego dnia",
    "delivery.courier_multi_day": "Kurierem, w uzgodnionym terminie",
    "delivery.pickup_point": "Odbiór w punkcie",
    "status.heading": "Status",
    "status.since": "Od {time}",
    "status.shipped": "Wysłana",
    "status.in_transit": "W drodze",
    "status.out_for_delivery": "Wydana do doręczenia",
    "status.delivery_failed": "Nieudana próba doręczenia",
    "status.available_for_pickup": "Gotowa do odbioru",
    "status.delivered": "Doręczona",
    "status.returned": "Zwrócona do sklepu",
    "status.exception": "Wstrzymana z powodu problemu w transporcie",
    "status.cancelled": "Anulowana",
    "expected.window": "Godziny doręczenia",
    "expected.estimate": "Przewidywane doręczenie",
    "closed.note": "Przesyłka jest zamknięta: nie będzie więcej aktualizacji.",
    "live.unavailable": (
        "Część bieżących informacji jest teraz niedostępna, dlatego strona pokazuje ostatnio "
        "zapisane dane. Spróbuj ponownie później."
    ),
    "details.courier": "Twój kurier",
    "details.courier_name": "Imię",
    "details.courier_phone": "Telefon",
    "details.pickup": "Punkt odbioru",
    "details.pickup_name": "Nazwa",
    "details.pickup_address": "Adres",
    "details.pickup_hours": "Godziny otwarcia",
    "details.pickup_code": "Kod odbioru",
    "details.pickup_deadline": "Odbierz do",
    "slots.heading": "Wybierz termin doręczenia",
    "slots.legend": "Dostępne terminy",
    "slots.option": "Termin {number}: {window}",
    "slots.choose_by": "Wybierz do {time}. W przeciwnym razie zarezerwujemy pierwszy termin.",
    "slots.default": "Jeśli nie wybierzesz, zarezerwujemy pierwszy termin.",
    "slots.submit": "Wybieram ten termin",
    "reply.heading": "Czy będziesz w domu?",
    "reply.intro": "Kurier przyjedzie: {window}. Daj znać, czy będziesz na miejscu.",
    "reply.confirm": "Tak, będę w domu",
    "reply.reschedule": "Nie, wybiorę inny termin",
    "reply.answered_confirm": "Potwierdzono kurierowi, że będziesz w domu ({time}).",
    "reply.answered_reschedule": "Poproszono o inny termin ({time}).",
    "pending.heading": "Co dalej",
    "pending.courier_one_hour": "Kurier potwierdzi godzinę przyjazdu wiadomością",
    "pending.pickup_reminder": "Przypomnienie o odbiorze przesyłki",
    "pending.pickup_final_warning": "Ostatnie przypomnienie przed zwrotem przesyłki",
    "pending.delay_notice": (
        "Jeśli do tego czasu przewoźnik nie przekaże nowych informacji, powiadomimy Cię "
        "o opóźnieniu"
    ),
    "pending.slot_confirmed": (
        "Jeśli do tego czasu nie wybierzesz, zarezerwujemy pierwszy proponowany termin"
    ),
    "pending.thank_you": "Podziękowanie od sklepu",
    "pending.storage_deadline": "Ostatni dzień odbioru: potem przesyłka wróci do sklepu",
    "pending.other": "Wiadomość: {kind}",
    "pending.deferred": "{kind} ({channel}): wyślemy rano, w nocy nie wysyłamy wiadomości",
    "route.heading": "Droga przesyłki",
    "route.empty": "Przewoźnik nie przekazał jeszcze żadnych informacji.",
    "route.late": "Przewoźnik zgłosił to z opóźnieniem",
    "route.latest": "Najnowsza informacja",
    "route.storage_deadline": "Przesyłka nie została odebrana na czas: wraca do sklepu.",
    "notifications.heading": "Wiadomości do Ciebie",
    "notifications.empty": "Nie ma jeszcze wiadomości.",
    "notifications.to": "Do: {recipient}",
    "notifications.planned_for": "Zaplanowano na {time}",
    "channel.sms": "SMS",
    "channel.email": "E-mail",
    "kind.shipped": "Potwierdzenie wysyłki",
    "kind.out_for_delivery": "Wydana do doręczenia",
    "kind.delivery_failed": "Nieudana próba doręczenia",
    "kind.available_for_pickup": "Gotowa do odbioru",
    "kind.delivered": "Doręczona",
    "kind.returned": "Informacja o zwrocie",
    "kind.courier_one_hour": "Potwierdzenie przyjazdu kuriera",
    "kind.pickup_reminder": "Przypomnienie o odbiorze",
    "kind.pickup_final_warning": "Ostatnie przypomnienie o odbiorze",
    "kind.delay_notice": "Informacja o opóźnieniu",
    "kind.thank_you": "Podziękowanie",
    "kind.slot_choice": "Wybór terminu doręczenia",
    "kind.slot_confirmed": "Potwierdzenie terminu doręczenia",
    "kind.shop_return_notice": "Informacja o zwrocie dla sklepu",
    "nstatus.planned": "Zaplanowana",
    "nstatus.sending": "W trakcie wysyłania",
    "nstatus.sent": "Wysłana",
    "nstatus.delivered": "Dostarczona",
    "nstatus.undelivered": "Niedostarczona",
    "nstatus.failed": "Nie udało się wysłać",
    "nstatus.suppressed": "Niewysłana: osiągnięto limit wiadomości",
    "nstatus.superseded": "Niewysłana: już nieaktualna",
    "nstatus.delegated": "Wysłana przez kogoś innego",
    "nstatus.delegated_shop": "Wysłana przez sklep",
    "nstatus.delegated_carrier": "Wysłana przez przewoźnika",
    "notice.slot_chosen": "Dziękujemy! Doręczenie zarezerwowano na {window}.",
    "notice.slot_chosen_generic": "Dziękujemy! Termin doręczenia został zarezerwowany.",
    "notice.confirmed": "Dziękujemy! Kurier wie, że będziesz w domu.",
    "notice.rescheduled": (
        "Przyjęliśmy: chcesz inny termin. Zaproponujemy nowe terminy doręczenia."
    ),
    "notice.refused": "Niestety nie udało się przyjąć Twojej odpowiedzi: {reason}",
    "notice.refused_generic": (
        "Niestety nie udało się przyjąć Twojej odpowiedzi. Odśwież stronę i spróbuj ponownie."
    ),
    "notice.closed": "Przesyłka jest zamknięta, nie można już jej zmienić.",
    "error.invalid.title": "Ten link nie działa",
    "error.invalid.body": (
        "Link do śledzenia jest niepełny lub ma w sobie pomyłkę. Otwórz go ponownie "
        "z wiadomości od sklepu."
    ),
    "error.expired.title": "Ten link wygasł",
    "error.expired.body": (
        "Ten link do śledzenia wygasł. Aktualny link znajdziesz w najnowszej wiadomości od sklepu."
    ),
    "error.not_found.title": "Nie znaleziono przesyłki",
    "error.not_found.body": (
        "Nie znaleźliśmy przesyłki dla tego linku. Sprawdź najnowszą wiadomość od sklepu "
        "lub skontaktuj się ze sklepem."
    ),
    "error.unavailable.title": "Śledzenie jest chwilowo niedostępne",
    "error.unavailable.body": (
        "Nie możemy teraz pokazać Twojej przesyłki. Spróbuj ponownie za kilka minut."
    ),
}

_RO: dict[str, str] = {
    "page.title": "Comanda {order_id}: urmărirea coletului",
    "page.heading": "Comanda ta {order_id}",
    "page.carrier": "Transportator",
    "page.tracking_number": "Număr de urmărire",
    "page.delivery_kind": "Livrare",
    "page.times_in": "Orele sunt afișate în fusul orar {zone}.",
    "page.private": "Această pagină este doar pentru tine: te rugăm să nu distribui linkul.",
    "delivery.courier_next_day": "Prin curier, a doua zi",
    "delivery.courier_multi_day": "Prin curier, în ziua stabilită",
    "delivery.pickup_point": "Ridicare de la un punct de colectare",
    "status.heading": "Stare",
    "status.since": "Din {time}",
    "status.shipped": "Expediat",
    "status.in_transit": "În tranzit",
    "status.out_for_delivery": "În curs de livrare",
    "status.delivery_failed": "Livrare eșuată",
    "status.available_for_pickup": "Gata de ridicare",
    "status.delivered": "Livrat",
    "status.returned": "Returnat la magazin",
    "status.exception": "Întârziat din cauza unei probleme la transport",
    "status.cancelled": "Anulat",
    "expected.window": "Interval de livrare",
    "expected.estimate": "Livrare estimată",
    "closed.note": "Expedierea este închisă: nu vor mai exista actualizări.",
    "live.unavailable": (
        "Unele informații nu sunt disponibile acum, așa că pagina arată ultimele date "
        "înregistrate. Te rugăm să încerci din nou mai târziu."
    ),
    "details.courier": "Curierul tău",
    "details.courier_name": "Nume",
    "details.courier_phone": "Telefon",
    "details.pickup": "Punct de colectare",
    "details.pickup_name": "Nume",
    "details.pickup_address": "Adresă",
    "details.pickup_hours": "Program",
    "details.pickup_code": "Cod de ridicare",
    "details.pickup_deadline": "Ridică până la",
    "slots.heading": "Alege intervalul de livrare",
    "slots.legend": "Intervale disponibile",
    "slots.option": "Varianta {number}: {window}",
    "slots.choose_by": "Te rugăm să alegi până la {time}. Altfel, rezervăm primul interval.",
    "slots.default": "Dacă nu alegi, rezervăm primul interval.",
    "slots.submit": "Aleg acest interval",
    "reply.heading": "Vei fi acasă?",
    "reply.intro": "Curierul vine: {window}. Te rugăm să-i spui dacă vei fi acasă.",
    "reply.confirm": "Da, voi fi acasă",
    "reply.reschedule": "Nu, aleg alt interval",
    "reply.answered_confirm": "I-ai confirmat curierului că vei fi acasă ({time}).",
    "reply.answered_reschedule": "Ai cerut alt interval ({time}).",
    "pending.heading": "Ce urmează",
    "pending.courier_one_hour": "Curierul confirmă ora sosirii printr-un mesaj",
    "pending.pickup_reminder": "Un memento să ridici coletul",
    "pending.pickup_final_warning": "Ultimul memento înainte ca coletul să fie returnat",
    "pending.delay_notice": (
        "Dacă până atunci nu avem vești de la transportator, te anunțăm despre întârziere"
    ),
    "pending.slot_confirmed": "Dacă nu alegi până atunci, rezervăm primul interval propus",
    "pending.thank_you": "Un mesaj de mulțumire de la magazin",
    "pending.storage_deadline": (
        "Ultima zi de ridicare: după aceea coletul se întoarce la magazin"
    ),
    "pending.other": "Mesaj: {kind}",
    "pending.deferred": "{kind} ({channel}): îl trimitem dimineața, noaptea nu trimitem mesaje",
    "route.heading": "Traseul coletului",
    "route.empty": "Încă nu avem vești de la transportator.",
    "route.late": "Raportat cu întârziere de transportator",
    "route.latest": "Cea mai recentă actualizare",
    "route.storage_deadline": "Coletul nu a fost ridicat la timp: a fost returnat la magazin.",
    "notifications.heading": "Mesaje către tine",
    "notifications.empty": "Încă nu există mesaje.",
    "notifications.to": "Către {recipient}",
    "notifications.planned_for": "Programat pentru {time}",
    "channel.sms": "SMS",
    "channel.email": "E-mail",
    "kind.shipped": "Confirmare de expediere",
    "kind.out_for_delivery": "În curs de livrare",
    "kind.delivery_failed": "Livrare eșuată",
    "kind.available_for_pickup": "Gata de ridicare",
    "kind.delivered": "Livrat",
    "kind.returned": "Anunț de returnare",
    "kind.courier_one_hour": "Confirmarea sosirii curierului",
    "kind.pickup_reminder": "Memento de ridicare",
    "kind.pickup_final_warning": "Ultimul memento de ridicare",
    "kind.delay_notice": "Anunț de întârziere",
    "kind.thank_you": "Mesaj de mulțumire",
    "kind.slot_choice": "Alegerea intervalului de livrare",
    "kind.slot_confirmed": "Interval de livrare confirmat",
    "kind.shop_return_notice": "Anunț de returnare către magazin",
    "nstatus.planned": "Programat",
    "nstatus.sending": "Se trimite",
    "nstatus.sent": "Trimis",
    "nstatus.delivered": "Livrat",
    "nstatus.undelivered": "Nelivrat",
    "nstatus.failed": "Nu a putut fi trimis",
    "nstatus.suppressed": "Netrimis: limita de mesaje a fost atinsă",
    "nstatus.superseded": "Netrimis: nu mai era necesar",
    "nstatus.delegated": "Trimis de altcineva",
    "nstatus.delegated_shop": "Trimis de magazin",
    "nstatus.delegated_carrier": "Trimis de transportator",
    "notice.slot_chosen": "Mulțumim! Livrarea este programată pentru {window}.",
    "notice.slot_chosen_generic": "Mulțumim! Intervalul de livrare a fost programat.",
    "notice.confirmed": "Mulțumim! Curierul știe că vei fi acasă.",
    "notice.rescheduled": (
        "Am notat: vrei alt interval. Îți vom propune noi intervale de livrare."
    ),
    "notice.refused": "Ne pare rău, nu am putut prelua răspunsul tău: {reason}",
    "notice.refused_generic": (
        "Ne pare rău, nu am putut prelua răspunsul tău. Reîncarcă pagina și încearcă din nou."
    ),
    "notice.closed": "Expedierea este închisă, deci nu mai poate fi modificată.",
    "error.invalid.title": "Acest link nu funcționează",
    "error.invalid.body": (
        "Linkul de urmărire este incomplet sau conține o greșeală. Te rugăm să-l deschizi din "
        "nou din mesajul magazinului."
    ),
    "error.expired.title": "Acest link a expirat",
    "error.expired.body": (
        "Acest link de urmărire a expirat. Cel mai recent link se află în ultimul mesaj primit "
        "de la magazin."
    ),
    "error.not_found.title": "Coletul nu a fost găsit",
    "error.not_found.body": (
        "Nu am găsit niciun colet pentru acest link. Verifică ultimul mesaj de la magazin sau "
        "contactează magazinul."
    ),
    "error.unavailable.title": "Urmărirea nu este disponibilă momentan",
    "error.unavailable.body": (
        "Nu putem afișa coletul tău acum. Te rugăm să încerci din nou peste câteva minute."
    ),
}

STRINGS: dict[str, dict[str, str]] = {"en": _EN, "ru": _RU, "pl": _PL, "ro": _RO}
LOCALES: tuple[str, ...] = tuple(STRINGS)


def locale_for(tag: str | None) -> str:
    """The page language for a locale tag ("pl-PL", "ro_RO", "ru,en;q=0.8"); English otherwise.

    Only the first tag counts: the shipment's own locale is what the page is asked for.
    """
    if not tag:
        return DEFAULT_LOCALE
    first = tag.split(",", 1)[0].split(";", 1)[0].strip()
    primary = first.replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in STRINGS else DEFAULT_LOCALE


def placeholders(template: str) -> frozenset[str]:
    """The `{names}` a string needs (a test keeps them equal across locales)."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


def text(key: str, locale: str, **values: object) -> str:
    """One page string in `locale`, filled in. An unknown key is a bug, so it raises KeyError."""
    template = STRINGS[locale_for(locale)][key]
    return template.format(**values) if values else template


# --- Dates and times --------------------------------------------------------------------------

_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"),
    "pl": ("pon.", "wt.", "śr.", "czw.", "pt.", "sob.", "niedz."),
    "ro": ("lun.", "mar.", "mie.", "joi", "vin.", "sâm.", "dum."),
}
"""Short weekdays for the numeric date formats (English dates already name the day)."""

_DASH = "\N{EN DASH}"


def zone_for(name: str | None) -> ZoneInfo:
    """The recipient's zone; UTC when it is not known or not a valid zone name."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def format_date(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """Local date: "Tue 24 Nov" in English, "вт 24.11" in Russian, and so on."""
    return _day(moment.astimezone(zone), locale_for(locale))


def _day(local: datetime, locale: str) -> str:
    day = DATE_FORMATS[locale](local)
    weekdays = _WEEKDAYS.get(locale)
    return f"{weekdays[local.weekday()]} {day}" if weekdays else day


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


def format_moment(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """Local date and time, e.g. "Tue 24 Nov, 14:05"."""
    return f"{format_date(moment, locale, zone)}, {format_time(moment, zone)}"


def format_window(window: Window, locale: str, zone: ZoneInfo) -> str:
    """Local "date, HH:MM-HH:MM" (an en dash); both dates when the window crosses midnight."""
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    lang = locale_for(locale)
    if start.date() == end.date():
        return f"{_day(start, lang)}, {start:%H:%M}{_DASH}{end:%H:%M}"
    return f"{_day(start, lang)}, {start:%H:%M} {_DASH} {_day(end, lang)}, {end:%H:%M}"


def format_estimate(moment: datetime, locale: str, zone: ZoneInfo) -> str:
    """A carrier's estimate as a date. A bare date arrives as midnight in the carrier's offset:
    it is shown as that calendar date, since converting it would move it to the day before."""
    lang = locale_for(locale)
    if moment.time() == time(0):
        return _day(moment, lang)
    return _day(moment.astimezone(zone), lang)


@dataclass(frozen=True)
class Translator:
    """What templates call: strings and dates in one locale and zone, so a template can never
    mix two languages or show a time in the server's zone."""

    locale: str
    zone: ZoneInfo

    def __call__(self, key: str, **values: object) -> str:
        return text(key, self.locale, **values)

    def has(self, key: str) -> bool:
        return key in STRINGS[locale_for(self.locale)]

    def html(self, key: str, **values: object) -> Markup:
        """A string with markup values (a `<time>` element) inside: the string and any plain
        value are escaped, so the words stay translatable as a whole sentence."""
        return Markup.escape(STRINGS[locale_for(self.locale)][key]).format(**values)

    def moment(self, value: datetime) -> str:
        return format_moment(value, self.locale, self.zone)

    def date(self, value: datetime) -> str:
        return format_date(value, self.locale, self.zone)

    def window(self, value: Window) -> str:
        return format_window(value, self.locale, self.zone)

    def estimate(self, value: datetime) -> str:
        return format_estimate(value, self.locale, self.zone)

    def iso(self, value: datetime) -> str:
        """The machine-readable form for `<time datetime>`, in the shown zone."""
        return value.astimezone(self.zone).isoformat(timespec="minutes")

    def iso_date(self, value: datetime) -> str:
        """The date `estimate` shows, machine-readable."""
        local = value if value.time() == time(0) else value.astimezone(self.zone)
        return local.date().isoformat()
