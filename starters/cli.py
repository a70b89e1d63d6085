"""The `waypost` command: shipments for shops and carriers, the worker, the stack, the demo."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from codec.commands import codec_app, codec_server
from infra.collector import tune_collector
from infra.connection import ConnectionSettingsError, connect
from infra.logs import configure_logging
from infra.masking import mask_message
from infra.serving import free_port, port_open
from infra.settings import Settings, get_settings, settings_error_message
from infra.telemetry import MetricsUnavailable
from infra.trackers import tracker_plan
from ledger.views import NotificationView
from models.call import Call, CallCentre, CallDirection, CallOutcome, CallReceipt, future_refusal
from models.shipment import FINAL_STATUSES, CarrierEvent, ShipmentStart, parse_shipment_ref
from models.state import EventOutcome, NextEventWait, ShipmentState, Waiting
from starters.devserver import DevServer
from starters.healthcheck import healthcheck_app
from starters.ledger_commands import (
    describe_call,
    late_call_lines,
    ledger_record,
    record_call_in_ledger,
    report,
    retention,
    set_aside,
    set_aside_lines,
)
from starters.preview import messages_app
from starters.process import leave
from starters.shop_commands import shop_app
from workflows import client as api

app = typer.Typer(help="Waypost: parcel notifications that never bombard.", no_args_is_help=True)
shipment_app = typer.Typer(
    help="Start shipments, report carrier events, look them up.", no_args_is_help=True
)
db_app = typer.Typer(help="The ledger database.", no_args_is_help=True)
app.add_typer(shipment_app, name="shipment")
app.add_typer(db_app, name="db")
app.add_typer(shop_app, name="shop")
app.add_typer(codec_app, name="codec")
app.add_typer(messages_app, name="messages")
app.command("codec-server")(codec_server)
app.add_typer(healthcheck_app, name="healthcheck")
app.command("report")(report)
db_app.command("retention")(retention)
db_app.command("set-aside")(set_aside)

T = TypeVar("T")
EVENTS = TypeAdapter(CarrierEvent | list[CarrierEvent])


def warn_unencrypted(settings: Settings) -> None:
    """`waypost worker` and `waypost api` are what production runs: without payload keys they
    say so on stderr, in words, besides the WARNING log line."""
    from infra.encryption import unencrypted_warning

    warning = unencrypted_warning(settings)
    if warning is not None:
        typer.echo(f"WARNING: {warning}", err=True)


def note_unencrypted(settings: Settings, server: DevServer | None) -> None:
    """`waypost dev` and `waypost demo`: one line when they run on a local Temporal (a dev server
    of their own or on loopback); the full warning when the configured Temporal is elsewhere."""
    from infra.encryption import unencrypted_warning, warn_if_unencrypted

    if unencrypted_warning(settings) is None:
        return
    host = settings.temporal_address.rpartition(":")[0].strip("[]")
    if server is not None or host == "localhost" or _is_loopback(host):
        typer.echo(
            "Note: payloads are not encrypted (fine on this local Temporal); "
            "set WAYPOST_PAYLOAD_KEYS to try encryption"
        )
        return
    warning = warn_if_unencrypted(settings, "dev")
    typer.echo(f"WARNING: {warning}", err=True)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def validation_message(what: str, err: ValidationError) -> str:
    """One line per problem, naming the field, as a shop developer needs to fix the file."""
    lines = [f"invalid {what}:"]
    for problem in err.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"]) or "(top level)"
        lines.append(f"  {where}: {problem['msg']}")
    return "\n".join(lines)


def read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise fail(f"cannot read {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise fail(f"{path} is not valid JSON: {err.msg} at line {err.lineno}") from err


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    try:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


async def _client(settings: Settings, *, serve_metrics: bool = False) -> Client:
    if not serve_metrics:  # one-off commands: a worker beside them may hold the metrics port
        settings = settings.model_copy(update={"metrics_bind": ""})
    try:
        return await connect(settings)
    except RuntimeError as err:
        raise fail(
            f"cannot reach Temporal at {settings.temporal_address}: {err}\n"
            "start the local stack with `waypost dev`"
        ) from err


def _ref(value: str) -> str:
    try:
        return parse_shipment_ref(value)
    except ValueError as err:
        raise fail(str(err)) from err


@shipment_app.command("start")
def shipment_start(
    file: Annotated[Path, typer.Argument(help="JSON file with the shipment.")],
) -> None:
    """Start a shipment's workflow (a second start of the same shipment finds the first)."""
    settings = get_settings()
    try:
        start = ShipmentStart.model_validate(read_json(file))
    except ValidationError as err:
        raise fail(validation_message(f"shipment in {file}", err)) from err

    if start.tracker is None:  # the settings' tracker, as the HTTP API's starts get
        start = start.model_copy(update={"tracker": tracker_plan(settings, start.shop_id)})

    async def go() -> api.Started:
        return await api.start_shipment(await _client(settings), start, settings.task_queue)

    started = run(go)
    verb = "started" if started.created else "already exists"
    typer.echo(f"{verb}: {start.workflow_id}")


@shipment_app.command("event")
def shipment_event(
    shipment: Annotated[str, typer.Argument(help="shipment:<shop_id>:<shipment_id>")],
    file: Annotated[Path, typer.Argument(help="JSON file with one event or a list of events.")],
) -> None:
    """Report carrier events; prints accepted or refused (with the reason) for each."""
    settings = get_settings()
    ref = _ref(shipment)
    try:
        parsed = EVENTS.validate_python(read_json(file))
    except ValidationError as err:
        raise fail(validation_message(f"event in {file}", err)) from err
    events = parsed if isinstance(parsed, list) else [parsed]

    async def go() -> int:
        client = await _client(settings)
        refused = 0
        for event in events:
            try:
                receipt = await api.report_event(client, ref, event)
            except (api.EventRefused, api.ShipmentClosed, api.ShipmentNotFound) as err:
                refused += 1
                typer.echo(f"refused {event.event_id}: {err}")
                continue
            label = "accepted" if receipt.outcome is EventOutcome.APPLIED else "ignored"
            detail = f" ({receipt.reason})" if receipt.reason else ""
            typer.echo(
                f"{label} {event.event_id}: {receipt.outcome.value}, status "
                f"{receipt.status.value}{detail}"
            )
            for key in receipt.notifications:
                typer.echo(f"  message planned: {key}")
        return refused

    if run(go):
        raise typer.Exit(1)


def with_ledger_statuses(state: ShipmentState, ledger: list[NotificationView]) -> ShipmentState:
    """The state with each message's status, provider and id as the ledger has them: provider
    reports that came after the workflow closed (or before it heard of them) are there."""
    recorded = {view.key: view for view in ledger}
    notes = [
        note.model_copy(
            update={
                "status": view.status,
                "provider": view.provider or note.provider,
                "provider_message_id": view.provider_message_id or note.provider_message_id,
            }
        )
        if (view := recorded.get(note.key)) is not None
        else note
        for note in state.notifications
    ]
    return state.model_copy(update={"notifications": notes})


def _ahead(item: Waiting, now: datetime, closed: bool) -> str | None:
    """A wait as `shipment show` lists it, or None once its time has passed (a timer or a
    deferred message due then has fired, or will at once) or the shipment is closed."""
    if closed:
        return None
    if item.until is None:
        return item.what
    if item.until > now:
        return f"{item.what} until {item.until.isoformat()}"
    if isinstance(item, NextEventWait):
        return f"{item.what} (expected by {item.until.isoformat()}, overdue)"
    return None


def render_state(state: ShipmentState, now: datetime | None = None, closed: bool = False) -> str:
    """What `waypost shipment show` prints; `closed`: the ledger says the shipment is closed."""
    now = now or datetime.now(UTC)
    closed = closed or (
        state.status in FINAL_STATUSES
        and not any(w.until is None or w.until > now for w in state.waiting_for or [])
    )
    shipment = state.shipment
    lines = [
        f"{shipment.workflow_id}  order {shipment.order_id}  {shipment.carrier} "
        f"{shipment.tracking_number}",
        f"status: {state.status.value} since {state.status_since.isoformat()}",
    ]
    if state.exception is not None:
        found = state.exception_event()
        words = _carrier_words(found, shipment.recipient.name) if found else ""
        said = f" - carrier: {words}" if words else ""
        lines.append(f"exception: {state.exception.value}{said}")
    if state.window:
        lines.append(f"window: {state.window.start.isoformat()} - {state.window.end.isoformat()}")
    elif state.estimated_day:
        lines.append(f"estimated: {state.estimated_day.isoformat()} (a day, recipient's zone)")
    elif state.estimated_delivery:
        lines.append(f"estimated: {state.estimated_delivery.isoformat()}")
    lines.append("events:")
    for entry in state.timeline:
        event = entry.event
        place = event.location.label() if event.location else "-"
        reason = f" - {entry.reason}" if entry.reason else ""
        lines.append(
            f"  {event.occurred_at.isoformat()}  {event.status.value:<21} {place:<20} "
            f"{event.event_id} [{entry.outcome.value}]{reason}"
        )
        if words := _carrier_words(event, shipment.recipient.name):
            lines.append(f"    carrier: {words}")
    lines.append("messages:")
    for note in state.notifications:
        error = f" - {note.error}" if note.error else ""
        lines.append(
            f"  {note.kind.value:<21} {note.channel.value:<5} {note.status.value:<10} "
            f"{note.provider or '-'} {note.provider_message_id or ''}{error}"
        )
    if state.calls:
        lines.append("calls:")
        lines += [describe_call(call) for call in state.calls]
    if state.replies:
        lines.append("replies:")
    for reply in state.replies:
        about = f" to the window from {reply.window.start.isoformat()}" if reply.window else ""
        lines.append(
            f"  {reply.received_at.isoformat()}  {reply.what:<10} {reply.via or '-'}{about}"
        )
    for failing in state.failing:
        lines.append(
            f"{failing.channel.value} failing since {failing.since.isoformat()} "
            f"({failing.why or 'refused for good'}): later news goes by the other channel"
        )
    lines.append(
        f"SMS: {state.sms_sent} sent, {state.sms_segments} segment(s), "
        f"estimated cost {state.sms_cost}"
    )
    if state.tracker is not None:
        lines.append(f"tracker: {state.tracker.summary()}")
    lines.append("waiting for:")
    ahead = [text for item in state.waiting_for or [] if (text := _ahead(item, now, closed))]
    lines += [f"  {text}" for text in ahead]
    if not ahead:
        lines.append("  nothing: the shipment is closed" if closed else "  nothing scheduled")
    return "\n".join(lines)


def _carrier_words(event: CarrierEvent, name: str) -> str:
    """The carrier's own status words and description (for support), with the recipient's name
    and any phone or email in them masked: stdout holds no personal data."""
    words = " - ".join(part for part in (event.detail, event.description) if part)
    return mask_message(words, known=(name,)) if words else ""


@shipment_app.command("show")
def shipment_show(
    shipment: Annotated[str, typer.Argument(help="shipment:<shop_id>:<shipment_id>")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the full state as JSON.")] = False,
) -> None:
    """Show a shipment: status, every event, every message, what comes next, and any part the
    ledger had to set aside."""
    settings = get_settings()
    ref = _ref(shipment)

    async def go() -> ShipmentState:
        try:
            return await api.shipment_state(await _client(settings), ref)
        except api.ShipmentNotFound as err:
            raise fail(str(err), 1) from err

    state = run(go)
    row, messages, unread = ledger_record(settings.ledger_url, ref)
    state = with_ledger_statuses(state, messages)
    if as_json:
        typer.echo(state.model_dump_json(indent=2))
        return
    typer.echo(render_state(state, closed=row is not None and row.closed_at is not None))
    if unread:
        typer.echo(unread, err=True)
    for line in late_call_lines(settings.ledger_url, ref, {c.call_id for c in state.calls}):
        typer.echo(line)
    lines, note = set_aside_lines(settings.ledger_url, ref)
    for line in lines:
        typer.echo(line)
    if note:
        typer.echo(note, err=True)


@shipment_app.command("link")
def shipment_link(
    shipment: Annotated[str, typer.Argument(help="shipment:<shop>:<id>, or <shop>:<id>.")],
) -> None:
    """Print the customer's tracking page link (signed, valid WAYPOST_TRACKING_LINK_DAYS from
    now), for a support agent to open or send; the UI's details name this command."""
    from infra.links import TrackingLinks

    settings = get_settings()
    link = TrackingLinks.from_settings(settings).url(_ref(shipment), datetime.now(UTC))
    if link is None:
        raise fail("no tracking page: WAYPOST_PUBLIC_URL is empty (messages use the shop's own)")
    typer.echo(link)


@shipment_app.command("call")
def shipment_call(
    shop: Annotated[str, typer.Argument(help="The shop's id.")],
    shipment: Annotated[str, typer.Argument(help="The shop's id of the shipment.")],
    outcome: Annotated[CallOutcome, typer.Option(help="What came of the call.")],
    by: Annotated[str, typer.Option(help="The operator's name or id.")],
    note: Annotated[str | None, typer.Option(help="A short note (500 characters).")] = None,
    call_id: Annotated[
        str | None,
        typer.Option("--id", help="The call centre's id of the call (default: a new one)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When it happened, ISO 8601 with an offset (default: now).")
    ] = None,
    centre: Annotated[
        CallCentre, typer.Option(help="Whose call centre made or took it.")
    ] = CallCentre.SHOP,
    direction: Annotated[
        CallDirection, typer.Option(help="outbound: it called the customer.")
    ] = CallDirection.OUTBOUND,
) -> None:
    """Record a call-centre call about a shipment; the same --id again changes nothing. Goes to
    the shipment's workflow, or to the ledger once the shipment has closed."""
    settings = get_settings()
    now = datetime.now(UTC)
    ref = _ref(f"{shop}:{shipment}")
    given = {
        "call_id": call_id or f"cli-{uuid.uuid4().hex[:16]}",
        "occurred_at": at or now,
        "centre": centre,
        "operator": by,
        "direction": direction,
        "outcome": outcome,
        "note": note,
    }
    try:
        call = Call.model_validate(given)
    except ValidationError as err:
        raise fail(validation_message("call", err)) from err
    if (why := future_refusal(call, now)) is not None:
        raise fail(f"invalid call:\n  occurred_at: {why}")

    async def go() -> CallReceipt | None:
        try:
            return await api.record_call(await _client(settings), ref, call)
        except (api.ShipmentClosed, api.ShipmentNotFound):
            return None  # the ledger decides: a closed shipment, or none at all
        except api.EventRefused as err:
            raise fail(f"refused: {err}", 1) from err

    receipt = run(go) or record_call_in_ledger(settings.ledger_url, ref, call, now)
    verb = "recorded" if receipt.outcome == "recorded" else "already recorded"
    where = " (closed: recorded in the ledger)" if receipt.after_close else ""
    typer.echo(
        f"{verb} call {receipt.call_id} for {ref}: {call.outcome.value}, "
        f"status {receipt.status.value}{where}"
    )


@app.command()
def worker() -> None:
    """Run a worker for the configured task queue until SIGTERM or Ctrl-C."""
    from workers.worker import serve

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    warn_unencrypted(settings)

    async def go() -> None:
        await serve(await _client(settings, serve_metrics=True), settings)

    run(go)


@asynccontextmanager
async def local_stack(
    settings: Settings,
    stack: AsyncExitStack,
    *,
    persist: bool,
    echo: Callable[[str], None],
    ui_codec_endpoint: str | None = None,
) -> AsyncIterator[tuple[Client, DevServer | None]]:
    """Connect to the configured Temporal; when nothing answers, start a dev server for it.

    `persist` uses the configured port, the UI port and a SQLite file under .waypost/; otherwise
    free ports and a throwaway file, so a one-off run never clashes with anything. A dev server
    started here points its UI at `ui_codec_endpoint` (the codec server) when given.
    """
    host, _, port_text = settings.temporal_address.rpartition(":")
    port = int(port_text)
    server: DevServer | None = None
    address = settings.temporal_address
    if not port_open(host or "127.0.0.1", port):
        if persist:
            server = DevServer(
                port=port,
                ui_port=settings.ui_port,
                db_file=settings.home / "temporal.db",
                log_file=settings.home / "temporal.log",
                ui_codec_endpoint=ui_codec_endpoint,
            )
        else:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="waypost-")))
            server = DevServer(
                port=free_port(),
                ui_port=free_port(),
                db_file=scratch / "temporal.db",
                log_file=scratch / "temporal.log",
                ui_codec_endpoint=ui_codec_endpoint,
            )
        echo(f"starting Temporal dev server on {server.address} (UI {server.ui_url})")
        await stack.enter_async_context(server)
        address = server.address
    client = await connect(settings, target=address)
    yield client, server


async def codec_server_for_ui(settings: Settings, stack: AsyncExitStack) -> str | None:
    """When payloads are encrypted, the codec server a local Temporal UI decodes them through
    (started on `stack`); its URL, else None."""
    from codec.server import running_codec_server

    if settings.active_payload_key_id is None:
        return None
    try:
        return await stack.enter_async_context(running_codec_server(settings))
    except RuntimeError as err:
        raise fail(str(err), 1) from err


@app.command("api")
def api_command() -> None:
    """Run the HTTP service (shop API, webhooks, tracking page) until SIGTERM or Ctrl-C."""
    from api.serve import running_api
    from infra.serving import stop_on_signals

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    warn_unencrypted(settings)

    async def go() -> None:
        stop = stop_on_signals()
        client = await connect(settings, lazy=True)
        try:
            async with running_api(settings, client) as url:
                typer.echo(f"Waypost HTTP service on {url} (OpenAPI: {url}/docs)")
                tune_collector()
                await stop.wait()
        except RuntimeError as err:
            raise fail(str(err), 1) from err

    run(go)


NO_ENCRYPTION = typer.Option(
    "--no-encryption",
    help="Leave payloads readable in the local dev server (no key generated, no codec server).",
)


def local_settings(*, encrypt: bool) -> Settings:
    """The settings of a local stack. Private by default: without configured keys, the local
    payload key under `home` is generated on the first run (and used by every later `waypost`
    command with that home), so the dev server's histories hold no readable personal data.
    `encrypt=False` leaves payloads plain, unless keys are configured."""
    from infra.encryption import ensure_local_key
    from infra.settings import LOCAL_PAYLOAD_KEY, read_local_payload_key

    settings = get_settings()
    from_file = settings.payload_keys == read_local_payload_key(settings.home)
    if not encrypt:
        return settings.model_copy(update={"payload_keys": {}}) if from_file else settings
    if settings.payload_keys:
        return settings
    if ensure_local_key(settings.home):
        typer.echo(
            f"Generated a payload key in {settings.home / LOCAL_PAYLOAD_KEY} (kept private): the "
            "local Temporal's histories are encrypted, and its UI reads them through the codec "
            "server. --no-encryption turns it off."
        )
    return Settings()  # read afresh: get_settings() keeps the settings from before the key


@app.command()
def dev(no_encryption: Annotated[bool, NO_ENCRYPTION] = False) -> None:
    """The whole local stack in the foreground: dev server (UI on :8233), a worker, the HTTP
    service (:8000) and the codec server (:8081) the UI decrypts payloads through; a payload key
    is generated under .waypost/ on the first run (--no-encryption: none)."""
    from api.serve import running_api
    from infra.serving import stop_on_signals
    from workers.worker import running_worker

    settings = local_settings(encrypt=not no_encryption)
    configure_logging(settings.log_level, settings.log_format)

    async def go() -> None:
        stop = stop_on_signals()
        async with AsyncExitStack() as stack:
            codec_url = await codec_server_for_ui(settings, stack)
            ctx = local_stack(
                settings, stack, persist=True, echo=typer.echo, ui_codec_endpoint=codec_url
            )
            client, server = await stack.enter_async_context(ctx)
            note_unencrypted(settings, server)
            await stack.enter_async_context(running_worker(client, settings))
            try:
                http = await stack.enter_async_context(
                    running_api(settings, client, warn_unencrypted=False)
                )
            except RuntimeError as err:
                raise fail(str(err), 1) from err
            url = server.ui_url if server else f"http://localhost:{settings.ui_port}"
            typer.echo(f"Waypost is running. Temporal UI: {url}")
            if codec_url is not None:
                typer.echo(f"Payloads are encrypted; codec server: {codec_url}")
                if server is None:
                    typer.echo(
                        "Temporal was already running, so its UI shows ciphertext unless it was "
                        f"started with --ui-codec-endpoint {codec_url} (or set that endpoint in "
                        "the UI's codec server settings)"
                    )
            if not settings.shop_api_keys:
                typer.echo(
                    "The shop API refuses every key until you set WAYPOST_SHOP_API_KEYS, "
                    """e.g. '{"demo-shop": "<a long random key>"}'"""
                )
            typer.echo(f"HTTP service: {http} (OpenAPI: {http}/docs)  (Ctrl-C to stop)")
            tune_collector()
            await stop.wait()
        typer.echo("stopped")

    run(go)


@app.command()
def demo(
    once: Annotated[
        bool, typer.Option("--once", help="Run the demo and exit (0 if all ok).")
    ] = False,
    no_encryption: Annotated[bool, NO_ENCRYPTION] = False,
) -> None:
    """Run demo shipments through every path; with --once exit when done, else keep the stack up.

    With --once nothing is left serving once it exits, so it prints no links (no tracking page,
    no UI history) and its messages carry the shop's own tracking_url, not a page never served.
    """
    from api.serve import running_api
    from infra.links import TrackingLinks
    from infra.serving import stop_on_signals
    from starters.demo import run_demo
    from workers.worker import running_worker

    settings = get_settings() if once else local_settings(encrypt=not no_encryption)
    if once:
        settings = settings.model_copy(update={"public_url": ""})
    configure_logging("WARNING", "console")

    async def go() -> bool:
        stop = stop_on_signals()
        async with AsyncExitStack() as stack:
            codec_url = None if once else await codec_server_for_ui(settings, stack)
            ctx = local_stack(
                settings, stack, persist=not once, echo=typer.echo, ui_codec_endpoint=codec_url
            )
            client, server = await stack.enter_async_context(ctx)
            note_unencrypted(settings, server)
            ui = server.ui_url if server else f"http://localhost:{settings.ui_port}"
            await stack.enter_async_context(running_worker(client, settings))
            links = None
            if once:
                ui = None  # gone by the time anyone follows a link
            else:  # kept running: serve the tracking pages the demo links to
                try:
                    http = await stack.enter_async_context(
                        running_api(settings, client, warn_unencrypted=False)
                    )
                except RuntimeError as err:
                    raise fail(str(err), 1) from err
                links = TrackingLinks.from_settings(settings)
            results = await run_demo(
                client, settings.task_queue, ui_url=ui, links=links, leave_open=not once
            )
            ok = all(r.ok for r in results)
            typer.echo(
                f"demo {'passed' if ok else 'FAILED'}: {sum(r.ok for r in results)}"
                f"/{len(results)} shipments ended as expected"
            )
            if not once:
                typer.echo(f"Temporal UI: {ui}  HTTP service: {http}/docs  (Ctrl-C to stop)")
                await stop.wait()
        return ok

    if not run(go):
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the ledger schema up to date (Alembic)."""
    from ledger.migrations import upgrade_database

    settings = get_settings()
    upgrade_database(settings.ledger_url)
    typer.echo("ledger schema is up to date")


def main() -> None:
    """The console entry point: run the command, then leave without interpreter finalization
    (see starters.process)."""
    code = 0
    try:
        app()
    except MetricsUnavailable as err:
        print(err, file=sys.stderr)
        code = 2
    except ConnectionSettingsError as err:
        print(f"cannot connect to Temporal: {err}", file=sys.stderr)
        code = 2
    except ValidationError as err:
        if err.title != Settings.__name__:
            raise
        print(settings_error_message(err), file=sys.stderr)
        code = 2
    except SystemExit as done:
        if isinstance(done.code, str):
            print(done.code, file=sys.stderr)
            code = 1
        else:
            code = done.code or 0
    leave(code)


if __name__ == "__main__":  # pragma: no cover
    main()
