"""A report as people read it: a text table per shop, and a PNG of daily volumes and outcomes.

matplotlib is imported only when a plot is drawn, with the Agg backend (no display needed).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from messages.numbers import figure, money, share
from messages.page import text
from models.call import CallOutcome
from models.notification import Channel
from reports.model import DayVolume, Outcome, Report, ShopReport

__all__ = ["key_figures", "plot_days", "render_png", "render_text"]

OUTCOME_LABELS = {
    Outcome.DELIVERED: "delivered (courier)",
    Outcome.PICKED_UP: "picked up",
    Outcome.RETURNED: "returned",
    Outcome.CANCELLED: "cancelled",
    Outcome.OPEN: "still open",
}
MIN_PLOT_DAYS = 7
"""The plot shows the days with activity, widened to at least a week (within the period), so one
busy day is a column among its neighbours rather than a bar in a month of nothing."""
CALL_OUTCOME_LABELS = {o: text(f"call_outcome.{o.value}", "en").lower() for o in CallOutcome}
"""The tracking page's words for a call's outcome (messages/templates.py), as the report's."""
PLOT_SHOPS = 12
"""A plot shows at most this many shops (those with the most shipments): one row each."""
OUTCOME_COLOURS = {
    Outcome.DELIVERED: "#2e7d32",
    Outcome.PICKED_UP: "#66bb6a",
    Outcome.RETURNED: "#c62828",
    Outcome.CANCELLED: "#9e9e9e",
}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else share(value)


def _num(value: float | None) -> str:
    return "n/a" if value is None else figure(value)


def _usd(value: Decimal | None) -> str:
    return "n/a" if value is None else money(value)


def _line(label: str, value: object, note: str = "") -> str:
    text = f"  {label:<28}{value!s:>10}"
    return f"{text}  {note}" if note else text


def _shop_text(shop: ShopReport) -> list[str]:
    lines = [f"== shop {shop.shop_id} =="]
    if shop.shipments == 0:
        lines.append("  no shipments started in this period (daily activity below)")
    else:
        lines.append(_line("shipments started", shop.shipments))
        for outcome in Outcome:
            note = ""
            if outcome is Outcome.OPEN and shop.open_by_status:
                note = ", ".join(f"{s.value} {n}" for s, n in shop.open_by_status.items())
            lines.append(_line(f"  {OUTCOME_LABELS[outcome]}", shop.outcomes[outcome], note))
        lines += [
            _line(
                "delivery rate",
                _pct(shop.delivery_rate),
                "delivered or picked up, of those delivered, picked up or returned",
            ),
            _line(
                "pickup rate",
                _pct(shop.pickup_rate),
                "picked up, of those closed after reaching a pickup point",
            ),
            _line(
                "delay notices sent",
                shop.delay_notices,
                f"to {shop.shipments_with_delay_notice} shipment(s)",
            ),
            _line(
                "messages sent",
                shop.messages_sent,
                f"{_num(shop.messages_per_shipment)} per shipment",
            ),
        ]
        for channel in Channel:
            lines.append(
                _line(
                    f"  {channel.value}",
                    shop.sent_by_channel[channel],
                    f"{_num(shop.per_shipment_by_channel[channel])} per shipment",
                )
            )
        if shop.messages_refused or shop.messages_pending:
            lines.append(
                _line(
                    "not sent",
                    shop.messages_refused + shop.messages_pending,
                    f"{shop.messages_refused} refused or given up, {shop.messages_pending} pending",
                )
            )
        if shop.messages_opted_out:
            lines.append(
                _line("opted out", shop.messages_opted_out, "not sent: the recipient said stop")
            )
        if shop.calls:
            lines.append(
                _line(
                    "calls recorded",
                    shop.calls,
                    f"{_num(shop.calls_per_shipment)} per shipment, "
                    f"to {shop.shipments_called} shipment(s)",
                )
            )
            for answer, count in shop.calls_by_outcome.items():
                lines.append(_line(f"  {CALL_OUTCOME_LABELS[answer]}", count))
        lines += [
            _line("SMS segments", shop.sms_segments),
            _line(
                "SMS estimated cost",
                _usd(shop.sms_cost),
                f"{_usd(shop.cost_per_shipment)} per shipment, "
                f"{_usd(shop.cost_per_delivered)} per delivered one",
            ),
            _line(
                "messages delivered",
                _pct(shop.delivered_share),
                "of those a provider accepted, per its delivery reports",
            ),
        ]
        if shop.by_provider:
            lines.append(
                f"    {'provider':<10}{'channel':<8}{'sent':>6}{'delivered':>11}"
                f"{'undelivered':>13}{'failed':>8}{'no report':>11}{'refused':>9}{'share':>8}"
            )
            for p in shop.by_provider:
                lines.append(
                    f"    {p.provider:<10}{p.channel.value:<8}{p.sent:>6}{p.delivered:>11}"
                    f"{p.undelivered:>13}{p.failed:>8}{p.no_report:>11}{p.refused:>9}"
                    f"{_pct(p.delivered_share):>8}"
                )
    active = [d for d in shop.daily if _activity(d)]
    lines.append("  daily (UTC), days with activity:" if active else "  no daily activity")
    if active:
        lines.append(
            f"    {'day':<12}{'started':>8}{'delivered':>10}{'picked up':>10}{'returned':>9}"
            f"{'cancelled':>10}{'sms':>6}{'email':>6}"
        )
        for d in active:
            lines.append(
                f"    {d.day.isoformat():<12}{d.started:>8}{d.delivered:>10}{d.picked_up:>10}"
                f"{d.returned:>9}{d.cancelled:>10}{d.sms:>6}{d.email:>6}"
            )
    return lines


def _activity(day: DayVolume) -> int:
    return (
        day.started
        + day.delivered
        + day.picked_up
        + day.returned
        + day.cancelled
        + day.sms
        + day.email
    )


def render_text(report: Report) -> str:
    """The report as text: a header, then one section per shop."""
    scope = f"shop {report.shop}" if report.shop else "all shops"
    lines = [
        f"Waypost report, {scope}: {report.period.label()}",
        "Figures are about the shipments started in the period and every message they caused; "
        "daily rows count what happened on each day.",
        f"Generated {report.generated_at.strftime('%Y-%m-%d %H:%M')} UTC.",
        "",
    ]
    if report.empty:
        lines.append(
            f"Nothing in this period: no shipment of {scope} was started, closed or sent a message."
        )
    for shop in report.shops:
        lines += [*_shop_text(shop), ""]
    return "\n".join(lines).rstrip() + "\n"


def plot_days(report: Report, shops: list[ShopReport]) -> tuple[date, date]:
    """The first and last day the plot shows: from the first to the last day any of `shops` was
    active, widened to MIN_PLOT_DAYS (earlier days first) without leaving the period."""
    active = [d.day for shop in shops for d in shop.daily if _activity(d)]
    since, until = report.period.since, report.period.until
    if not active:
        return since, until
    first, last = min(active), max(active)
    missing = MIN_PLOT_DAYS - ((last - first).days + 1)
    if missing > 0:
        first = max(since, first - timedelta(days=missing))
        last = min(until, first + timedelta(days=MIN_PLOT_DAYS - 1))
    return first, last


def key_figures(shop: ShopReport) -> str:
    """The figures a reader of the image wants without the text report, in one line."""
    return " · ".join(
        (
            f"{shop.shipments} shipment{'' if shop.shipments == 1 else 's'}",
            f"delivery rate {_pct(shop.delivery_rate)}",
            f"pickup rate {_pct(shop.pickup_rate)}",
            f"{_num(shop.messages_per_shipment)} messages each",
            f"SMS {_usd(shop.cost_per_delivered)} per delivered",
            f"messages delivered {_pct(shop.delivered_share)}",
        )
    )


def render_png(report: Report, path: Path) -> Path:
    """Draw the daily plot: a row per shop (at most PLOT_SHOPS), its volumes (shipments started,
    SMS, emails) beside the day's outcomes (shipments closed, stacked by outcome). Returns the
    path written."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates
    import matplotlib.pyplot as plt

    mdates: Any = matplotlib.dates  # its functions are untyped

    shops = report.shops
    scope = f"shop {report.shop}" if report.shop else "all shops"
    if len(shops) > PLOT_SHOPS:
        busiest = sorted(shops, key=lambda s: (-s.shipments, -s.messages_sent, s.shop_id))
        shops = sorted(busiest[:PLOT_SHOPS], key=lambda s: s.shop_id)
        scope = f"the {PLOT_SHOPS} busiest of {len(report.shops)} shops"
    rows = max(len(shops), 1)
    figure, axes = plt.subplots(rows, 2, figsize=(13, 3.4 * rows + 0.8), squeeze=False, sharex=True)
    figure.suptitle(f"Waypost, {scope}: {report.period.label()}", fontsize=12)
    if not shops:
        for ax in axes[0]:
            ax.axis("off")
        axes[0][0].text(
            1.0,
            0.5,
            "Nothing in this period: no shipment started, closed or sent a message.",
            ha="center",
            va="center",
            transform=axes[0][0].transAxes,
        )
    for row, ((volumes, outcomes), shop) in enumerate(zip(axes, shops, strict=False)):
        _plot_shop(volumes, outcomes, shop, legend=row == 0)
    since, until = plot_days(report, shops)
    first = mdates.date2num(since) - 0.6
    last = mdates.date2num(until) + 0.6
    for ax in axes[-1]:
        if (until - since).days < 14:  # one tick a day, named by its date, never hours
            locator: Any = mdates.DayLocator()
            formatter: Any = mdates.DateFormatter("%d %b")
        else:
            locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
            formatter = mdates.ConciseDateFormatter(locator)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(formatter)
    for ax in axes.flat:
        ax.set_xlim(first, last)
    figure.tight_layout(h_pad=2.5, rect=(0, 0, 1, 0.985))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=100)
    plt.close(figure)
    return path


def _plot_shop(volumes: Any, outcomes: Any, shop: ShopReport, *, legend: bool) -> None:
    """One shop's row: volumes on the left, outcomes on the right; the legends (first row only)
    sit in headroom above the data, so they never hide it."""
    days = [d.day for d in shop.daily]
    series = (
        ("shipments started", "started", "o"),
        ("SMS sent", "sms", "."),
        ("emails sent", "email", "."),
    )
    highest = 0
    for label, field, marker in series:
        values = [getattr(d, field) for d in shop.daily]
        highest = max(highest, *values)
        volumes.plot(days, values, marker=marker if len(days) <= 31 else None, label=label)
    volumes.set_title(f"{shop.shop_id}: daily volumes (UTC)", fontsize=10)
    figures = volumes.annotate(
        key_figures(shop),
        xy=(0, 1),
        xycoords="axes fraction",
        xytext=(0, 22),
        textcoords="offset points",
        fontsize=9,
        fontweight="bold",
    )
    figures.set_in_layout(False)  # it spans both plots of the row; the layout leaves it room
    volumes.set_ylim(0, max(highest, 1) * 1.3 + 0.5)
    volumes.grid(alpha=0.3)

    bottom = [0] * len(days)
    for outcome, colour in OUTCOME_COLOURS.items():
        counts = [getattr(d, outcome.value) for d in shop.daily]
        outcomes.bar(
            days, counts, bottom=bottom, color=colour, label=OUTCOME_LABELS[outcome], width=0.8
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    outcomes.set_title(f"{shop.shop_id}: shipments closed that day, by outcome", fontsize=10)
    outcomes.set_ylim(0, max(*bottom, 1) * 1.3 + 0.5)
    outcomes.grid(axis="y", alpha=0.3)
    for ax in (volumes, outcomes):
        ax.yaxis.get_major_locator().set_params(integer=True)
    if legend:
        volumes.legend(loc="upper left", fontsize=8, ncol=3)
        outcomes.legend(loc="upper left", fontsize=8, ncol=4)
