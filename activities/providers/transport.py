"""HTTP for the providers: kept-alive connections from a urllib3 pool, one per sending thread.

The SDKs' own transports cost a connection per email (SendGrid's urllib opener) or requests'
request preparation per SMS (Twilio's session): the pool keeps a connection per activity thread
open (a TLS handshake saved per message against the real APIs) and posts what the SDK built.
The environment's HTTPS proxy (HTTPS_PROXY, NO_PROXY) is honoured as requests and urllib do,
except for a server on this machine (a local one standing in for a provider).
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import urllib3

from activities.providers.base import RetryableProviderError

__all__ = ["http_pool", "network_error"]

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def http_pool(url: str, *, connections: int, timeout: float) -> urllib3.PoolManager:
    """A pool for requests to `url`'s host: no retries (the activity decides), `timeout` for
    connecting and for each read; through the environment's HTTPS proxy unless the host is
    this machine (a local server in tests) or NO_PROXY names it."""
    options = {"maxsize": connections, "block": False, "retries": False, "timeout": timeout}
    host = urlsplit(url).hostname or ""
    proxy = urllib.request.getproxies().get("https")
    if proxy and host not in LOOPBACK and not urllib.request.proxy_bypass(host):
        return urllib3.ProxyManager(proxy, **options)  # type: ignore[arg-type]
    return urllib3.PoolManager(**options)  # type: ignore[arg-type]


def network_error(provider: str, err: urllib3.exceptions.HTTPError) -> RetryableProviderError:
    """A request that got no answer: retryable. Only a connection never made (refused,
    unresolvable, timed out connecting) proves the provider did not get the message."""
    return RetryableProviderError(
        provider,
        f"network error: {type(err).__name__}",
        outcome_unknown=not isinstance(err, urllib3.exceptions.ConnectTimeoutError),
        timed_out=_timed_out(err),
    )


def _timed_out(err: urllib3.exceptions.HTTPError) -> bool:
    # urllib3's NewConnectionError (refused, unresolvable) is a ConnectTimeoutError too.
    if isinstance(err, urllib3.exceptions.NewConnectionError):
        return isinstance(err.__context__, TimeoutError)
    return isinstance(err, urllib3.exceptions.TimeoutError)
