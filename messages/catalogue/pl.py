"""Polish: every text Waypost says in it (the shape is `messages.shape.Catalogue`)."""

# Deliberately not English: non-Latin letters are not look-alike typos.
# ruff: noqa: RUF001

from messages.shape import Catalogue, DateStyle, ReplyWords, email, sms
from models.notification import Channel
from models.notification import NotificationKind as K

CATALOGUE = Catalogue(
    dates=DateStyle(message="dd.MM", page="EEE dd.MM"),  # '24.11', 'wt. 24.11'
    messages={
        (K.SHIPPED, Channel.SMS): sms(
            "Zamówienie {order_id} wysłane ({carrier}, nr {tracking_number}).",
            "{tracking_url}",
        ),
        (K.SHIPPED, Channel.EMAIL): email(
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
        (K.OUT_FOR_DELIVERY, Channel.SMS): sms(
            (
                "Zamówienie {order_id} jest u kuriera, dostawa {window}.",
                "Zamówienie {order_id} jest u kuriera, dostawa {eta}.",
                "Zamówienie {order_id} jest u kuriera.",
            ),
            "Kurier: {courier}.",
        ),
        (K.OUT_FOR_DELIVERY, Channel.EMAIL): email(
            "Zamówienie {order_id} wydane do doręczenia",
            ("Dzień dobry, {recipient_name}!",),
            (
                "Twoje zamówienie {order_id} jest już u kuriera ({carrier}).",
                ("Planowane okno doręczenia: {window}.", "Przewidywana data doręczenia: {eta}."),
            ),
            ("Kurier: {courier}.",),
            ("Śledź przesyłkę: {tracking_url}",),
        ),
        (K.DELIVERY_FAILED, Channel.SMS): sms(
            "Nie doręczono zamówienia {order_id}. Kurier ponowi próbę lub wskaże miejsce odbioru.",
            "{tracking_url}",
        ),
        (K.DELIVERY_FAILED, Channel.EMAIL): email(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.SMS): sms(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL): email(
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
        (K.DELIVERED, Channel.SMS): sms(
            "Zamówienie {order_id} zostało doręczone. Dziękujemy za zakupy!",
        ),
        (K.DELIVERED, Channel.EMAIL): email(
            "Zamówienie {order_id} zostało doręczone",
            ("Dzień dobry, {recipient_name}!",),
            (
                "Twoje zamówienie {order_id} zostało doręczone przez {carrier}.",
                "Miłego korzystania!",
            ),
            (
                "Jeśli nie możesz znaleźć przesyłki, skontaktuj się z nami i podaj numer przesyłki "
                "{tracking_number}.",
            ),
        ),
        (K.RETURNED, Channel.SMS): sms(
            "Przepraszamy, zamówienie {order_id} wraca do sklepu.",
            "{tracking_url}",
        ),
        (K.RETURNED, Channel.EMAIL): email(
            "Zamówienie {order_id} wraca do sklepu",
            ("Dzień dobry, {recipient_name}!",),
            (
                "Przepraszamy: Twoje zamówienie {order_id} nie zostało doręczone "
                "i przewoźnik {carrier} odsyła je do nas.",
            ),
            ("Jeśli nadal chcesz je otrzymać, skontaktuj się z nami, a chętnie pomożemy.",),
            ("Śledź zwrot: {tracking_url}",),
        ),
        (K.COURIER_ONE_HOUR, Channel.SMS): sms(
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
        (K.COURIER_ONE_HOUR, Channel.EMAIL): email(
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
        (K.PICKUP_REMINDER, Channel.SMS): sms(
            (
                "Zamówienie {order_id} nadal czeka na odbiór: {pickup_name}.",
                "Zamówienie {order_id} nadal czeka na odbiór: {pickup_address}.",
                "Zamówienie {order_id} nadal czeka na odbiór.",
            ),
            "Kod {pickup_code}.",
            ("Odbiór możliwy tylko do {pickup_deadline}.", "Czas przechowania jest ograniczony."),
        ),
        (K.PICKUP_REMINDER, Channel.EMAIL): email(
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
        (K.PICKUP_FINAL_WARNING, Channel.SMS): sms(
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
        (K.PICKUP_FINAL_WARNING, Channel.EMAIL): email(
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
        (K.DELAY_NOTICE, Channel.SMS): sms(
            "Przepraszamy, zamówienie {order_id} się opóźnia.",
            ("Nowy termin: {new_estimate}.", "Podamy nowy termin, gdy go poznamy."),
            "{tracking_url}",
        ),
        (K.DELAY_NOTICE, Channel.EMAIL): email(
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
        (K.THANK_YOU, Channel.SMS): sms(
            "Dziękujemy za zamówienie {order_id}!",
            "Kod rabatowy na kolejne zakupy: {coupon_code}.",
            "Oceń nas: {review_url}",
        ),
        (K.THANK_YOU, Channel.EMAIL): email(
            "Dziękujemy za zamówienie {order_id}",
            ("Dzień dobry, {recipient_name}!",),
            ("Twoje zamówienie {order_id} zostało doręczone. Dziękujemy za zakupy!",),
            ("W podziękowaniu mamy dla Ciebie kod rabatowy na kolejne zakupy: {coupon_code}.",),
            ("Napisz nam, jak Ci się podobało: {review_url}",),
        ),
        (K.SLOT_CHOICE, Channel.SMS): sms(
            (
                "Zamówienie {order_id}: odpisz numerem terminu do {choose_by} (inaczej nr 1): "
                "{slots}.",
                "Zamówienie {order_id} jest już w Twoim mieście. Odpisz numerem terminu: {slots}.",
                "Zamówienie {order_id} jest już w Twoim mieście. "
                "Wybierz termin dostawy: {tracking_url}",
                "Zamówienie {order_id} jest już w Twoim mieście.",
            ),
        ),
        (K.SLOT_CHOICE, Channel.EMAIL): email(
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
        (K.SLOT_CONFIRMED, Channel.SMS): sms(
            (
                "Dostawa zamówienia {order_id} potwierdzona na {window}.",
                "Termin dostawy zamówienia {order_id} potwierdzony.",
            ),
            "Kurier: {courier}.",
        ),
        (K.SLOT_CONFIRMED, Channel.EMAIL): email(
            "Termin doręczenia zamówienia {order_id} potwierdzony",
            ("Dzień dobry, {recipient_name}!",),
            (
                (
                    "Termin doręczenia Twojego zamówienia {order_id} został potwierdzony: "
                    "{window}.",
                    "Termin doręczenia Twojego zamówienia {order_id} został potwierdzony.",
                ),
            ),
            ("Kurier: {courier}.",),
            ("Śledź przesyłkę: {tracking_url}",),
        ),
        (K.SHOP_RETURN_NOTICE, Channel.SMS): sms(
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
        (K.SHOP_RETURN_NOTICE, Channel.EMAIL): email(
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
    },
    page={
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
            "Ten link do śledzenia wygasł. Aktualny link znajdziesz w najnowszej wiadomości od "
            "sklepu."
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
    },
    answers={
        "unclear_courier": (
            "Nie rozumiemy odpowiedzi. Odpisz 1, jeśli jesteś w domu, lub 2, by zmienić termin.",
        ),
        "unclear_slot": (
            "Nie rozumiemy odpowiedzi. Odpisz numerem wybranego terminu, od 1 do {count}.",
            "Nie rozumiemy odpowiedzi. Odpisz numerem wybranego terminu.",
        ),
        "no_question": (
            "Dziękujemy! Nie czekamy na Twoją odpowiedź. W innych sprawach skontaktuj się ze "
            "sklepem.",
        ),
        "refused": ("Niestety nie udało się zmienić dostawy. Skontaktuj się ze sklepem.",),
        "closed": ("Czas na odpowiedź minął. Aby zmienić dostawę, skontaktuj się ze sklepem.",),
    },
    reply_words=ReplyWords(
        confirm=("tak", "dobrze", "potwierdzam"),
        reschedule=("nie", "przełóż", "przełożyć", "przełożenie"),
        confirm_phrases=("w domu", "jestem w domu", "będę w domu"),
        reschedule_phrases=(
            "nie w domu",
            "nie jestem w domu",
            "nie ma mnie w domu",
            "nie będzie mnie",
            "inny termin",
        ),
    ),
)
