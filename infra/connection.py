"""How to reach Temporal: plain for the local dev server, TLS (mTLS certificates or an API key)
for Temporal Cloud or any cluster that requires it. Built from settings, with the files read
here, so a missing certificate is named before any connection is tried; `connect` is how every
process gets its client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.service import TLSConfig

from infra.encryption import data_converter
from infra.settings import Settings
from infra.telemetry import runtime_for


class ConnectionSettingsError(ValueError):
    """The connection settings cannot work as given; the message names the setting."""


@dataclass(frozen=True)
class ConnectionOptions:
    tls: TLSConfig | bool
    api_key: str | None


def _read(path: Path) -> bytes:
    return path.read_bytes()


def connection_options(
    settings: Settings, read: Callable[[Path], bytes] = _read
) -> ConnectionOptions:
    """TLS and API key for `Client.connect`, from settings (whose validator has already refused
    contradictions such as a certificate without its key)."""
    files = {
        "WAYPOST_TEMPORAL_TLS_CLIENT_CERT": settings.temporal_tls_client_cert,
        "WAYPOST_TEMPORAL_TLS_CLIENT_KEY": settings.temporal_tls_client_key,
        "WAYPOST_TEMPORAL_TLS_SERVER_CA": settings.temporal_tls_server_ca,
    }
    contents: dict[str, bytes | None] = {}
    for name, path in files.items():
        if path is None:
            contents[name] = None
            continue
        try:
            contents[name] = read(path)
        except FileNotFoundError as err:
            raise ConnectionSettingsError(f"{name}: no file at {path}") from err
        except OSError as err:
            raise ConnectionSettingsError(f"{name}: cannot read {path}: {err.strerror}") from err
        if not contents[name]:
            raise ConnectionSettingsError(f"{name}: {path} is empty")
    api_key = settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None
    material = any(c is not None for c in contents.values()) or bool(
        settings.temporal_tls_server_name
    )
    tls = settings.temporal_tls if settings.temporal_tls is not None else material or bool(api_key)
    if not tls:
        return ConnectionOptions(tls=False, api_key=None)
    if not material:
        return ConnectionOptions(tls=True, api_key=api_key)  # the system's roots
    return ConnectionOptions(
        tls=TLSConfig(
            server_root_ca_cert=contents["WAYPOST_TEMPORAL_TLS_SERVER_CA"],
            domain=settings.temporal_tls_server_name,
            client_cert=contents["WAYPOST_TEMPORAL_TLS_CLIENT_CERT"],
            client_private_key=contents["WAYPOST_TEMPORAL_TLS_CLIENT_KEY"],
        ),
        api_key=api_key,
    )


async def connect(settings: Settings, target: str | None = None, *, lazy: bool = False) -> Client:
    """A client with the pydantic converter, encrypting payloads when keys are configured, over
    TLS (mTLS or an API key) when the settings ask for it; `lazy` connects on first use (the HTTP
    service starts while Temporal is still down, and says so on /readyz). The worker, the HTTP
    service and the CLI all connect here, so they all encrypt alike.

    Raises ConnectionSettingsError when a certificate file is missing or unreadable."""
    options = connection_options(settings)
    return await Client.connect(
        target or settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        tls=options.tls,
        api_key=options.api_key,
        lazy=lazy,
        runtime=runtime_for(settings),  # made before connecting: metrics, when configured
    )
