"""Serving an ASGI app with uvicorn inside a running event loop, beside the worker (`waypost
dev`) or alone (`waypost api`, `waypost codec-server`); the caller's stop event decides when it
ends."""

from __future__ import annotations

import asyncio
import contextlib
import random
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any, Final

import uvicorn

PORTS: Final = range(20000, 32768)
"""Where `free_port` looks: below Linux's default range for outgoing connections' own ports
(32768-60999), so a connection some other test or process opens meanwhile cannot take the port
before the server that asked for it binds it (a dev server then exited with 2)."""


def free_port() -> int:
    """A port free on 127.0.0.1 now, for a server about to start."""
    for port in random.sample(PORTS, 50):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # all taken: any the kernel gives
        sock.bind(("127.0.0.1", 0))
        found: int = sock.getsockname()[1]
        return found


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


class EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the process's SIGTERM/SIGINT handling (shared
    with the worker) stops it, through `should_exit`."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(
    app: Any, *, host: str, port: int, name: str, port_setting: str, **options: Any
) -> AsyncIterator[None]:
    """`app` started and answering on host:port; leaving the block lets in-flight requests
    finish. A taken port is refused up front, naming the setting that moves it."""
    if port_open(host, port):
        raise RuntimeError(
            f"port {port} on {host} is taken: stop what runs there or set {port_setting}"
        )
    config = uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False, **options)
    server = EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError(f"the {name} stopped while starting")
        await asyncio.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        await task


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT, so shutdown is graceful either way."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
