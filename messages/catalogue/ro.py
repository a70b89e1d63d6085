"""Romanian: every text Waypost says in it (the shape is `messages.shape.Catalogue`)."""

# Deliberately not English: non-Latin letters are not look-alike typos.
# ruff: noqa: RUF001

from messages.shape import Catalogue, DateStyle, ReplyWords, email, sms
from models.notification import Channel
from models.notification import NotificationKind as K

CATALOGUE = Catalogue(
    dates=DateStyle(message="dd.MM", page="EEE dd.MM"),  # '24.11', 'mar. 24.11'
    messages={
        (K.SHIPPED, Channel.SMS): sms(
            "Comanda {order_id} a fost expediată prin {carrier}, AWB {tracking_number}.",
            "{tracking_url}",
        ),
        (K.SHIPPED, Channel.EMAIL): email(
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
        (K.OUT_FOR_DELIVERY, Channel.SMS): sms(
            (
                "Comanda {order_id} a fost predată curierului, livrare {window}.",
                "Comanda {order_id} a fost predată curierului, livrare {eta}.",
                "Comanda {order_id} a fost predată curierului.",
            ),
            "Curier: {courier}.",
        ),
        (K.OUT_FOR_DELIVERY, Channel.EMAIL): email(
            "Comanda {order_id} este în curs de livrare",
            ("Bună ziua, {recipient_name},",),
            (
                "Comanda ta {order_id} a fost predată curierului {carrier}.",
                ("Interval de livrare: {window}.", "Data estimată de livrare: {eta}."),
            ),
            ("Curier: {courier}.",),
            ("Urmărește coletul: {tracking_url}",),
        ),
        (K.DELIVERY_FAILED, Channel.SMS): sms(
            "Comanda {order_id} nu a fost livrată. Curierul revine sau îți spune de unde o ridici.",
            "{tracking_url}",
        ),
        (K.DELIVERY_FAILED, Channel.EMAIL): email(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.SMS): sms(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL): email(
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
        (K.DELIVERED, Channel.SMS): sms(
            "Comanda {order_id} a fost livrată. Mulțumim!",
        ),
        (K.DELIVERED, Channel.EMAIL): email(
            "Comanda {order_id} a fost livrată",
            ("Bună ziua, {recipient_name},",),
            ("Comanda ta {order_id} a fost livrată de {carrier}.", "Sperăm să te bucuri de ea!"),
            (
                "Dacă nu găsești coletul, contactează-ne și menționează numărul AWB "
                "{tracking_number}.",
            ),
        ),
        (K.RETURNED, Channel.SMS): sms(
            "Ne pare rău, comanda {order_id} nu a putut fi livrată și se întoarce la magazin.",
            "{tracking_url}",
        ),
        (K.RETURNED, Channel.EMAIL): email(
            "Comanda {order_id} se întoarce la magazin",
            ("Bună ziua, {recipient_name},",),
            (
                "Ne pare rău: comanda ta {order_id} nu a putut fi livrată, "
                "iar curierul {carrier} o trimite înapoi la magazin.",
            ),
            ("Dacă o mai dorești, contactează-ne și te ajutăm cu plăcere.",),
            ("Urmărește returul: {tracking_url}",),
        ),
        (K.COURIER_ONE_HOUR, Channel.SMS): sms(
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
        (K.COURIER_ONE_HOUR, Channel.EMAIL): email(
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
        (K.PICKUP_REMINDER, Channel.SMS): sms(
            (
                "Comanda {order_id} încă te așteaptă la {pickup_name}.",
                "Comanda {order_id} încă te așteaptă la {pickup_address}.",
                "Comanda {order_id} încă te așteaptă la punctul de ridicare.",
            ),
            "Cod {pickup_code}.",
            ("O poți ridica doar până pe {pickup_deadline}.", "Timpul de păstrare e limitat."),
        ),
        (K.PICKUP_REMINDER, Channel.EMAIL): email(
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
        (K.PICKUP_FINAL_WARNING, Channel.SMS): sms(
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
        (K.PICKUP_FINAL_WARNING, Channel.EMAIL): email(
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
        (K.DELAY_NOTICE, Channel.SMS): sms(
            "Ne pare rău, comanda {order_id} întârzie.",
            ("Noul termen estimat: {new_estimate}.", "Te anunțăm când aflăm noua dată."),
            "{tracking_url}",
        ),
        (K.DELAY_NOTICE, Channel.EMAIL): email(
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
        (K.THANK_YOU, Channel.SMS): sms(
            "Mulțumim pentru comanda {order_id}!",
            "Cupon pentru data viitoare: {coupon_code}.",
            "Părerea ta: {review_url}",
        ),
        (K.THANK_YOU, Channel.EMAIL): email(
            "Îți mulțumim pentru comanda {order_id}",
            ("Bună ziua, {recipient_name},",),
            ("Comanda ta {order_id} a fost livrată. Îți mulțumim că ai cumpărat de la noi!",),
            (
                "Ca mulțumire, îți oferim un cod de reducere pentru următoarea comandă: "
                "{coupon_code}.",
            ),
            ("Ne-ar plăcea să aflăm cum a fost: {review_url}",),
        ),
        (K.SLOT_CHOICE, Channel.SMS): sms(
            (
                "Comanda {order_id}: răspunde cu nr. dorit până la {choose_by} "
                "(altfel nr. 1): {slots}.",
                "Comanda {order_id} a ajuns în orașul tău. "
                "Răspunde cu nr. intervalului dorit: {slots}.",
                "Comanda {order_id} a ajuns în orașul tău. Alege intervalul de livrare: "
                "{tracking_url}",
                "Comanda {order_id} a ajuns în orașul tău.",
            ),
        ),
        (K.SLOT_CHOICE, Channel.EMAIL): email(
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
        (K.SLOT_CONFIRMED, Channel.SMS): sms(
            (
                "Livrarea comenzii {order_id} e confirmată pentru {window}.",
                "Intervalul de livrare al comenzii {order_id} e confirmat.",
            ),
            "Curier: {courier}.",
        ),
        (K.SLOT_CONFIRMED, Channel.EMAIL): email(
            "Intervalul de livrare pentru comanda {order_id} a fost confirmat",
            ("Bună ziua, {recipient_name},",),
            (
                (
                    "Intervalul de livrare pentru comanda ta {order_id} a fost confirmat: "
                    "{window}.",
                    "Intervalul de livrare pentru comanda ta {order_id} a fost confirmat.",
                ),
            ),
            ("Curier: {courier}.",),
            ("Urmărește coletul: {tracking_url}",),
        ),
        (K.SHOP_RETURN_NOTICE, Channel.SMS): sms(
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
        (K.SHOP_RETURN_NOTICE, Channel.EMAIL): email(
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
    },
    page={
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
    },
    answers={
        "unclear_courier": (
            "Nu am înțeles răspunsul. Răspunde 1 dacă ești acasă sau 2 pentru reprogramare.",
        ),
        "unclear_slot": (
            "Nu am înțeles răspunsul. Răspunde cu numărul intervalului dorit, de la 1 la {count}.",
            "Nu am înțeles răspunsul. Răspunde cu numărul intervalului dorit.",
        ),
        "no_question": (
            "Mulțumim! Nu așteptăm niciun răspuns de la tine. Pentru altceva, contactează "
            "magazinul.",
        ),
        "refused": (
            "Ne pare rău, nu am putut modifica livrarea. Te rugăm să contactezi magazinul.",
        ),
        "closed": (
            "Timpul pentru răspuns a expirat. Pentru a modifica livrarea, contactează magazinul.",
        ),
    },
    reply_words=ReplyWords(
        confirm=("da", "bine", "confirm"),
        reschedule=("nu", "reprogramare", "reprogramează", "reprogramati", "amânare"),
        confirm_phrases=("acasă", "sunt acasă", "voi fi acasă"),
        reschedule_phrases=("nu sunt acasă", "nu voi fi acasă", "altă zi"),
    ),
)
