"""Reaching Temporal as configured: plain for the local dev server, mTLS or an API key for
Temporal Cloud or any TLS cluster; contradictions and missing files refused, naming the setting."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.service import TLSConfig
from temporalio.testing import WorkflowEnvironment

from infra.connection import ConnectionSettingsError, connect, connection_options
from infra.settings import Settings, settings_error_message
from testing.tls_proxy import Pki, make_pki, tls_proxy


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def mtls(pki: Pki, **overrides: Any) -> Settings:
    fields: dict[str, Any] = {
        "temporal_tls_client_cert": pki.client_cert,
        "temporal_tls_client_key": pki.client_key,
        "temporal_tls_server_ca": pki.ca,
        "temporal_tls_server_name": pki.server_name,
    }
    return Settings(**{**fields, **overrides})


def refusal(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        Settings(**fields)
    return settings_error_message(caught.value)


def test_the_local_dev_server_is_reached_in_plaintext() -> None:
    options = connection_options(Settings())

    assert (options.tls, options.api_key) == (False, None)


def test_an_api_key_alone_means_tls_with_the_systems_roots() -> None:
    options = connection_options(Settings(temporal_api_key="tc-key-123"))

    assert (options.tls, options.api_key) == (True, "tc-key-123")


def test_mtls_reads_the_certificate_key_and_ca_files(pki: Pki) -> None:
    options = connection_options(mtls(pki))

    assert options.tls == TLSConfig(
        server_root_ca_cert=pki.ca.read_bytes(),
        domain=pki.server_name,
        client_cert=pki.client_cert.read_bytes(),
        client_private_key=pki.client_key.read_bytes(),
    )
    assert options.api_key is None


def test_tls_can_be_forced_on_without_any_material() -> None:
    assert connection_options(Settings(temporal_tls=True)).tls is True


def test_a_certificate_without_its_key_is_refused_naming_both(pki: Pki) -> None:
    message = refusal(temporal_tls_client_cert=pki.client_cert)

    assert (
        "WAYPOST_TEMPORAL_TLS_CLIENT_CERT is set without WAYPOST_TEMPORAL_TLS_CLIENT_KEY" in message
    )


def test_a_key_without_its_certificate_is_refused(pki: Pki) -> None:
    message = refusal(temporal_tls_client_key=pki.client_key)

    assert (
        "WAYPOST_TEMPORAL_TLS_CLIENT_KEY is set without WAYPOST_TEMPORAL_TLS_CLIENT_CERT" in message
    )


def test_an_api_key_with_tls_switched_off_is_refused_and_never_shown() -> None:
    message = refusal(temporal_tls=False, temporal_api_key="tc-secret-key")

    assert "WAYPOST_TEMPORAL_TLS is false but WAYPOST_TEMPORAL_API_KEY is set" in message
    assert "tc-secret-key" not in message


def test_a_missing_certificate_file_is_named(pki: Pki, tmp_path: Path) -> None:
    gone = tmp_path / "gone.pem"

    with pytest.raises(
        ConnectionSettingsError, match="WAYPOST_TEMPORAL_TLS_CLIENT_CERT: no file at"
    ):
        connection_options(mtls(pki, temporal_tls_client_cert=gone))


def test_an_empty_ca_file_is_named(pki: Pki, tmp_path: Path) -> None:
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")

    with pytest.raises(
        ConnectionSettingsError, match=r"WAYPOST_TEMPORAL_TLS_SERVER_CA: .* is empty"
    ):
        connection_options(mtls(pki, temporal_tls_server_ca=empty))


async def test_connect_hands_the_api_key_and_tls_to_the_client() -> None:
    client = await connect(
        Settings(temporal_api_key="tc-key-123", temporal_namespace="shop.a1b2c"), lazy=True
    )

    config = client.service_client.config
    assert (config.api_key, config.tls, client.namespace) == ("tc-key-123", True, "shop.a1b2c")


async def test_connect_over_mtls_reaches_a_server_that_requires_client_certificates(
    pki: Pki, temporal_env: WorkflowEnvironment
) -> None:
    target = temporal_env.client.service_client.config.target_host
    async with tls_proxy(pki, target) as address:
        client = await connect(mtls(pki, temporal_address=address))

        assert await client.count_workflows("WorkflowType='NoSuchWorkflow'") is not None


async def test_connect_without_the_client_certificate_is_turned_away(
    pki: Pki, temporal_env: WorkflowEnvironment
) -> None:
    target = temporal_env.client.service_client.config.target_host
    async with tls_proxy(pki, target) as address:
        settings = Settings(
            temporal_address=address,
            temporal_tls_server_ca=pki.ca,
            temporal_tls_server_name=pki.server_name,
        )
        with pytest.raises(RuntimeError):
            await connect(settings)
