"""`waypost codec keygen` and `waypost codec-server` (registered in starters/cli.py)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from codec.server import running_codec_server
from infra.encryption import new_key
from infra.logs import configure_logging
from infra.settings import PAYLOAD_KEY_ID_PATTERN, get_settings

codec_app = typer.Typer(help="Payload encryption keys.", no_args_is_help=True)


@codec_app.command("keygen")
def keygen(
    key_id: Annotated[
        str | None,
        typer.Option("--id", help="Key id (default: today's date and a random suffix)."),
    ] = None,
) -> None:
    """Print a new random payload key and its id (to stdout only: nothing is logged or kept)."""
    if key_id is not None and not PAYLOAD_KEY_ID_PATTERN.match(key_id):
        typer.echo(f"key id {key_id!r} must be 1-64 letters, digits, '.', '_' or '-'", err=True)
        raise typer.Exit(2)
    key = new_key(key_id)
    typer.echo(f"key id: {key.key_id}")
    typer.echo(f"key:    {key.key}")
    typer.echo("")
    typer.echo("As the only key (every worker, API, CLI and codec server process needs it):")
    typer.echo(f"""  WAYPOST_PAYLOAD_KEYS='{{"{key.key_id}": "{key.key}"}}'""")
    typer.echo(
        "To rotate: add it to WAYPOST_PAYLOAD_KEYS beside the current keys everywhere first, "
        f"then set WAYPOST_PAYLOAD_KEY_ID={key.key_id}; keep the old keys until no history "
        "encrypted with them is left (closed workflows past the namespace's retention)."
    )


def codec_server() -> None:
    """Run the codec server the Temporal UI decodes payloads through, until SIGTERM or Ctrl-C."""
    from infra.serving import stop_on_signals

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)

    async def go() -> None:
        stop = stop_on_signals()
        async with running_codec_server(settings) as url:
            origins = ", ".join(settings.codec_cors_origins)
            auth = "bearer token" if settings.codec_server_token else "loopback only, no token"
            typer.echo(f"codec server on {url} (CORS: {origins}; {auth})")
            await stop.wait()

    try:
        asyncio.run(go())
    except RuntimeError as err:
        typer.echo(str(err), err=True)
        raise typer.Exit(1) from err
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
