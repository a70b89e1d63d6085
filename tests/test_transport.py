"""The providers' HTTP pools: kept-alive connections, through the environment's HTTPS proxy as
requests and urllib would go, never for a server on this machine."""

from __future__ import annotations

import pytest
import urllib3

from activities.providers.transport import http_pool

PROXY = "http://proxy.internal:3128"


@pytest.fixture
def behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", PROXY)


def pool(url: str) -> urllib3.PoolManager:
    return http_pool(url, connections=2, timeout=1.0)


@pytest.mark.usefixtures("behind_a_proxy")
def test_a_providers_api_is_reached_through_the_environments_https_proxy() -> None:
    through = pool("https://api.twilio.com")

    assert isinstance(through, urllib3.ProxyManager)
    assert through.proxy is not None and through.proxy.host == "proxy.internal"


@pytest.mark.usefixtures("behind_a_proxy")
def test_a_local_server_standing_in_for_a_provider_is_reached_directly() -> None:
    assert not isinstance(pool("http://127.0.0.1:8025"), urllib3.ProxyManager)


@pytest.mark.usefixtures("behind_a_proxy")
def test_a_host_named_in_no_proxy_is_reached_directly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "api.sendgrid.com")

    assert not isinstance(pool("https://api.sendgrid.com/v3/mail/send"), urllib3.ProxyManager)
