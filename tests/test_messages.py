"""Templates: every message renders cleanly in every language, fits its SMS budget, and shows
times where the recipient lives; segment counting follows Twilio's published rules."""

# Cyrillic and en dashes in expected text are intended.
# ruff: noqa: RUF001

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from itertools import product
from string import Formatter
from typing import get_args
from zoneinfo import ZoneInfo

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from hypothesis import given
from hypothesis import strategies as st

from messages import formats, templates
from messages.catalogue import CATALOGUES, SOURCE_LOCALE, po_file, translator
from messages.locales import negotiate
from messages.render import SMS_BUDGET, SMS_SHOP_NAME, TEMPLATES, render
from messages.replies import opt_keyword
from messages.shape import InboundAnswerKey, Msg, fields
from messages.sms import estimated_sms_cost, sms_segments
from models.locale import LOCALES, Locale
from models.notification import Channel, MessageContext, NotificationKind
from models.shop import ShopProfile

ALL_LOCALES = sorted(LOCALES)
EVERY_TEMPLATE = list(product(NotificationKind, Channel, ALL_LOCALES))

# 12:00Z on Tuesday 24 November 2026: 14:00 in Bucharest, 13:00 in Warsaw.
NOON_UTC = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
QUARTER = timedelta(minutes=15)
BUCHAREST = ZoneInfo("Europe/Bucharest")


def local_slot(day: int, hour: int, hours: int = 2) -> tuple[datetime, datetime]:
    """A delivery slot on `day` November 2026 starting at `hour` in Bucharest."""
    start = datetime(2026, 11, day, hour, tzinfo=BUCHAREST)
    return start, start + timedelta(hours=hours)


# Wed 25 Nov 10-12, Thu 26 Nov 14-16, Fri 27 Nov 18-20 in Bucharest (08-10Z, 12-14Z, 16-18Z);
# the choice is due by Tue 24 Nov 20:00 there (18:00Z).
SLOTS = [local_slot(25, 10), local_slot(26, 14), local_slot(27, 18)]
CHOOSE_BY = NOON_UTC + timedelta(hours=6)


def full_context(**overrides: object) -> MessageContext:
    """Every optional field filled, with long-ish realistic values."""
    fields: dict[str, object] = {
        "recipient_name": "Aleksandra Wiśniewska-Kowalczyk",
        "order_id": "WP-1002345",
        "carrier": "Poczta Polska",
        "tracking_number": "620123456789012345678901",
        "tracking_url": "https://tracking.example.com/p/PX1234567890AB",
        "time_zone": "Europe/Bucharest",
        "courier_name": "Konstantin Wiśniewski",
        "courier_phone": "+40721234567",
        "window_start": NOON_UTC,
        "window_end": NOON_UTC + timedelta(hours=2),
        "estimated_delivery": NOON_UTC,
        "location": "Centrul de sortare, Ștefăneștii de Jos, RO",
        "pickup_name": "easybox Kaufland Băneasa",
        "pickup_address": "Șos. București-Ploiești 44, București",
        "pickup_code": "48291376",
        "pickup_deadline": NOON_UTC + timedelta(days=3),
        "lead_minutes": 60,
        "new_estimate": NOON_UTC + timedelta(days=2, hours=3),  # Thu 26 Nov, 17:00 in Bucharest
        "coupon_code": "THANKS-10X",
        "review_url": "https://shop.example.com/review/WP1002345",
        "slots": SLOTS,
        "choose_by": CHOOSE_BY,
    }
    fields.update(overrides)
    return MessageContext.model_validate(fields)


def minimal_context() -> MessageContext:
    return MessageContext(
        recipient_name="Ana Pop", order_id="1001", carrier="DPD", tracking_number="123"
    )


# --- Every template ---------------------------------------------------------------------------


def test_every_kind_channel_and_locale_has_a_template() -> None:
    assert set(TEMPLATES) == set(EVERY_TEMPLATE)
    assert set(ALL_LOCALES) == {"en", "ru", "pl", "ro"}


@pytest.mark.parametrize(("kind", "channel", "locale"), EVERY_TEMPLATE)
def test_full_context_renders_without_none_or_placeholders(
    kind: NotificationKind, channel: Channel, locale: str
) -> None:
    rendered = render(kind, channel, locale, full_context())
    text = f"{rendered.subject or ''}\n{rendered.body}"
    assert "None" not in text
    assert "{" not in text
    assert "}" not in text


@pytest.mark.parametrize(("kind", "channel", "locale"), EVERY_TEMPLATE)
def test_missing_optional_fields_drop_their_clause_without_dangling_punctuation(
    kind: NotificationKind, channel: Channel, locale: str
) -> None:
    rendered = render(kind, channel, locale, minimal_context())
    text = f"{rendered.subject or ''}\n{rendered.body}"
    assert "None" not in text
    assert "{" not in text
    for dangling in (" .", " ,", ",.", ":.", "..", "()", "  ", ":\n"):
        assert dangling not in text, dangling
    assert not rendered.body.rstrip().endswith((":", ","))


@pytest.mark.parametrize(("kind", "locale"), list(product(NotificationKind, ALL_LOCALES)))
def test_email_has_a_subject_and_no_segments(kind: NotificationKind, locale: str) -> None:
    rendered = render(kind, Channel.EMAIL, locale, full_context())
    assert rendered.subject
    assert "1002345" in rendered.subject
    assert rendered.segments == 0


@pytest.mark.parametrize(("kind", "locale"), list(product(NotificationKind, ALL_LOCALES)))
def test_sms_has_no_subject_and_no_greeting(kind: NotificationKind, locale: str) -> None:
    rendered = render(kind, Channel.SMS, locale, full_context())
    assert rendered.subject is None
    assert "Aleksandra" not in rendered.body


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_email_greets_the_recipient_by_name(locale: str) -> None:
    rendered = render(NotificationKind.SHIPPED, Channel.EMAIL, locale, full_context())
    assert rendered.body.splitlines()[0].count("Aleksandra Wiśniewska-Kowalczyk") == 1


# --- SMS budget -------------------------------------------------------------------------------

# "Realistic" bounds the two-segment promise is made for: long for their kind, not adversarial.
NAME_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ąćęłńóśźżĄĆĘŁŃÓŚŹŻăâîșțĂÂÎȘȚ"
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯ"
)
CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
CARRIERS = ["DPD", "InPost", "DHL Express", "Poczta Polska", "Fan Courier", "Cargus", "СДЭК"]
ZONES = ["Europe/Bucharest", "Europe/Warsaw", "Europe/Moscow", "Europe/London"]


def words(max_size: int) -> st.SearchStrategy[str]:
    """Names and addresses: letters (diacritics, Cyrillic), spaces, digits, a few marks."""
    alphabet = NAME_LETTERS + " 0123456789.,-"
    return st.text(alphabet, min_size=3, max_size=max_size).map(str.strip).filter(len)


def shop_names() -> st.SearchStrategy[str]:
    """Shop names as brands write them: Latin letters (GSM-7), digits, spaces, "&.-'"; any length
    (an SMS cuts a name at 20 characters). A name outside GSM-7 turns an English SMS into UCS-2."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789&.-'"
    return st.text(alphabet, min_size=2, max_size=60).map(str.strip).filter(len)


def codes(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(CODE_CHARS, min_size=min_size, max_size=max_size)


@st.composite
def realistic_contexts(draw: st.DrawFn) -> MessageContext:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)))
    start = datetime.combine(day, time(draw(st.integers(7, 22))), zone)
    end = start + timedelta(hours=draw(st.integers(1, 4)))
    offered = draw(st.lists(slots_from(day, zone), min_size=1, max_size=6))
    choose_by = datetime.combine(
        day, time(draw(st.integers(0, 23)), draw(st.integers(0, 59))), zone
    )
    return MessageContext(
        recipient_name=draw(words(40)),
        order_id=draw(codes(4, 10)),
        carrier=draw(st.sampled_from(CARRIERS)),
        tracking_number=draw(codes(8, 24)),
        tracking_url="https://tracking.example.com/p/" + draw(codes(14, 14)),
        time_zone=zone.key,
        courier_name=draw(words(25)),
        courier_phone="+" + draw(st.text("0123456789", min_size=11, max_size=12)),
        window_start=start,
        window_end=end,
        estimated_delivery=start,
        location=draw(words(40)),
        pickup_name=draw(words(24)),
        pickup_address=draw(words(40)),
        pickup_code=draw(codes(4, 8)),
        pickup_deadline=end + timedelta(days=draw(st.integers(1, 14))),
        lead_minutes=draw(st.integers(15, 120)),
        new_estimate=draw(new_estimates(start)),
        coupon_code=draw(codes(6, 10)),
        review_url="https://shop.example.com/review/" + draw(codes(9, 9)),
        slots=offered,
        choose_by=choose_by,
        shop_name=draw(shop_names()),
    )


def slots_from(day: date, zone: ZoneInfo) -> st.SearchStrategy[tuple[datetime, datetime]]:
    """Daytime delivery slots on the hour, up to a week after `day`, up to 4 hours long."""

    def slot(days: int, hour: int, hours: int) -> tuple[datetime, datetime]:
        start = datetime.combine(day + timedelta(days=days), time(hour), zone)
        return start, start + timedelta(hours=hours)

    return st.builds(slot, st.integers(1, 7), st.integers(7, 20), st.integers(1, 4))


def new_estimates(after: datetime) -> st.SearchStrategy[datetime]:
    """A carrier's new estimate: a moment with a time, or a bare date (midnight, own offset)."""
    with_time = st.integers(1, 14 * 24 * 4).map(lambda quarters: after + quarters * QUARTER)
    bare_date = st.integers(1, 14).map(
        lambda days: datetime.combine(after.date() + timedelta(days=days), time(0), UTC)
    )
    return st.one_of(with_time, bare_date)


@pytest.mark.parametrize("locale", ALL_LOCALES)
@given(ctx=realistic_contexts())
def test_every_sms_fits_two_segments_with_a_fully_filled_realistic_context(
    locale: str, ctx: MessageContext
) -> None:
    for kind in NotificationKind:
        rendered = render(kind, Channel.SMS, locale, ctx)
        assert rendered.segments <= 2, (kind, rendered.encoding, len(rendered.body), rendered.body)
        unnamed = render(kind, Channel.SMS, locale, ctx.model_copy(update={"shop_name": None}))
        assert rendered.body.endswith(unnamed.body)


def test_every_sms_opens_with_the_shop_name() -> None:
    ctx = minimal_context().model_copy(update={"shop_name": "Acme Outdoor"})
    for locale in ALL_LOCALES:
        for kind in NotificationKind:
            rendered = render(kind, Channel.SMS, locale, ctx)
            assert rendered.body.startswith("Acme Outdoor: "), (locale, kind, rendered.body)
            assert rendered.segments <= 2


def test_a_long_shop_name_is_cut_with_an_ellipsis_that_keeps_gsm7_english_gsm7() -> None:
    ctx = full_context(shop_name="Acme Outdoor Gear and Camping Supplies")
    rendered = render(NotificationKind.DELIVERED, Channel.SMS, "en", ctx)
    assert rendered.body.startswith("Acme Outdoor...: Order WP-1002345 has been delivered.")
    assert rendered.encoding == "GSM-7"


def test_a_long_shop_name_in_a_ucs2_sms_is_cut_with_one_ellipsis_character() -> None:
    ctx = full_context(shop_name="Acme Outdoor Gear and Camping Supplies")
    rendered = render(NotificationKind.DELIVERED, Channel.SMS, "ru", ctx)
    assert rendered.body.startswith("Acme Outdoor Ge…: Заказ WP-1002345 доставлен.")
    assert len("Acme Outdoor Ge…") == SMS_SHOP_NAME


# The longest contexts every SMS is written for: each field at the longest the realistic
# bounds above allow (carrier, codes, links, names and addresses), in the language's own script
# (an English SMS stays GSM-7; Russian, Polish and Romanian ones are UCS-2 anyway), with each
# variant that lengthens a text: times labelled UTC, a window across midnight, a new estimate
# with a time, as a bare date or none (the promise of news is the longer sentence).
LONGEST_LETTER = {"en": "w", "ru": "Ж", "pl": "ż", "ro": "ș"}


def longest_contexts(locale: str) -> list[MessageContext]:
    letters = LONGEST_LETTER[locale]
    found = []
    for zone_name, midnight, estimate in product(
        ["Europe/Moscow", "UTC"], [False, True], ["time", "bare", "none"]
    ):
        zone = ZoneInfo(zone_name)
        day = date(2026, 11, 24)
        start = datetime.combine(day, time(22 if midnight else 18), zone)
        end = start + timedelta(hours=4 if midnight else 2)
        offered = [
            (
                datetime.combine(day + timedelta(days=n), time(18), zone),
                datetime.combine(day + timedelta(days=n), time(22), zone),
            )
            for n in (5, 6, 7)
        ]
        new_estimate = {
            "time": start + timedelta(days=3, minutes=15),
            "bare": datetime.combine(day + timedelta(days=10), time(0), UTC),
            "none": None,
        }[estimate]
        found.append(
            MessageContext(
                recipient_name=letters * 40,
                order_id="W" * 10,
                carrier=max(CARRIERS, key=len),
                tracking_number="7" * 24,
                tracking_url="https://tracking.example.com/p/" + "A" * 14,
                time_zone=zone_name,
                courier_name=letters * 25,
                courier_phone="+" + "1" * 12,
                window_start=start,
                window_end=end,
                estimated_delivery=start,
                location=letters * 40,
                pickup_name=letters * 24,
                pickup_address=letters * 40,
                pickup_code="C" * 8,
                pickup_deadline=end + timedelta(days=14),
                lead_minutes=120,
                new_estimate=new_estimate,
                coupon_code="K" * 10,
                review_url="https://shop.example.com/review/" + "R" * 9,
                slots=offered,
                choose_by=datetime.combine(day, time(23, 59), zone),
                shop_name="N" * SMS_SHOP_NAME,
            )
        )
    return found


LONGEST = [
    pytest.param(kind, locale, ctx, id=f"{kind.value}-{locale}-{n}")
    for kind in NotificationKind
    for locale in ALL_LOCALES
    for n, ctx in enumerate(longest_contexts(locale))
]


@pytest.mark.parametrize(("kind", "locale", "ctx"), LONGEST)
def test_every_sms_names_the_shop_whole_within_its_budget_in_the_longest_contexts(
    kind: NotificationKind, locale: str, ctx: MessageContext
) -> None:
    rendered = render(kind, Channel.SMS, locale, ctx)
    assert rendered.body.startswith("N" * SMS_SHOP_NAME + ": "), rendered.body
    assert rendered.segments <= SMS_BUDGET, (rendered.encoding, len(rendered.body), rendered.body)


@pytest.mark.parametrize(("kind", "locale", "ctx"), LONGEST)
def test_the_opt_out_hint_is_said_only_when_it_fits_beside_the_shop_name(
    kind: NotificationKind, locale: str, ctx: MessageContext
) -> None:
    rendered = render(kind, Channel.SMS, locale, ctx, opt_out_hint=True)
    plain = render(kind, Channel.SMS, locale, ctx)
    hint = CATALOGUES[negotiate(locale)].sms_opt_out
    assert rendered.body.startswith("N" * SMS_SHOP_NAME + ": ")
    assert rendered.segments <= SMS_BUDGET
    if rendered.opt_out_hint:
        assert rendered.body == f"{plain.body} {hint}"
    else:
        assert rendered.body == plain.body
        assert sms_segments(f"{plain.body} {hint}")[1] > SMS_BUDGET


# The SMS a shipment's first news usually comes by (and the one after a slot choice, whose list
# of slots leaves no room in UCS-2): the opt-out hint fits each in a usual context.
HINTED_FIRST = [
    NotificationKind.SHIPPED,
    NotificationKind.OUT_FOR_DELIVERY,
    NotificationKind.AVAILABLE_FOR_PICKUP,
    NotificationKind.COURIER_ONE_HOUR,
    NotificationKind.SLOT_CONFIRMED,
]


@pytest.mark.parametrize(("kind", "locale"), list(product(HINTED_FIRST, ALL_LOCALES)))
def test_the_sms_a_shipment_usually_opens_with_ends_with_the_opt_out_hint_when_asked(
    kind: NotificationKind, locale: str
) -> None:
    """A usual context: a shop name, tracking number, courier and pickup point of usual length
    (the longest ones, above, keep the name first and may pass the hint on to a later SMS)."""
    ctx = full_context(
        shop_name="Acme Outdoor",
        carrier="DPD",
        tracking_number="15501234567890",
        courier_name="Ion Popescu",
        pickup_name="easybox Baneasa",
        pickup_address="Sos. Ploiesti 44",
        time_zone="Europe/Warsaw",
    )
    rendered = render(kind, Channel.SMS, locale, ctx, opt_out_hint=True)
    assert rendered.opt_out_hint
    assert rendered.body.endswith(CATALOGUES[negotiate(locale)].sms_opt_out)
    assert rendered.segments <= SMS_BUDGET


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_no_sms_carries_the_opt_out_hint_unless_asked(locale: str) -> None:
    hint = CATALOGUES[negotiate(locale)].sms_opt_out
    for kind in NotificationKind:
        rendered = render(kind, Channel.SMS, locale, minimal_context())
        assert not rendered.opt_out_hint
        assert hint not in rendered.body


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_the_opt_out_hint_names_a_keyword_waypost_accepts_as_stop(locale: str) -> None:
    hint = CATALOGUES[negotiate(locale)].sms_opt_out
    keywords = [word for word in re.findall(r"\w+", hint) if word.isupper() and len(word) > 1]
    assert keywords, hint
    assert all(opt_keyword(word) == "stop" for word in keywords), hint


@pytest.mark.parametrize("locale", ALL_LOCALES)
@given(ctx=realistic_contexts())
def test_slot_choice_sms_fits_two_segments_in_the_default_utc_zone(
    locale: str, ctx: MessageContext
) -> None:
    """Without a known zone every time is labelled UTC, which the slot list must still afford."""
    ctx = ctx.model_copy(update={"time_zone": "UTC"})
    rendered = render(NotificationKind.SLOT_CHOICE, Channel.SMS, locale, ctx)
    assert rendered.segments <= 2, (rendered.encoding, len(rendered.body), rendered.body)


@given(ctx=realistic_contexts())
def test_delay_notice_without_a_new_estimate_still_fits_two_segments(ctx: MessageContext) -> None:
    """Without an estimate the SMS promises news instead, which is the longer sentence."""
    ctx = ctx.model_copy(update={"new_estimate": None})
    for locale in ALL_LOCALES:
        rendered = render(NotificationKind.DELAY_NOTICE, Channel.SMS, locale, ctx)
        assert rendered.segments <= 2, (locale, rendered.body)


def test_plain_english_sms_stays_gsm7() -> None:
    """Time ranges use "-" in SMS: an en dash would switch English to the dearer UCS-2."""
    ctx = full_context(courier_name="John Smith", time_zone="Europe/London")
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.SMS, "en", ctx)
    assert rendered.encoding == "GSM-7"
    assert "12:00-14:00" in rendered.body


def test_rendered_sms_reports_the_segments_of_its_body() -> None:
    rendered = render(NotificationKind.AVAILABLE_FOR_PICKUP, Channel.SMS, "ro", full_context())
    assert (rendered.encoding, rendered.segments) == sms_segments(rendered.body)


# --- Times and dates --------------------------------------------------------------------------


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_window_is_shown_in_the_recipient_time_zone(channel: Channel, locale: str) -> None:
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, channel, locale, full_context())
    assert re.search(r"14:00.16:00", rendered.body)
    assert "12:00" not in rendered.body


def test_english_email_window_reads_weekday_day_month_and_local_times() -> None:
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, "en", full_context())
    assert "Tue 24 Nov, 14:00–16:00" in rendered.body


@pytest.mark.parametrize("locale", ["ru", "pl", "ro"])
def test_other_locales_show_numeric_day_and_month(locale: str) -> None:
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, locale, full_context())
    assert "24.11, 14:00–16:00" in rendered.body


def test_window_crossing_local_midnight_shows_both_dates() -> None:
    late = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)  # 23:00 in Bucharest
    ctx = full_context(window_start=late, window_end=late + timedelta(hours=2))
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, "ru", ctx)
    assert "24.11, 23:00 – 25.11, 01:00" in rendered.body


def test_dates_follow_the_recipient_time_zone_across_midnight() -> None:
    """23:30Z on the 26th is already the 27th in Moscow."""
    ctx = full_context(
        time_zone="Europe/Moscow", pickup_deadline=datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    )
    rendered = render(NotificationKind.AVAILABLE_FOR_PICKUP, Channel.SMS, "ru", ctx)
    assert "до 27.11" in rendered.body


def test_times_in_utc_are_labelled_so_they_are_not_taken_for_local() -> None:
    ctx = full_context(time_zone="UTC")
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, "en", ctx)
    assert "12:00–14:00 UTC" in rendered.body


def test_unknown_time_zone_falls_back_to_labelled_utc() -> None:
    ctx = full_context(time_zone="Mars/Olympus_Mons")
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.EMAIL, "en", ctx)
    assert "12:00–14:00 UTC" in rendered.body


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_out_for_delivery_without_window_or_estimate_invents_no_time(
    channel: Channel, locale: str
) -> None:
    ctx = full_context(window_start=None, window_end=None, estimated_delivery=None)
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, channel, locale, ctx)
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)
    assert not re.search(r"\d{1,2}\.\d{2}\b|\b\d{1,2} [A-Z][a-z]{2}\b", rendered.body)


def test_out_for_delivery_falls_back_to_the_estimated_date() -> None:
    ctx = full_context(window_start=None, window_end=None)
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.SMS, "en", ctx)
    assert "expected Tue 24 Nov." in rendered.body
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)


def test_half_a_window_is_not_shown_as_a_window() -> None:
    ctx = full_context(window_end=None, estimated_delivery=None)
    rendered = render(NotificationKind.OUT_FOR_DELIVERY, Channel.SMS, "en", ctx)
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)


# --- Courier confirmation, pickup reminders, delays, thanks ------------------------------------

# How each language speaks of minutes, and of a coupon.
MINUTES = re.compile(r"\b(min|мин)", re.IGNORECASE)
COUPON_WORDS = {"en": "coupon", "ru": "промокод", "pl": "rabat", "ro": "cupon|reducere"}


def test_courier_one_hour_sms_gives_lead_time_local_window_phone_and_reply_options() -> None:
    rendered = render(NotificationKind.COURIER_ONE_HOUR, Channel.SMS, "en", full_context())
    assert rendered.body == (
        "Courier Konstantin Wiśniewski arrives in about 60 min (14:00-16:00). "
        "Tel. +40721234567. Reply 1 if home, 2 to reschedule."
    )


@pytest.mark.parametrize("lead_minutes", [None, 0])
@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_courier_one_hour_without_lead_time_drops_the_minutes_clause(
    channel: Channel, locale: str, lead_minutes: int | None
) -> None:
    ctx = full_context(lead_minutes=lead_minutes)
    rendered = render(NotificationKind.COURIER_ONE_HOUR, channel, locale, ctx)
    assert not MINUTES.search(rendered.body)
    assert re.search(r"14:00.16:00", rendered.body)
    assert "Konstantin Wiśniewski" in rendered.body
    assert "+40721234567" in rendered.body
    if channel is Channel.SMS:  # SMS replies are read; email replies are not: the page answers
        assert re.search(r"\b1\b.*\b2\b", rendered.body)
    else:
        assert TRACKING_URL in rendered.body
    with_lead = render(NotificationKind.COURIER_ONE_HOUR, channel, locale, full_context())
    assert MINUTES.search(with_lead.body)
    assert re.search(r"\b60\b", with_lead.body)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_pickup_reminder_gives_point_code_and_local_deadline(locale: str) -> None:
    """The SMS names the point (its address was in the first notice); the email gives both."""
    deadline = {"en": "Fri 27 Nov", "ru": "27.11", "pl": "27.11", "ro": "27.11"}[locale]
    sms_body = render(NotificationKind.PICKUP_REMINDER, Channel.SMS, locale, full_context()).body
    email_body = render(
        NotificationKind.PICKUP_REMINDER, Channel.EMAIL, locale, full_context()
    ).body
    for body in (sms_body, email_body):
        assert "easybox Kaufland Băneasa" in body
        assert "48291376" in body
        assert deadline in body
    assert "Șos. București-Ploiești 44" in email_body


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_pickup_final_warning_gives_the_deadline_date_in_the_recipient_zone(
    channel: Channel, locale: str
) -> None:
    """23:30Z on Thursday the 26th is already Friday the 27th in Moscow."""
    ctx = full_context(
        time_zone="Europe/Moscow", pickup_deadline=datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    )
    rendered = render(NotificationKind.PICKUP_FINAL_WARNING, channel, locale, ctx)
    assert ("Fri 27 Nov" if locale == "en" else "27.11") in rendered.body
    assert "26" not in rendered.body.replace("48291376", "")
    assert "48291376" in rendered.body
    assert "easybox Kaufland Băneasa" in rendered.body


def test_pickup_final_warning_warns_of_return_and_its_cost() -> None:
    rendered = render(NotificationKind.PICKUP_FINAL_WARNING, Channel.SMS, "en", full_context())
    assert rendered.body == (
        "Last call: order WP-1002345 returns to the shop after Fri 27 Nov; "
        "a return fee may apply. Code 48291376, easybox Kaufland Băneasa."
    )


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_shop_return_notice_names_the_order_the_pickup_point_and_the_local_deadline(
    channel: Channel, locale: str
) -> None:
    """22:30Z on Friday the 27th is already Saturday the 28th in Bucharest."""
    ctx = full_context(pickup_deadline=datetime(2026, 11, 27, 22, 30, tzinfo=UTC))
    rendered = render(NotificationKind.SHOP_RETURN_NOTICE, channel, locale, ctx)
    assert "WP-1002345" in rendered.body
    assert "easybox Kaufland Băneasa" in rendered.body
    assert ("Sat 28 Nov" if locale == "en" else "28.11") in rendered.body
    assert not re.search(r"27 Nov|27\.11", rendered.body)
    assert rendered.segments <= 2


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_delay_notice_without_a_new_estimate_invents_no_date(channel: Channel, locale: str) -> None:
    ctx = full_context(new_estimate=None)
    rendered = render(NotificationKind.DELAY_NOTICE, channel, locale, ctx)
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)
    assert not re.search(r"\d{1,2}\.\d{2}\b|\b\d{1,2} [A-Z][a-z]{2}\b", rendered.body)
    assert "https://tracking.example.com/p/PX1234567890AB" in rendered.body


def test_delay_notice_without_a_new_estimate_promises_news() -> None:
    ctx = full_context(new_estimate=None)
    rendered = render(NotificationKind.DELAY_NOTICE, Channel.SMS, "en", ctx)
    assert rendered.body == (
        "Sorry, order WP-1002345 is delayed. "
        "We'll tell you as soon as the carrier gives a new date. "
        "https://tracking.example.com/p/PX1234567890AB"
    )


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Thu 26 Nov, 17:00"), ("ru", "26.11, 17:00"), ("pl", "26.11, 17:00")],
)
def test_delay_notice_shows_the_new_estimate_in_local_time(locale: str, expected: str) -> None:
    for channel in Channel:
        rendered = render(NotificationKind.DELAY_NOTICE, channel, locale, full_context())
        assert expected in rendered.body


@pytest.mark.parametrize(
    "bare_date",
    [
        datetime(2026, 11, 27, tzinfo=UTC),
        datetime(2026, 11, 27, tzinfo=timezone(timedelta(hours=3))),
        datetime(2026, 11, 27, tzinfo=timezone(timedelta(hours=-5))),
    ],
)
def test_delay_notice_shows_a_bare_date_estimate_as_that_date_without_a_time(
    bare_date: datetime,
) -> None:
    """Midnight in the carrier's own offset is a date; converting it would invent an hour."""
    ctx = full_context(new_estimate=bare_date)
    rendered = render(NotificationKind.DELAY_NOTICE, Channel.SMS, "en", ctx)
    assert "New estimate: Fri 27 Nov." in rendered.body
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_thank_you_without_coupon_has_no_coupon_clause(channel: Channel, locale: str) -> None:
    word = re.compile(COUPON_WORDS[locale], re.IGNORECASE)
    with_coupon = render(NotificationKind.THANK_YOU, channel, locale, full_context()).body
    assert word.search(with_coupon)
    assert "THANKS-10X" in with_coupon
    rendered = render(NotificationKind.THANK_YOU, channel, locale, full_context(coupon_code=None))
    assert not word.search(rendered.body)
    assert "https://shop.example.com/review/WP1002345" in rendered.body


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_thank_you_without_review_link_ends_cleanly(channel: Channel, locale: str) -> None:
    ctx = full_context(review_url=None)
    rendered = render(NotificationKind.THANK_YOU, channel, locale, ctx)
    assert "THANKS-10X" in rendered.body
    assert "http" not in rendered.body
    assert not rendered.body.rstrip().endswith((":", "?"))


# --- Delivery slots ---------------------------------------------------------------------------

# How each locale shows the fixture's slots and choice deadline (Bucharest time).
SMS_SLOT_LIST = {
    "en": "1) Wed 25 Nov 10-12, 2) Thu 26 Nov 14-16, 3) Fri 27 Nov 18-20",
    "ru": "1) 25.11 10-12, 2) 26.11 14-16, 3) 27.11 18-20",
    "pl": "1) 25.11 10-12, 2) 26.11 14-16, 3) 27.11 18-20",
    "ro": "1) 25.11 10-12, 2) 26.11 14-16, 3) 27.11 18-20",
}
EMAIL_SLOT_LINES = {
    "en": "1) Wed 25 Nov, 10:00–12:00\n2) Thu 26 Nov, 14:00–16:00\n3) Fri 27 Nov, 18:00–20:00",
    "ru": "1) 25.11, 10:00–12:00\n2) 26.11, 14:00–16:00\n3) 27.11, 18:00–20:00",
    "pl": "1) 25.11, 10:00–12:00\n2) 26.11, 14:00–16:00\n3) 27.11, 18:00–20:00",
    "ro": "1) 25.11, 10:00–12:00\n2) 26.11, 14:00–16:00\n3) 27.11, 18:00–20:00",
}
CHOOSE_BY_SHOWN = {
    (Channel.SMS, "en"): "Tue 24 Nov 20:00",
    (Channel.EMAIL, "en"): "Tue 24 Nov, 20:00",
    **{(Channel.SMS, locale): "24.11 20:00" for locale in ("ru", "pl", "ro")},
    **{(Channel.EMAIL, locale): "24.11, 20:00" for locale in ("ru", "pl", "ro")},
}
TRACKING_URL = "https://tracking.example.com/p/PX1234567890AB"


def test_slot_choice_sms_lists_the_slots_asks_for_a_number_and_names_the_default() -> None:
    rendered = render(NotificationKind.SLOT_CHOICE, Channel.SMS, "en", full_context())
    assert rendered.body == (
        "Order WP-1002345 has reached your city. Reply with the number of the delivery slot "
        "you want: 1) Wed 25 Nov 10-12, 2) Thu 26 Nov 14-16, 3) Fri 27 Nov 18-20. "
        "If you don't reply by Tue 24 Nov 20:00, slot 1 is confirmed."
    )
    assert rendered.encoding == "GSM-7"


def test_slot_choice_email_lists_every_slot_and_links_to_the_page() -> None:
    rendered = render(NotificationKind.SLOT_CHOICE, Channel.EMAIL, "en", full_context())
    assert rendered.subject == "Choose a delivery slot for your order WP-1002345"
    assert rendered.body.split("\n\n")[2:] == [
        "Available delivery slots:\n" + EMAIL_SLOT_LINES["en"],
        "Choose a delivery slot using the tracking link: " + TRACKING_URL,
        "If you haven't chosen by Tue 24 Nov, 20:00, we'll confirm slot 1.",
    ]


@pytest.mark.parametrize("locale", ALL_LOCALES)
@pytest.mark.parametrize("kind", list(NotificationKind))
def test_no_email_asks_for_a_reply(kind: NotificationKind, locale: str) -> None:
    """Nothing reads replies to email: every answer goes through the tracking page."""
    rendered = render(kind, Channel.EMAIL, locale, full_context())
    words = {"en": "reply", "ru": "ответьте", "pl": "odpisz", "ro": "răspunde"}
    assert words[locale] not in rendered.body.lower()


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_slot_choice_numbers_the_slots_in_the_recipient_time_zone(
    channel: Channel, locale: str
) -> None:
    rendered = render(NotificationKind.SLOT_CHOICE, channel, locale, full_context())
    slots = SMS_SLOT_LIST if channel is Channel.SMS else EMAIL_SLOT_LINES
    assert slots[locale] in rendered.body
    assert CHOOSE_BY_SHOWN[(channel, locale)] in rendered.body
    assert "18:00" not in rendered.body.replace(slots[locale], "")  # the deadline in UTC
    assert not re.search(r"\b8-10\b|08:00", rendered.body)  # the first slot in UTC
    assert "UTC" not in rendered.body
    assert (TRACKING_URL in rendered.body) is (channel is Channel.EMAIL)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_slot_choice_sms_lists_only_the_first_three_slots(locale: str) -> None:
    five = [*SLOTS, local_slot(28, 9), local_slot(30, 12)]
    ctx = full_context(slots=five)
    sms_body = render(NotificationKind.SLOT_CHOICE, Channel.SMS, locale, ctx).body
    assert SMS_SLOT_LIST[locale] in sms_body
    assert "4)" not in sms_body
    email_body = render(NotificationKind.SLOT_CHOICE, Channel.EMAIL, locale, ctx).body
    day = {"en": "Mon 30 Nov", "ru": "30.11", "pl": "30.11", "ro": "30.11"}[locale]
    assert f"5) {day}, 12:00–14:00" in email_body
    assert "6)" not in email_body


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_slot_choice_sms_shows_minutes_only_off_the_hour_and_ends_at_midnight_as_24(
    locale: str,
) -> None:
    start = datetime(2026, 11, 25, 9, 30, tzinfo=BUCHAREST)
    late = datetime(2026, 11, 26, 20, 0, tzinfo=BUCHAREST)
    ctx = full_context(slots=[(start, start + timedelta(hours=2)), (late, late + QUARTER * 16)])
    rendered = render(NotificationKind.SLOT_CHOICE, Channel.SMS, locale, ctx)
    assert "1) " in rendered.body
    assert "9:30-11:30, 2) " in rendered.body
    assert rendered.body.count("20-24") == 1
    assert rendered.segments <= 2


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_slot_choice_without_slots_lists_none_and_sets_no_deadline(
    channel: Channel, locale: str
) -> None:
    rendered = render(NotificationKind.SLOT_CHOICE, channel, locale, full_context(slots=[]))
    assert "1)" not in rendered.body
    assert not re.search(r"\d{1,2}:\d{2}|\d-\d", rendered.body)
    assert not re.search(r"\d{1,2}\.\d{2}\b|\b\d{1,2} [A-Z][a-z]{2}\b", rendered.body)
    assert TRACKING_URL in rendered.body  # where the slot can still be chosen
    assert "1002345" in rendered.body


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_slot_choice_without_a_deadline_still_lists_the_slots(
    channel: Channel, locale: str
) -> None:
    rendered = render(NotificationKind.SLOT_CHOICE, channel, locale, full_context(choose_by=None))
    slots = SMS_SLOT_LIST if channel is Channel.SMS else EMAIL_SLOT_LINES
    assert slots[locale] in rendered.body
    assert "20:00" not in rendered.body.replace("18:00–20:00", "")


def test_slot_choice_in_utc_labels_the_times() -> None:
    rendered = render(
        NotificationKind.SLOT_CHOICE, Channel.SMS, "ru", full_context(time_zone="UTC")
    )
    assert "1) 25.11 8-10, 2) 26.11 12-14, 3) 27.11 16-18 UTC" in rendered.body
    assert "до 24.11 18:00 UTC" in rendered.body
    assert rendered.segments <= 2


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_slot_confirmed_shows_the_local_window_and_the_courier(
    channel: Channel, locale: str
) -> None:
    rendered = render(NotificationKind.SLOT_CONFIRMED, channel, locale, full_context())
    day = "Tue 24 Nov" if locale == "en" else "24.11"
    assert re.search(rf"{day}, 14:00.16:00", rendered.body)
    assert "12:00" not in rendered.body
    assert "Konstantin Wiśniewski" in rendered.body
    assert "+40721234567" in rendered.body
    assert (TRACKING_URL in rendered.body) is (channel is Channel.EMAIL)


def test_slot_confirmed_sms_reads_plainly() -> None:
    rendered = render(NotificationKind.SLOT_CONFIRMED, Channel.SMS, "en", full_context())
    assert rendered.body == (
        "Order WP-1002345 delivery confirmed: Tue 24 Nov, 14:00-16:00. "
        "Courier: Konstantin Wiśniewski, +40721234567."
    )


@pytest.mark.parametrize(("channel", "locale"), list(product(Channel, ALL_LOCALES)))
def test_slot_confirmed_without_window_or_courier_invents_neither(
    channel: Channel, locale: str
) -> None:
    ctx = full_context(window_start=None, window_end=None, courier_name=None, courier_phone=None)
    rendered = render(NotificationKind.SLOT_CONFIRMED, channel, locale, ctx)
    assert not re.search(r"\d{1,2}:\d{2}", rendered.body)
    assert not re.search(r"\d{1,2}\.\d{2}\b|\b\d{1,2} [A-Z][a-z]{2}\b", rendered.body)
    assert not re.search("courier|курьер|kurier|curier", rendered.body, re.IGNORECASE)
    assert "1002345" in rendered.body


# --- Locales ----------------------------------------------------------------------------------


def test_unknown_locale_falls_back_to_english() -> None:
    ctx = full_context()
    for channel in Channel:
        assert render(NotificationKind.DELIVERED, channel, "de", ctx) == render(
            NotificationKind.DELIVERED, channel, "en", ctx
        )


@pytest.mark.parametrize(("tag", "expected"), [("pl-PL", "pl"), ("ru_RU", "ru"), ("RO", "ro")])
def test_regional_locale_tags_use_their_language(tag: str, expected: str) -> None:
    assert negotiate(tag) == expected


@pytest.mark.parametrize(
    ("locale", "marker"),
    [("ru", "Заказ"), ("pl", "Zamówienie"), ("ro", "Comanda")],
)
def test_each_locale_renders_in_its_own_language(locale: str, marker: str) -> None:
    rendered = render(NotificationKind.SHIPPED, Channel.SMS, locale, full_context())
    assert rendered.body.startswith(marker)


def test_romanian_uses_comma_below_not_cedilla() -> None:
    bodies = " ".join(
        render(kind, channel, "ro", full_context()).body
        for kind, channel in product(NotificationKind, Channel)
    )
    assert not set("şţŞŢ") & set(bodies)
    assert set("șț") <= set(bodies)


# --- Segment counting -------------------------------------------------------------------------


def test_160_gsm_characters_fit_one_segment() -> None:
    assert sms_segments("a" * 160) == ("GSM-7", 1)


def test_161_gsm_characters_take_two_segments() -> None:
    assert sms_segments("a" * 161) == ("GSM-7", 2)


def test_gsm_multipart_segments_hold_153_characters() -> None:
    assert sms_segments("a" * 306) == ("GSM-7", 2)
    assert sms_segments("a" * 307) == ("GSM-7", 3)


def test_70_cyrillic_characters_fit_one_segment() -> None:
    assert sms_segments("ж" * 70) == ("UCS-2", 1)


def test_71_cyrillic_characters_take_two_segments() -> None:
    assert sms_segments("ж" * 71) == ("UCS-2", 2)


def test_ucs2_multipart_segments_hold_67_characters() -> None:
    assert sms_segments("ж" * 134) == ("UCS-2", 2)
    assert sms_segments("ж" * 135) == ("UCS-2", 3)


def test_extension_characters_count_double() -> None:
    assert sms_segments("€" * 80) == ("GSM-7", 1)
    assert sms_segments("a" * 159 + "{") == ("GSM-7", 2)
    assert sms_segments("a" * 158 + "{") == ("GSM-7", 1)


@pytest.mark.parametrize("char", list("{}[]~^|\\€"))
def test_each_extension_character_stays_gsm7_and_counts_double(char: str) -> None:
    assert sms_segments("a" * 158 + char) == ("GSM-7", 1)
    assert sms_segments("a" * 159 + char) == ("GSM-7", 2)


def test_escape_pair_is_not_split_across_segments() -> None:
    # 152 + 2 + 152 = 306 septets, but the € cannot straddle parts 1 and 2.
    assert sms_segments("a" * 152 + "€" + "a" * 152) == ("GSM-7", 3)


def test_gsm_accented_latin_letters_stay_gsm7() -> None:
    assert sms_segments("Café Niño Ä Ö Ü ß É à è é ù ì ò Ç Ø Å Æ") == ("GSM-7", 1)


def test_a_single_emoji_forces_ucs2() -> None:
    assert sms_segments("Your parcel is here 📦") == ("UCS-2", 1)


def test_emoji_take_two_utf16_units() -> None:
    assert sms_segments("📦" * 35) == ("UCS-2", 1)
    assert sms_segments("📦" * 36) == ("UCS-2", 2)


def test_a_lone_surrogate_counts_as_one_ucs2_unit() -> None:
    """Carrier text can hold one (a cut emoji): it is sized, never an error."""
    assert sms_segments("\ud83d" * 70) == ("UCS-2", 1)
    assert sms_segments("\ud83d" * 71) == ("UCS-2", 2)


def test_polish_and_romanian_diacritics_force_ucs2() -> None:
    for text in ("Kraków ł", "ą", "București ș", "ț", "ă"):
        assert sms_segments(text)[0] == "UCS-2", text


# --- Cost -------------------------------------------------------------------------------------


def test_cost_is_default_price_per_segment() -> None:
    assert estimated_sms_cost(2) == Decimal("0.0158")


def test_cost_for_an_unlisted_country_uses_the_default_price() -> None:
    assert estimated_sms_cost(1, "ZZ") == estimated_sms_cost(1)


def test_cost_of_zero_segments_is_zero() -> None:
    assert estimated_sms_cost(0, "us") == Decimal(0)


def test_negative_segments_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        estimated_sms_cost(-1)


# --- Catalogues -------------------------------------------------------------------------------


def test_there_is_one_catalogue_per_locale_and_no_other() -> None:
    assert set(CATALOGUES) == set(get_args(Locale)) == set(LOCALES)


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_every_catalogue_answers_every_unusable_reply(locale: Locale) -> None:
    answers = CATALOGUES[locale].answers
    assert set(answers) == set(get_args(InboundAnswerKey))
    english = CATALOGUES["en"].answers
    for key, alternatives in answers.items():
        assert [fields(text) for text in alternatives] == [fields(text) for text in english[key]], (
            key
        )


@pytest.mark.parametrize("locale", ALL_LOCALES)
def test_every_catalogue_knows_how_a_customer_says_yes_and_no(locale: Locale) -> None:
    words = CATALOGUES[locale].reply_words
    assert words.confirm
    assert words.reschedule
    assert words.confirm_phrases
    assert words.reschedule_phrases


# --- Translations (PO files) ------------------------------------------------------------------

TRANSLATED = [locale for locale in ALL_LOCALES if locale != SOURCE_LOCALE]

# As the Makefile's `translations` target passes them to `pybabel extract` (N_ is a default).
EXTRACT_KEYWORDS = {"N_": None, "NC_": ((1, "c"), 2)}


def source_texts() -> set[Msg]:
    """Every English text the structure in `messages.templates` uses."""
    texts: set[Msg] = {*templates.PAGE, templates.DATES.message, templates.DATES.page}
    texts |= {*templates.EMAIL, templates.SMS_SENDER, templates.SMS_OPT_OUT}
    words = templates.REPLY_WORDS
    texts |= {words.confirm, words.reschedule, words.negations}
    texts |= {words.confirm_phrases, words.reschedule_phrases, words.stop, words.start}
    texts |= {text for answers in templates.ANSWERS.values() for text in answers}
    for template in templates.MESSAGES.values():
        texts |= {template.subject} if template.subject else set()
        for paragraph in template.body:
            for clause in paragraph:
                texts |= {clause} if isinstance(clause, Msg) else set(clause)
    return texts


def placeholders(text: str) -> set[tuple[str, str, str | None]]:
    """`{name:spec}` and `{name!r}` as (name, spec, conversion): ".0" must stay ".0"."""
    parsed = Formatter().parse(text)
    return {(name, spec or "", conversion) for _, name, spec, conversion in parsed if name}


def singular(text: str | tuple[str, ...] | list[str] | None) -> str:
    """A msgid or msgstr: Waypost's texts have no plural forms."""
    assert isinstance(text, str), text
    return text


def test_pybabel_extract_finds_exactly_the_texts_the_templates_use() -> None:
    extracted = extract_from_file("python", templates.__file__, keywords=EXTRACT_KEYWORDS)
    found = {Msg(singular(message), context) for _, message, _, context in extracted}
    assert found == source_texts()


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_po_file_translates_every_text_and_nothing_else(locale: Locale) -> None:
    with po_file(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    entries = {Msg(singular(entry.id), entry.context): entry for entry in catalog if entry.id}
    assert not source_texts() - set(entries), "missing: run `make translations`, translate"
    assert not set(entries) - source_texts(), "stale: run `make translations`"
    assert not catalog.obsolete, "obsolete entries (#~): delete them"
    assert [msg for msg, entry in entries.items() if entry.fuzzy] == []
    assert [msg for msg, entry in entries.items() if not entry.string] == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_translation_keeps_the_english_placeholders(locale: Locale) -> None:
    """Fields decide which alternative is said, so a translation keeps them; it may leave out
    only a field every message has (a sentence that does not name the carrier)."""
    with po_file(locale).open("rb") as po:
        catalog = read_po(po, locale=locale)
    for entry in catalog:
        if not entry.id:
            continue
        english, translated = placeholders(singular(entry.id)), placeholders(singular(entry.string))
        assert translated <= english, entry.id
        assert {name for name, _, _ in english - translated} <= templates.ALWAYS_KNOWN, entry.id


def test_an_unconfirmed_or_missing_translation_is_said_in_english() -> None:
    catalog = Catalog(locale="pl")
    catalog.add("Delivered", "Dostarczono", context="status.delivered")
    catalog.add("Shipped", "Wysłano", context="status.shipped", flags=["fuzzy"])
    catalog.add("Cancelled", "", context="status.cancelled")
    say = translator(catalog)
    assert say(Msg("Delivered", "status.delivered")) == "Dostarczono"
    assert say(Msg("Shipped", "status.shipped")) == "Shipped"
    assert say(Msg("Cancelled", "status.cancelled")) == "Cancelled"
    assert say(Msg("In transit", "status.in_transit")) == "In transit"


def test_the_fields_a_translation_may_leave_out_are_those_every_message_has() -> None:
    assert {"recipient_name", "order_id", "carrier", "tracking_number"} == templates.ALWAYS_KNOWN


_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@pytest.mark.parametrize("month", range(1, 13))
def test_cldr_dates_read_as_the_hand_written_ones_did(month: int) -> None:
    """Babel's data for en is CLDR's root English ("Sep", not en-GB's "Sept")."""
    for day in (1, 2, 3, 4, 5, 6, 7):
        moment = datetime(2026, month, day, 12, tzinfo=UTC)
        expected = f"{_EN_WEEKDAYS[moment.weekday()]} {day} {_EN_MONTHS[month - 1]}"
        assert formats.day(moment, "en") == expected
        assert formats.day(moment, "en", "page") == expected
        for locale in ("ru", "pl", "ro"):
            assert formats.day(moment, locale) == f"{day:02d}.{month:02d}"


# --- The branded email ------------------------------------------------------------------------


def test_an_email_with_its_shop_has_a_branded_html_part_saying_the_same_words() -> None:
    shop = ShopProfile(display_name="Acme <Outdoor> & Co", postal_address="1 Trail Road")
    ctx = full_context(recipient_name="<b>Sam</b>")
    rendered = render(NotificationKind.SHIPPED, Channel.EMAIL, "en", ctx, shop)
    assert rendered.html is not None
    assert "Acme &lt;Outdoor&gt; &amp; Co" in rendered.html and "<Outdoor>" not in rendered.html
    assert "&lt;b&gt;Sam&lt;/b&gt;" in rendered.html and "<b>Sam" not in rendered.html
    assert rendered.body.endswith(
        "--\nAcme <Outdoor> & Co\n1 Trail Road\n"
        "You are receiving this email about your order from Acme <Outdoor> & Co."
    )
    assert 'aria-current="step"' in rendered.html  # shipped: the stepper's first step
    assert render(NotificationKind.SHIPPED, Channel.EMAIL, "en", ctx).html is None


def test_an_email_without_a_tracking_link_has_no_button() -> None:
    shop = ShopProfile(display_name="Acme Outdoor")
    ctx = full_context(tracking_url=None)
    rendered = render(NotificationKind.DELAY_NOTICE, Channel.EMAIL, "pl", ctx, shop)
    assert rendered.html is not None and 'class="button"' not in rendered.html
    assert "<img" not in rendered.html  # no logo in the profile: the name alone
