"""`waypost report`, `waypost db retention` and `waypost db set-aside`: the commands that read
and prune the ledger.

Registered in `starters.cli`. They open the configured ledger (`WAYPOST_DATABASE_URL`) directly;
none needs Temporal. `set_aside_lines` adds what the ledger set aside to `waypost shipment show`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from infra.settings import get_settings
from ledger.anonymisation import RetentionMode, RetentionSummary, cleared_columns
from ledger.claims import CallRefused, LedgerWriter
from ledger.engine import make_engine
from ledger.retention import DEFAULT_BATCH_SIZE, Retention
from ledger.views import CallView, LedgerReader, NotificationView, SetAsideView, ShipmentView
from models.call import Call, CallReceipt
from models.shipment import parse_shipment_ref
from reports.model import PeriodError, build_report, parse_day, resolve_period
from reports.queries import has_ledger, known_shops, read_rows
from reports.render import render_png, render_text

__all__ = [
    "describe_retention",
    "describe_set_aside",
    "ledger_record",
    "open_ledger",
    "report",
    "retention",
    "set_aside",
    "set_aside_lines",
]

SHOPS_NAMED = 20
"""How many known shops an "unknown shop" error lists."""


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _missing_file(url: str) -> bool:
    """A SQLite ledger whose file does not exist (yet)."""
    parsed = make_url(url)
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    on_disk = bool(file) and file != ":memory:" and not (file or "").startswith("file:")
    return on_disk and not Path(file or "").expanduser().exists()


@contextmanager
def open_ledger(url: str) -> Iterator[Engine]:
    """The configured ledger, or a clear error when it is missing, unmigrated or unreachable."""
    if _missing_file(url):  # make_engine would create it
        raise _fail(f"no ledger at {_shown(url)}: nothing has been recorded there yet")
    engine = make_engine(url)
    try:
        try:
            migrated = has_ledger(engine)
        except DBAPIError as err:
            raise _fail(f"cannot reach the ledger at {_shown(url)}: {err.orig}") from err
        if not migrated:
            raise _fail(f"the ledger at {_shown(url)} has no tables: run `waypost db upgrade`")
        yield engine
    finally:
        engine.dispose()


def report(
    shop: Annotated[
        str | None,
        typer.Option(
            help="One shop's report. Default: every shop with activity, one section each."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="First day, YYYY-MM-DD (UTC). Default: 29 days before --until."),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Last day, YYYY-MM-DD (UTC), included. Default: today.")
    ] = None,
    days: Annotated[
        int | None,
        typer.Option(help="The last N UTC days, today included (instead of --since/--until)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Also write report.txt, report.json and report.png into this folder."),
    ] = None,
    png: Annotated[
        Path | None, typer.Option(help="Write the plot of daily volumes and outcomes here (PNG).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON instead of text.")
    ] = False,
) -> None:
    """Shipments by outcome, messages per shipment, SMS segments and cost, delivery and pickup
    rates, delay notices and delivered share, per shop, over UTC days (default: the last 30).

    Figures are about the shipments started in the period; the plot shows each day's activity.
    """
    now = datetime.now(UTC)
    try:
        period = resolve_period(
            since=parse_day("--since", since) if since is not None else None,
            until=parse_day("--until", until) if until is not None else None,
            days=days,
            today=now.date(),
        )
    except PeriodError as err:
        raise _fail(str(err)) from err
    if out is not None and out.exists() and not out.is_dir():
        raise _fail(f"--out {out} is a file, not a folder")

    settings = get_settings()
    with open_ledger(settings.ledger_url) as engine:
        if shop is not None:
            shops = known_shops(engine)
            if shop not in shops:
                named = ", ".join(shops[:SHOPS_NAMED]) + (
                    " ..." if len(shops) > SHOPS_NAMED else ""
                )
                known = f"it has shipments of {named}" if shops else "it has no shipments yet"
                raise _fail(
                    f"unknown shop {shop!r}: the ledger never had a shipment of it; {known}"
                )
        built = build_report(period, shop, read_rows(engine, period, shop), now)

    text = render_text(built)
    document = built.model_dump_json(indent=2)
    if as_json:
        typer.echo(document)
    else:
        typer.echo(text, nl=False)  # it ends with its own newline
    if png is not None:
        typer.echo(f"plot written to {render_png(built, png)}", err=True)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.txt").write_text(text, encoding="utf-8")
        (out / "report.json").write_text(document + "\n", encoding="utf-8")
        render_png(built, out / "report.png")
        typer.echo(f"report.txt, report.json and report.png written to {out}", err=True)


def describe_retention(summary: RetentionSummary) -> str:
    """What a retention run did, or a dry run would do, in a few lines."""
    anonymise = summary.mode is RetentionMode.ANONYMISE
    verb = (
        ("would anonymise" if anonymise else "would delete")
        if summary.dry_run
        else ("anonymised" if anonymise else "deleted")
    )
    when = summary.cutoff.strftime("%Y-%m-%d %H:%M UTC")
    shops = ", ".join(f"{shop} {n}" for shop, n in summary.shipments_by_shop.items())
    lines = [
        f"{verb} {summary.shipments} shipment(s) closed before {when} "
        f"({summary.days} days ago){f': {shops}' if shops else ''}",
        f"  with {summary.events} timeline event(s), {summary.notifications} message(s), "
        f"{summary.attempts} provider attempt(s) and {summary.delivery_reports} delivery "
        "report(s)",
    ]
    if not summary.dry_run and summary.batches:
        lines[-1] += f", in {summary.batches} batch(es)"
    if summary.calls:
        lines.append(f"  and {summary.calls} call-centre call(s) recorded about them")
    lines.append(
        f"{'would delete' if summary.dry_run else 'deleted'} {summary.unmatched_reports} "
        "provider callback(s) received before then that never matched a message"
    )
    if anonymise and summary.shipments:
        lines.append(
            "anonymising clears or replaces: " + ", ".join(cleared_columns()) + "; it keeps "
            "shop, carrier, kinds, channels, statuses, segments, costs and dates, so "
            "`waypost report` gives the same figures"
        )
    if summary.dry_run:
        lines.append("dry run: nothing was changed")
    return "\n".join(lines)


def retention(
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Retention period in days. Default: WAYPOST_RETENTION_DAYS."),
    ] = None,
    mode: Annotated[
        RetentionMode | None,
        typer.Option(help="anonymise or delete. Default: WAYPOST_RETENTION_MODE."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would be done and change nothing.")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Shipments per transaction.")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Anonymise (or delete) the ledger's record of shipments closed longer ago than the
    retention period. Open shipments and recently closed ones are never touched; running it
    again does nothing more."""
    settings = get_settings()
    period = days if days is not None else settings.retention_days
    chosen = mode if mode is not None else settings.retention_mode
    if period < settings.tracking_link_days:
        typer.echo(
            f"note: {period} days is shorter than the tracking links' {settings.tracking_link_days}"
            ": a link still valid may find its shipment gone",
            err=True,
        )
    with open_ledger(settings.ledger_url) as engine:
        worker = Retention(engine, batch_size=batch_size)
        summary = worker.plan(period, chosen) if dry_run else worker.run(period, chosen)
    typer.echo(describe_retention(summary))


def describe_set_aside(item: SetAsideView, *, payload: int | None = 200) -> str:
    """One set-aside part for support: when, which shipment and part, why, and what it held
    (cut to `payload` characters; None for all of it)."""
    held = (
        item.payload
        if payload is None or len(item.payload) <= payload
        else (item.payload[:payload] + "…")
    )
    return (
        f"  {item.set_aside_at.isoformat(timespec='seconds')}  {item.part:<15} {item.key}\n"
        f"    {item.error_class}: {item.error}\n"
        f"    payload: {held}"
    )


def set_aside_lines(url: str, ref: str) -> tuple[list[str], str | None]:
    """What the ledger set aside of one shipment, as lines for `waypost shipment show`, and a
    note when the ledger cannot be read (the show goes on without it)."""
    if _missing_file(url):  # nothing was ever recorded there: nothing set aside either
        return [], None
    try:
        with open_ledger(url) as engine:
            found = LedgerReader(engine).set_aside_for(ref)
    except typer.Exit:
        return (
            [],
            "set-aside parts not shown: the ledger cannot be read (see `waypost db set-aside`)",
        )
    except DBAPIError as err:
        return (
            [],
            f"set-aside parts not shown: {type(err.orig).__name__} (run `waypost db upgrade`?)",
        )
    if not found:
        return [], None
    lines = ["set aside by the ledger (could not be stored; the rest went on):"]
    return lines + [describe_set_aside(item) for item in found], None


def record_call_in_ledger(url: str, ref: str, call: Call, now: datetime) -> CallReceipt:
    """`waypost shipment call` for a shipment whose workflow has closed: straight into the
    ledger, under the workflow's rules (exit 1 when refused or unknown)."""
    with open_ledger(url) as engine:
        try:
            return LedgerWriter(engine).record_call_after_close(ref, call, now)
        except LookupError as err:
            raise _fail(str(err), 1) from err
        except CallRefused as err:
            raise _fail(f"refused: {err}", 1) from err


def describe_call(call: CallView | Call) -> str:
    """One line for support: when, who, the outcome, and the note (the CLI is support's tool)."""
    note = f" - {call.note}" if call.note else ""
    return (
        f"  {call.occurred_at.isoformat()}  {call.direction.value:<8} {call.centre.value:<7} "
        f"{call.outcome.value:<12} {call.operator or '-'} [{call.call_id}]{note}"
    )


def late_call_lines(url: str, ref: str, known: set[str]) -> list[str]:
    """Calls the ledger has and the workflow's state does not (recorded after it closed), as
    lines for `waypost shipment show`; none when the ledger cannot be read (the set-aside
    lines say so)."""
    if _missing_file(url):
        return []
    try:
        with open_ledger(url) as engine:
            found = LedgerReader(engine).calls_for(ref)
    except (typer.Exit, DBAPIError):
        return []
    late = [c for c in found if c.call_id not in known]
    if not late:
        return []
    return ["calls recorded after the shipment closed (ledger):"] + [describe_call(c) for c in late]


def ledger_record(
    url: str, ref: str
) -> tuple[ShipmentView | None, list[NotificationView], str | None]:
    """The ledger's word on one shipment for `waypost shipment show`: its row and its messages
    (their statuses are the ledger's, later than a closed workflow's), and a note when the
    ledger cannot be read (the show goes on with the workflow's own)."""
    if _missing_file(url):
        return None, [], None
    try:
        with open_ledger(url) as engine:
            reader = LedgerReader(engine)
            return reader.shipment(ref), reader.notifications_for(ref), None
    except typer.Exit:
        return None, [], "message statuses are the workflow's: the ledger cannot be read"
    except DBAPIError as err:
        return None, [], f"message statuses are the workflow's: {type(err.orig).__name__}"


def _shipment_ref(value: str) -> str:
    try:
        return parse_shipment_ref(value)
    except ValueError as err:
        raise _fail(str(err)) from err


def set_aside(
    shipment: Annotated[
        str | None, typer.Option(help="One shipment's parts (shipment:<shop_id>:<shipment_id>).")
    ] = None,
    days: Annotated[
        int, typer.Option(min=1, help="Without --shipment: parts set aside in the last N days.")
    ] = 7,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print them as JSON, payloads whole.")
    ] = False,
) -> None:
    """Parts of ledger writes that could never be stored (a NUL in a carrier's text, an id longer
    than its column): each with its shipment, why, and the row it would have written."""
    settings = get_settings()
    with open_ledger(settings.ledger_url) as engine:
        ledger = LedgerReader(engine)
        try:
            if shipment is not None:
                found = ledger.set_aside_for(_shipment_ref(shipment))
            else:
                found = ledger.set_aside_since(datetime.now(UTC) - timedelta(days=days), limit)
        except DBAPIError as err:
            raise _fail(
                f"cannot read the set-aside parts: {err.orig}; run `waypost db upgrade`"
            ) from err
    if as_json:
        typer.echo(json.dumps([item.model_dump(mode="json") for item in found], indent=2))
        return
    if not found:
        typer.echo("nothing set aside" + (f" for {shipment}" if shipment else f" in {days} days"))
        return
    for item in found:
        typer.echo(f"{item.shipment_ref or '(no shipment: a provider callback)'}")
        typer.echo(describe_set_aside(item))
