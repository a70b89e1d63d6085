"""Russian: every text Waypost says in it (the shape is `messages.shape.Catalogue`)."""

# Deliberately not English: non-Latin letters are not look-alike typos.
# ruff: noqa: RUF001

from messages.shape import Catalogue, DateStyle, ReplyWords, email, sms
from models.notification import Channel
from models.notification import NotificationKind as K

CATALOGUE = Catalogue(
    dates=DateStyle(message="dd.MM", page="EEE dd.MM"),  # '24.11', 'вт 24.11'
    messages={
        (K.SHIPPED, Channel.SMS): sms(
            "Заказ {order_id} отправлен ({carrier}), трек-номер {tracking_number}.",
            "{tracking_url}",
        ),
        (K.SHIPPED, Channel.EMAIL): email(
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
        (K.OUT_FOR_DELIVERY, Channel.SMS): sms(
            (
                "Заказ {order_id} передан курьеру, доставка {window}.",
                "Заказ {order_id} передан курьеру, доставка {eta}.",
                "Заказ {order_id} передан курьеру.",
            ),
            "Курьер: {courier}.",
        ),
        (K.OUT_FOR_DELIVERY, Channel.EMAIL): email(
            "Заказ {order_id} передан курьеру",
            ("Здравствуйте, {recipient_name}!",),
            (
                "Ваш заказ {order_id} передан курьеру службы доставки {carrier}.",
                ("Интервал доставки: {window}.", "Ожидаемая дата доставки: {eta}."),
            ),
            ("Курьер: {courier}.",),
            ("Отследить посылку: {tracking_url}",),
        ),
        (K.DELIVERY_FAILED, Channel.SMS): sms(
            "Заказ {order_id} не доставлен. Курьер попробует снова или сообщит, где забрать.",
            "{tracking_url}",
        ),
        (K.DELIVERY_FAILED, Channel.EMAIL): email(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.SMS): sms(
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
        (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL): email(
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
        (K.DELIVERED, Channel.SMS): sms(
            "Заказ {order_id} доставлен. Спасибо за покупку!",
        ),
        (K.DELIVERED, Channel.EMAIL): email(
            "Заказ {order_id} доставлен",
            ("Здравствуйте, {recipient_name}!",),
            ("Ваш заказ {order_id} доставлен. Надеемся, он вам понравится!",),
            (
                "Если вы не получили посылку, свяжитесь с нами и укажите трек-номер "
                "{tracking_number}.",
            ),
        ),
        (K.RETURNED, Channel.SMS): sms(
            "К сожалению, заказ {order_id} возвращается в магазин.",
            "{tracking_url}",
        ),
        (K.RETURNED, Channel.EMAIL): email(
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
        (K.COURIER_ONE_HOUR, Channel.SMS): sms(
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
        (K.COURIER_ONE_HOUR, Channel.EMAIL): email(
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
        (K.PICKUP_REMINDER, Channel.SMS): sms(
            (
                "Заказ {order_id} всё ещё ждёт вас: {pickup_name}.",
                "Заказ {order_id} всё ещё ждёт вас: {pickup_address}.",
                "Заказ {order_id} всё ещё ждёт вас в пункте выдачи.",
            ),
            "Код {pickup_code}.",
            ("Хранится только до {pickup_deadline}.", "Срок хранения ограничен."),
        ),
        (K.PICKUP_REMINDER, Channel.EMAIL): email(
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
        (K.PICKUP_FINAL_WARNING, Channel.SMS): sms(
            (
                "Последний шанс: после {pickup_deadline} заказ {order_id} вернётся в магазин, "
                "возможна плата за возврат.",
                "Последний шанс: скоро заказ {order_id} вернётся в магазин, возможна плата за "
                "возврат.",
            ),
            (
                "Код {pickup_code}, {pickup_name}.",
                "Код {pickup_code}, {pickup_address}.",
                "Код {pickup_code}.",
                "Пункт выдачи: {pickup_name}.",
                "Пункт выдачи: {pickup_address}.",
            ),
        ),
        (K.PICKUP_FINAL_WARNING, Channel.EMAIL): email(
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
        (K.DELAY_NOTICE, Channel.SMS): sms(
            "Извините, заказ {order_id} задерживается.",
            ("Новый срок: {new_estimate}.", "Сообщим новую дату, как только узнаем."),
            "{tracking_url}",
        ),
        (K.DELAY_NOTICE, Channel.EMAIL): email(
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
        (K.THANK_YOU, Channel.SMS): sms(
            "Спасибо за заказ {order_id}!",
            "Промокод на следующую покупку: {coupon_code}.",
            "Оцените нас: {review_url}",
        ),
        (K.THANK_YOU, Channel.EMAIL): email(
            "Спасибо за заказ {order_id}",
            ("Здравствуйте, {recipient_name}!",),
            ("Ваш заказ {order_id} доставлен. Спасибо, что выбрали нас!",),
            ("В благодарность дарим промокод на следующую покупку: {coupon_code}.",),
            ("Расскажите, как всё прошло: {review_url}",),
        ),
        (K.SLOT_CHOICE, Channel.SMS): sms(
            (
                "Заказ {order_id}: ответьте номером интервала до {choose_by} (иначе №1): {slots}.",
                "Заказ {order_id} в вашем городе. Ответьте номером интервала: {slots}.",
                "Заказ {order_id} в вашем городе. Выберите интервал доставки: {tracking_url}",
                "Заказ {order_id} в вашем городе.",
            ),
        ),
        (K.SLOT_CHOICE, Channel.EMAIL): email(
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
        (K.SLOT_CONFIRMED, Channel.SMS): sms(
            (
                "Интервал доставки заказа {order_id} подтверждён: {window}.",
                "Интервал доставки заказа {order_id} подтверждён.",
            ),
            "Курьер: {courier}.",
        ),
        (K.SLOT_CONFIRMED, Channel.EMAIL): email(
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
        (K.SHOP_RETURN_NOTICE, Channel.SMS): sms(
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
        (K.SHOP_RETURN_NOTICE, Channel.EMAIL): email(
            "Заказ {order_id}: посылку не забрали, она возвращается к вам",
            ("Здравствуйте!",),
            (
                "Посылку с заказом {order_id} ({carrier}, трек-номер {tracking_number}) "
                "не забрали из пункта выдачи в срок хранения, и она возвращается к вам.",
            ),
            ("Пункт выдачи: {pickup_point}.", "Срок хранения: до {pickup_deadline}."),
            (
                "Получатель ({recipient_name}) был заранее предупреждён об окончании срока "
                "хранения.",
            ),
            ("Отследить возврат: {tracking_url}",),
        ),
    },
    page={
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
            "Сейчас часть данных недоступна, поэтому здесь показаны последние сохранённые "
            "сведения. "
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
        "notice.rescheduled": (
            "Принято: вам нужно другое время. Мы предложим новые варианты доставки."
        ),
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
            "Сейчас мы не можем показать вашу посылку. Пожалуйста, попробуйте через несколько "
            "минут."
        ),
    },
    answers={
        "unclear_courier": (
            "Не удалось понять ответ. Ответьте 1, если вы дома, или 2, чтобы перенести доставку.",
        ),
        "unclear_slot": (
            "Не удалось понять ответ. Ответьте номером выбранного интервала, от 1 до {count}.",
            "Не удалось понять ответ. Ответьте номером выбранного интервала.",
        ),
        "no_question": (
            "Спасибо! Сейчас мы не ждём от вас ответа. По другим вопросам обратитесь в магазин.",
        ),
        "refused": ("Не удалось изменить доставку. Пожалуйста, обратитесь в магазин.",),
        "closed": ("Время для ответа истекло. Чтобы изменить доставку, обратитесь в магазин.",),
    },
    reply_words=ReplyWords(
        confirm=("да", "ага", "ок", "окей", "хорошо", "подтверждаю"),
        reschedule=("нет", "перенести", "перенесите", "перенос"),
        negations=("не",),
        confirm_phrases=("дома", "я дома", "буду дома"),
        reschedule_phrases=("не дома", "я не дома", "меня нет дома", "не буду дома", "другой день"),
    ),
)
