"""`waypost shop ...`: the shop registry (profiles and API keys) in the configured ledger.

Registered in `starters.cli`. No command prints a secret, but `shop key create` the new key,
once (the ledger keeps only its hash), and `shop webhook secret`, the signing secret, when asked
for it. None needs Temporal: a replay is queued in the ledger and a worker's relay starts it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy import Engine, inspect

from infra.settings import get_settings
from ledger.schema import ShopRow
from ledger.shops import RegistryError, ShopRegistry
from ledger.views import ApiKeyView, LedgerReader, ShopView
from ledger.webhooks import WebhookDeliveryView, WebhookLog
from models.locale import Locale
from models.shop import Shop, ShopProfile, patched_profile
from starters.ledger_commands import open_ledger

__all__ = ["describe_delivery", "describe_key", "describe_shop", "shop_app"]

shop_app = typer.Typer(help="Shops: their profiles and API keys.", no_args_is_help=True)
key_app = typer.Typer(help="A shop's API keys.", no_args_is_help=True)
shop_app.add_typer(key_app, name="key")
webhook_app = typer.Typer(
    help="Webhooks to the shop: the delivery log, replays, the signing secret.",
    no_args_is_help=True,
)
shop_app.add_typer(webhook_app, name="webhook")

ShopId = Annotated[str, typer.Argument(help="The shop's id (the id alphabet).")]
FromFile = Annotated[
    Path | None,
    typer.Option("--from-file", help="A JSON file with the profile's fields (`ShopProfile`)."),
]


@contextmanager
def _registry() -> Iterator[Engine]:
    """The configured ledger, migrated up to the registry (0005) or refused saying how."""
    with open_ledger(get_settings().ledger_url) as engine:
        if not inspect(engine).has_table(ShopRow.__tablename__):
            raise _fail("the ledger has no shop registry yet: run `waypost db upgrade`")
        yield engine


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def _invalid(err: ValidationError) -> typer.Exit:
    """One line per problem, naming the field, never its value."""
    lines = ["invalid shop profile:"]
    for problem in err.errors(include_url=False):
        where = ".".join(str(p) for p in problem["loc"]) or "(top level)"
        lines.append(f"  {where}: {problem['msg']}")
    return _fail("\n".join(lines))


def _read(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise _fail(f"cannot read {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise _fail(f"{path} is not valid JSON: {err.msg} at line {err.lineno}") from err
    if not isinstance(found, dict):
        raise _fail(f"{path} must hold a JSON object (the profile's fields)")
    return found


def describe_key(key: ApiKeyView) -> str:
    used = key.last_used_at.isoformat(timespec="minutes") if key.last_used_at else "never"
    state = f"revoked {key.revoked_at.isoformat(timespec='minutes')}" if key.revoked_at else "live"
    return f"  {key.prefix}…  {key.name}  created {key.created_at:%Y-%m-%d}  used {used}  {state}"


def describe_shop(view: ShopView, keys: list[ApiKeyView]) -> str:
    profile = view.shop.profile.model_dump(mode="json", exclude_defaults=True)
    lines = [
        f"shop {view.shop.shop_id}: {view.shop.profile.display_name}",
        f"updated {view.updated_at.isoformat(timespec='seconds')}",
        json.dumps(profile, indent=2, ensure_ascii=False),
        f"API keys ({sum(k.revoked_at is None for k in keys)} live):",
        *(describe_key(k) for k in keys),
    ]
    return "\n".join(lines)


@shop_app.command("create")
def shop_create(
    shop_id: ShopId,
    name: Annotated[
        str | None, typer.Option(help="Its display name (required unless the file has one).")
    ] = None,
    from_file: FromFile = None,
) -> None:
    """Add a shop to the registry (then `waypost shop key create` gives it a key)."""
    fields = _read(from_file) if from_file else {}
    if name is not None:
        fields["display_name"] = name
    try:
        shop = Shop(shop_id=shop_id, profile=ShopProfile.model_validate(fields))
    except ValidationError as err:
        raise _invalid(err) from err
    with _registry() as engine:
        try:
            ShopRegistry(engine).create(shop.shop_id, shop.profile)
        except RegistryError as err:
            raise _fail(str(err)) from err
    typer.echo(f"shop {shop.shop_id} created: `waypost shop key create {shop.shop_id} --name ...`")


@shop_app.command("list")
def shop_list() -> None:
    """Every shop in the registry, with its number of live keys."""
    with _registry() as engine:
        reader = LedgerReader(engine)
        shops = reader.shops()
        for view in shops:
            live = sum(k.revoked_at is None for k in reader.api_keys(view.shop.shop_id))
            typer.echo(f"{view.shop.shop_id}\t{view.shop.profile.display_name}\t{live} live keys")
    if not shops:
        typer.echo("no shops in the registry: `waypost shop create SHOP_ID --name NAME`")


@shop_app.command("show")
def shop_show(shop_id: ShopId) -> None:
    """A shop's profile and its keys (names and prefixes only)."""
    with _registry() as engine:
        reader = LedgerReader(engine)
        view = reader.shop(shop_id)
        if view is None:
            raise _fail(f"no shop {shop_id}")
        typer.echo(describe_shop(view, reader.api_keys(shop_id)))


@shop_app.command("update")
def shop_update(
    shop_id: ShopId,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from-file", help="A JSON merge patch of the profile (`null` resets a field)."
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A new display name.")] = None,
    locale: Annotated[Locale | None, typer.Option(help="A new default locale.")] = None,
    webhook_url: Annotated[str | None, typer.Option(help="A new webhook URL.")] = None,
) -> None:
    """Change a shop's profile: the file's fields, then the options, over what it has."""
    patch = _read(from_file) if from_file else {}
    options = {"display_name": name, "default_locale": locale, "webhook_url": webhook_url}
    patch |= {field: value for field, value in options.items() if value is not None}
    if not patch:
        raise _fail("nothing to change: give --from-file or a field option")
    with _registry() as engine:
        registry = ShopRegistry(engine)
        view = registry.reader.shop(shop_id)
        if view is None:
            raise _fail(f"no shop {shop_id}")
        try:
            profile = patched_profile(view.shop.profile, patch)
        except ValidationError as err:
            raise _invalid(err) from err
        registry.update(shop_id, profile)
    typer.echo(f"shop {shop_id} updated")


@key_app.command("create")
def key_create(
    shop_id: ShopId,
    name: Annotated[str, typer.Option(help="What the key is for: `production`, `staging`.")],
) -> None:
    """Make a new API key; it is printed this once and never again (the ledger keeps its hash)."""
    if not 1 <= len(name) <= 100 or not name.isprintable():
        raise _fail("--name: 1 to 100 printable characters")
    with _registry() as engine:
        try:
            made = ShopRegistry(engine).create_key(shop_id, name)
        except RegistryError as err:
            raise _fail(str(err)) from err
    typer.echo(made.key)
    typer.echo(
        f"API key {made.view.name!r} ({made.view.prefix}…) of shop {shop_id}: shown once, keep it "
        "now (`Authorization: Bearer <key>`)",
        err=True,
    )


@key_app.command("revoke")
def key_revoke(
    shop_id: ShopId,
    key: Annotated[str, typer.Argument(help="The key's name or its prefix (`waypost shop show`).")],
) -> None:
    """Revoke a key: every request with it is refused from now on."""
    with _registry() as engine:
        try:
            revoked = ShopRegistry(engine).revoke_key(shop_id, key.rstrip("…"))
        except RegistryError as err:
            raise _fail(str(err)) from err
    typer.echo(f"API key {revoked.name!r} ({revoked.prefix}…) of shop {shop_id} revoked")


def describe_delivery(view: WebhookDeliveryView, *, attempts: bool = False) -> str:
    """One line of the log (the event's id, type, status, attempts, last answer); with
    `attempts`, every attempt and the payload below it."""
    last = f"HTTP {view.last_status_code}" if view.last_status_code else (view.last_error or "-")
    when = view.delivered_at.isoformat(timespec="seconds") if view.delivered_at else "-"
    replays = f"  replays {view.generation}" if view.generation else ""
    line = (
        f"{view.id}  {view.created_at.isoformat(timespec='seconds')}  {view.event_type}  "
        f"{view.status.value}  attempts {view.attempts}  last {last}  delivered {when}{replays}"
    )
    if not attempts:
        return line
    lines = [line]
    for a in view.attempt_log:
        answer = f"HTTP {a.status_code}" if a.status_code else (a.error or "-")
        lines.append(
            f"  #{a.generation}.{a.attempt}  {a.finished_at.isoformat(timespec='seconds')}  "
            f"{a.outcome}  {answer}"
        )
    lines.append(json.dumps(view.body, indent=2, ensure_ascii=False))
    return "\n".join(lines)


@webhook_app.command("log")
def webhook_log(
    shop_id: ShopId,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
    delivery: Annotated[
        str | None, typer.Option(help="One delivery's id: every attempt and its payload.")
    ] = None,
) -> None:
    """The shop's webhook deliveries: each event, its status and attempts."""
    with _registry() as engine:
        log = WebhookLog(engine)
        if delivery is not None:
            view = log.delivery(shop_id, delivery)
            if view is None:
                raise _fail(f"shop {shop_id} has no webhook delivery {delivery}")
            typer.echo(describe_delivery(view, attempts=True))
            return
        found = log.deliveries(shop_id, limit=limit)
    for view in found:
        typer.echo(describe_delivery(view))
    if not found:
        typer.echo(f"no webhook deliveries for shop {shop_id} (its webhook_url: `shop show`)")


@webhook_app.command("replay")
def webhook_replay(
    shop_id: ShopId,
    delivery: Annotated[str, typer.Argument(help="The delivery's id (`webhook log`).")],
) -> None:
    """Deliver a webhook again, as it was (the same webhook-id, a new attempt): a running
    worker starts it within seconds."""
    with _registry() as engine:
        view = WebhookLog(engine).replay(shop_id, delivery)
    if view is None:
        raise _fail(f"shop {shop_id} has no webhook delivery {delivery}")
    typer.echo(f"webhook {view.id} of shop {shop_id} queued again (replay {view.generation})")


@webhook_app.command("secret")
def webhook_secret(shop_id: ShopId) -> None:
    """Print the secret the shop's webhooks are signed with, for the shop's verifier (it is
    printed only when asked for, like this)."""
    with _registry() as engine:
        secret = ShopRegistry(engine).webhook_secret(shop_id)
    if secret is None:
        raise _fail(f"no shop {shop_id}")
    typer.echo(secret)
