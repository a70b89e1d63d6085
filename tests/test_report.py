"""`waypost report`: exact figures of a known ledger on SQLite and PostgreSQL, its text, JSON and
plot, and clear errors for options that make no sense.

The ledger (tests/ledger_data.py) holds, for shop-a, over the UTC days D1..D3:
a1 courier delivered; a2 collected at a pickup point; a3 at a pickup point, returned; a4 still in
transit after a delay notice; a5 cancelled. a0 started the day before and a6 the day after (both
outside the cohort; a0's delivery and SMS still count among the period's daily figures). shop-b
has b1, delivered on D1 with one 3-segment SMS.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from infra.settings import get_settings
from ledger.engine import make_engine
from models.call import CallOutcome
from models.notification import Channel, NotificationKind, NotificationStatus
from models.status import ShipmentStatus
from reports.model import (
    ClosedDay,
    DayCount,
    DayVolume,
    LedgerRows,
    MessageCount,
    Outcome,
    Period,
    PeriodError,
    ProviderDelivery,
    Report,
    ShipmentCount,
    ShopReport,
    build_report,
    outcome_of,
    resolve_period,
)
from reports.queries import read_rows
from reports.render import (
    MIN_PLOT_DAYS,
    PLOT_SHOPS,
    key_figures,
    plot_days,
    render_png,
    render_text,
)
from starters.cli import app
from tests.db_fixtures import BACKENDS
from tests.ledger_data import D0, D1, D2, D3, D4, Known, fill_known_ledger, migrated_database

PERIOD = Period(since=D1, until=D3)
NOW = datetime.now(UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", params=BACKENDS)
def known(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Known]]:
    """The known ledger, written once per backend for the whole module (the tests only read)."""
    folder = tmp_path_factory.mktemp("report-ledger")
    with migrated_database(request, request.param, folder) as url:
        engine = make_engine(url)
        try:
            data = fill_known_ledger(engine)
        finally:
            engine.dispose()
        yield url, data


def report_of(url: str, period: Period = PERIOD, shop: str | None = None) -> Report:
    engine = make_engine(url)
    try:
        return build_report(period, shop, read_rows(engine, period, shop), NOW)
    finally:
        engine.dispose()


@pytest.fixture
def shop_a(known: tuple[str, Known]) -> ShopReport:
    report = report_of(known[0], shop="shop-a")
    assert [s.shop_id for s in report.shops] == ["shop-a"]
    return report.shops[0]


# Figures of the known ledger


def test_shipments_started_in_the_period_are_counted_by_outcome(shop_a: ShopReport) -> None:
    assert shop_a.shipments == 5
    assert shop_a.outcomes == {
        Outcome.DELIVERED: 1,
        Outcome.PICKED_UP: 1,
        Outcome.RETURNED: 1,
        Outcome.CANCELLED: 1,
        Outcome.OPEN: 1,
    }
    assert shop_a.open_by_status == {ShipmentStatus.IN_TRANSIT: 1}


def test_delivery_rate_leaves_out_cancelled_and_open_shipments(shop_a: ShopReport) -> None:
    assert shop_a.delivery_rate == 2 / 3  # a1, a2 of a1, a2, a3


def test_pickup_rate_is_collected_of_closed_after_reaching_a_pickup_point(
    shop_a: ShopReport,
) -> None:
    assert shop_a.pickup_rate == 1 / 2  # a2 collected, a3 returned


def test_messages_per_shipment_count_what_a_provider_accepted(shop_a: ShopReport) -> None:
    assert shop_a.messages_sent == 12
    assert shop_a.messages_per_shipment == 12 / 5
    assert shop_a.sent_by_channel == {Channel.SMS: 6, Channel.EMAIL: 6}
    assert shop_a.per_shipment_by_channel == {Channel.SMS: 6 / 5, Channel.EMAIL: 6 / 5}
    assert shop_a.sent_by_kind == {
        NotificationKind.SHIPPED: 4,
        NotificationKind.OUT_FOR_DELIVERY: 1,
        NotificationKind.DELIVERED: 1,
        NotificationKind.AVAILABLE_FOR_PICKUP: 3,
        NotificationKind.PICKUP_REMINDER: 1,
        NotificationKind.RETURNED: 1,
        NotificationKind.DELAY_NOTICE: 1,
    }
    assert (shop_a.messages_refused, shop_a.messages_pending) == (1, 1)


def test_sms_segments_and_cost_are_summed_from_the_ledger(shop_a: ShopReport) -> None:
    assert shop_a.sms_segments == 8
    assert shop_a.sms_cost == Decimal("0.0632")  # 8 segments at $0.0079
    assert shop_a.cost_per_shipment == Decimal("0.01264")
    assert shop_a.cost_per_delivered == Decimal("0.0316")


def test_delay_notices_are_counted_with_the_shipments_that_got_one(shop_a: ShopReport) -> None:
    assert (shop_a.delay_notices, shop_a.shipments_with_delay_notice) == (1, 1)


def test_delivered_share_follows_the_providers_delivery_reports(shop_a: ShopReport) -> None:
    assert shop_a.delivered_share == 6 / 11  # the console's message has no report to count
    assert shop_a.by_provider == [
        ProviderDelivery(
            provider="console",
            channel=Channel.EMAIL,
            sent=1,
            delivered=0,
            undelivered=0,
            failed=0,
            no_report=1,
            refused=0,
            delivered_share=None,
        ),
        ProviderDelivery(
            provider="sendgrid",
            channel=Channel.EMAIL,
            sent=5,
            delivered=2,
            undelivered=0,
            failed=1,
            no_report=2,
            refused=1,
            delivered_share=2 / 5,
        ),
        ProviderDelivery(
            provider="twilio",
            channel=Channel.SMS,
            sent=6,
            delivered=4,
            undelivered=1,
            failed=0,
            no_report=1,
            refused=0,
            delivered_share=4 / 6,
        ),
    ]


def test_calls_are_counted_per_shipment_and_by_outcome(shop_a: ShopReport) -> None:
    # a1: no answer, then answered (the shop); a3: a voicemail (the carrier); a0's period is older
    assert shop_a.calls == 3
    assert shop_a.shipments_called == 2
    assert shop_a.calls_per_shipment == 3 / 5
    assert shop_a.calls_by_outcome == {
        CallOutcome.ANSWERED: 1,
        CallOutcome.NO_ANSWER: 1,
        CallOutcome.VOICEMAIL: 1,
    }


def test_a_shops_calls_are_its_own(known: tuple[str, Known]) -> None:
    shop_b = report_of(known[0]).shops[1]

    assert (shop_b.calls, shop_b.shipments_called) == (1, 1)
    assert shop_b.calls_by_outcome == {CallOutcome.ANSWERED: 1}


def test_the_text_report_says_calls_and_their_outcomes(known: tuple[str, Known]) -> None:
    text = render_text(report_of(known[0], shop="shop-a"))

    for line in (
        "calls recorded                       3  0.60 per shipment, to 2 shipment(s)",
        "    answered                           1",
        "    no answer                          1",
        "    voicemail left                     1",
    ):
        assert line in text, line


def test_a_shop_without_calls_shows_no_call_lines(known: tuple[str, Known]) -> None:
    report = report_of(known[0], Period(since=D4, until=D4), shop="shop-a")

    assert report.shops[0].calls == 0
    assert "calls recorded" not in render_text(report)


def test_daily_figures_count_what_happened_on_each_utc_day(shop_a: ShopReport) -> None:
    assert shop_a.daily == [
        DayVolume(day=D1, started=2, sms=0, email=2),
        DayVolume(day=D2, started=2, delivered=2, sms=5, email=2),
        DayVolume(day=D3, started=1, picked_up=1, returned=1, cancelled=1, sms=2, email=2),
    ]


def test_every_shop_gets_its_own_section(known: tuple[str, Known]) -> None:
    report = report_of(known[0])

    assert [s.shop_id for s in report.shops] == ["shop-a", "shop-b"]
    shop_b = report.shops[1]
    assert shop_b.shipments == 1
    assert shop_b.outcomes[Outcome.DELIVERED] == 1
    assert (shop_b.delivery_rate, shop_b.pickup_rate) == (1.0, None)
    assert (shop_b.sms_segments, shop_b.sms_cost) == (3, Decimal("0.0237"))
    assert shop_b.delivered_share == 1.0  # the callback that came before the send was adopted
    assert shop_b.daily[0] == DayVolume(day=D1, started=1, delivered=1, sms=1)
    assert report.shops[0] == report_of(known[0], shop="shop-a").shops[0]


def test_a_period_counts_only_shipments_started_within_it(known: tuple[str, Known]) -> None:
    report = report_of(known[0], Period(since=D4, until=D4), shop="shop-a")

    (shop,) = report.shops
    assert shop.shipments == 1  # a6
    assert shop.messages_sent == 1
    assert shop.outcomes[Outcome.OPEN] == 1


def test_a_period_with_nothing_in_it_is_empty(known: tuple[str, Known]) -> None:
    long_ago = D0 - timedelta(days=400)
    report = report_of(known[0], Period(since=long_ago, until=long_ago + timedelta(days=6)))

    assert report.empty
    assert "Nothing in this period" in render_text(report)


# Pure parts: periods, outcomes, no division by zero


def test_days_means_the_last_n_utc_days_including_today() -> None:
    period = resolve_period(since=None, until=None, days=7, today=date(2026, 11, 24))

    assert period == Period(since=date(2026, 11, 18), until=date(2026, 11, 24))


def test_no_period_options_mean_the_last_30_days() -> None:
    period = resolve_period(since=None, until=None, days=None, today=date(2026, 11, 24))

    assert (period.since, period.until, len(period.days)) == (
        date(2026, 10, 26),
        date(2026, 11, 24),
        30,
    )


def test_until_before_since_is_refused_naming_both() -> None:
    with pytest.raises(PeriodError, match="--until 2026-11-01 is before --since 2026-11-20"):
        resolve_period(
            since=date(2026, 11, 20), until=date(2026, 11, 1), days=None, today=date(2026, 12, 1)
        )


def test_days_cannot_be_combined_with_since() -> None:
    with pytest.raises(PeriodError, match="--days cannot be combined"):
        resolve_period(since=date(2026, 11, 20), until=None, days=3, today=date(2026, 12, 1))


def test_a_delivery_is_a_pickup_when_the_parcel_was_available_for_pickup() -> None:
    assert outcome_of(ShipmentStatus.DELIVERED, at_pickup=True) is Outcome.PICKED_UP
    assert outcome_of(ShipmentStatus.DELIVERED, at_pickup=False) is Outcome.DELIVERED
    assert outcome_of(ShipmentStatus.AVAILABLE_FOR_PICKUP, at_pickup=True) is Outcome.OPEN


def test_a_shop_with_activity_but_no_shipments_started_has_no_rates() -> None:
    """A shop whose only activity in the period is older shipments closing: no division by zero,
    every rate and average is None (shown as n/a)."""
    rows = LedgerRows(
        closed=[
            ClosedDay(
                shop_id="s", day=D1, count=2, status=ShipmentStatus.DELIVERED, at_pickup=False
            )
        ]
    )
    (shop,) = build_report(PERIOD, None, rows, NOW).shops

    assert shop.shipments == 0
    assert shop.delivery_rate is None and shop.pickup_rate is None
    assert shop.messages_per_shipment is None and shop.cost_per_shipment is None
    assert shop.delivered_share is None
    assert shop.daily[0].delivered == 2
    assert "no shipments started in this period" in render_text(
        build_report(PERIOD, None, rows, NOW)
    )


# Rendering


def test_text_report_shows_each_figure_with_its_unit(known: tuple[str, Known]) -> None:
    text = render_text(report_of(known[0]))

    assert "(UTC days, both included)" in text
    assert "== shop shop-a ==" in text and "== shop shop-b ==" in text
    for line in (
        "delivery rate                    66.7%",
        "pickup rate                      50.0%",
        "messages sent                       12  2.40 per shipment",
        "SMS segments                         8",
        "SMS estimated cost             $0.0632  $0.01264 per shipment, $0.0316 per delivered one",
        "messages delivered               54.5%",
        "delay notices sent                   1  to 1 shipment(s)",
    ):
        assert line in text, line


def test_png_plot_is_a_real_png_image(known: tuple[str, Known], tmp_path: Path) -> None:
    path = render_png(report_of(known[0]), tmp_path / "plots" / "daily.png")

    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert (width, height) == (1300, 760)  # 13 x (3.4 per shop x 2 shops + 0.8) inches at 100 dpi
    assert len(data) > 30_000


def test_png_shows_at_most_the_busiest_shops(tmp_path: Path) -> None:
    started = [
        DayCount(shop_id=f"shop-{n:02d}", day=D1, count=n + 1) for n in range(PLOT_SHOPS + 3)
    ]
    report = build_report(PERIOD, None, LedgerRows(started=started), NOW)

    data = render_png(report, tmp_path / "many.png").read_bytes()

    _, height = struct.unpack(">II", data[16:24])
    assert len(report.shops) == PLOT_SHOPS + 3
    assert height == round((3.4 * PLOT_SHOPS + 0.8) * 100)


def one_busy_day(day: date, period: Period) -> Report:
    return build_report(
        period, None, LedgerRows(started=[DayCount(shop_id="s", day=day, count=3)]), NOW
    )


def test_the_plot_shows_a_week_around_one_busy_day_not_the_whole_month() -> None:
    month = Period(since=date(2026, 11, 1), until=date(2026, 11, 30))
    report = one_busy_day(date(2026, 11, 20), month)

    assert plot_days(report, report.shops) == (date(2026, 11, 14), date(2026, 11, 20))


def test_the_plot_widens_within_the_period_only() -> None:
    month = Period(since=date(2026, 11, 1), until=date(2026, 11, 30))
    report = one_busy_day(date(2026, 11, 2), month)

    assert plot_days(report, report.shops) == (date(2026, 11, 1), date(2026, 11, 7))


def test_the_plot_spans_the_days_with_activity(known: tuple[str, Known]) -> None:
    month = Period(since=D1 - timedelta(days=20), until=D3 + timedelta(days=9))
    report = report_of(known[0], month)

    first, last = plot_days(report, report.shops)
    assert (last - first).days + 1 == MIN_PLOT_DAYS and last >= D3 and first <= D1


def test_the_plot_of_a_quiet_period_shows_the_whole_period() -> None:
    empty = Report(period=PERIOD, shop=None, generated_at=NOW, shops=[])

    assert plot_days(empty, []) == (PERIOD.since, PERIOD.until)


def test_each_shops_key_figures_are_written_on_the_plot(shop_a: ShopReport) -> None:
    assert key_figures(shop_a) == (
        "5 shipments · delivery rate 66.7% · pickup rate 50.0% · 2.40 messages each · "
        "SMS $0.0316 per delivered · messages delivered 54.5%"
    )


def test_console_delivery_has_no_delivered_share_to_show() -> None:
    rows = LedgerRows(
        shipments=[
            ShipmentCount(shop_id="s", status=ShipmentStatus.DELIVERED, at_pickup=False, count=2)
        ],
        messages=[
            MessageCount(
                shop_id="s",
                channel=Channel.SMS,
                kind=NotificationKind.SHIPPED,
                provider="console",
                status=NotificationStatus.SENT,
                accepted=True,
                count=4,
                segments=4,
                cost=Decimal("0.0316"),
            )
        ],
    )
    (shop,) = build_report(PERIOD, None, rows, NOW).shops

    assert shop.delivered_share is None
    assert "messages delivered                 n/a" in render_text(
        build_report(PERIOD, None, rows, NOW)
    )


def test_png_of_an_empty_period_says_so(tmp_path: Path) -> None:
    empty = Report(period=PERIOD, shop=None, generated_at=NOW, shops=[])

    data = render_png(empty, tmp_path / "empty.png").read_bytes()

    assert data[:8] == PNG_SIGNATURE and len(data) > 5_000


# The command


@pytest.fixture
def cli(
    known: tuple[str, Known], monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> CliRunner:
    monkeypatch.setenv("WAYPOST_DATABASE_URL", known[0])
    return CliRunner()


def period_args() -> list[str]:
    return ["--since", D1.isoformat(), "--until", D3.isoformat()]


def test_command_prints_a_section_per_shop(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", *period_args()])

    assert result.exit_code == 0, result.output
    assert "== shop shop-a ==" in result.stdout and "== shop shop-b ==" in result.stdout


def test_command_json_is_the_report(cli: CliRunner, known: tuple[str, Known]) -> None:
    result = cli.invoke(app, ["report", *period_args(), "--shop", "shop-a", "--json"])

    assert result.exit_code == 0, result.output
    printed = Report.model_validate(json.loads(result.stdout))
    expected = report_of(known[0], shop="shop-a")
    assert printed.shops == expected.shops
    assert printed.period == PERIOD


def test_command_writes_text_json_and_plot_to_a_folder(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = cli.invoke(app, ["report", *period_args(), "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["report.json", "report.png", "report.txt"]
    assert (out / "report.png").read_bytes()[:8] == PNG_SIGNATURE
    assert (out / "report.txt").read_text() == result.stdout


def test_command_writes_the_plot_where_asked(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["report", "--days", "3", "--png", str(tmp_path / "p.png")])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "p.png").read_bytes()[:8] == PNG_SIGNATURE


def test_command_refuses_a_missing_ledger_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WAYPOST_DATABASE_URL", f"sqlite:///{tmp_path / 'none' / 'ledger.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert "nothing has been recorded there yet" in result.stderr
    assert not (tmp_path / "none").exists()


def test_command_says_when_a_period_is_empty(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "--since", "2001-01-01", "--until", "2001-01-31"])

    assert result.exit_code == 0, result.output
    assert "Nothing in this period" in result.stdout


def test_command_refuses_an_unknown_shop_naming_the_known_ones(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "--shop", "shop-zz"])

    assert result.exit_code == 2
    assert "unknown shop 'shop-zz'" in result.stderr
    assert "shop-a, shop-b" in result.stderr


def test_command_refuses_until_before_since(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "--since", "2026-11-20", "--until", "2026-11-01"])

    assert result.exit_code == 2
    assert "--until 2026-11-01 is before --since 2026-11-20" in result.stderr


def test_command_refuses_a_date_it_cannot_read(cli: CliRunner) -> None:
    result = cli.invoke(app, ["report", "--since", "20.11.2026"])

    assert result.exit_code == 2
    assert "--since '20.11.2026' is not a date: use YYYY-MM-DD" in result.stderr


def test_command_explains_a_ledger_without_tables(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE unrelated (id INTEGER)")
    engine.dispose()
    monkeypatch.setenv("WAYPOST_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["report"])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert "has no tables: run `waypost db upgrade`" in result.stderr
