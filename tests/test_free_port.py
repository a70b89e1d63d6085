"""`infra.serving.free_port`: a port a server can bind, outside the kernel's range for outgoing
connections' own ports, so no connection opened meanwhile takes it first."""

from __future__ import annotations

import socket

from infra.serving import PORTS, free_port


def test_the_port_is_free_to_bind() -> None:
    port = free_port()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_the_port_is_below_the_range_outgoing_connections_take_theirs_from() -> None:
    with open("/proc/sys/net/ipv4/ip_local_port_range") as ranges:
        low = int(ranges.read().split()[0])

    assert free_port() in PORTS
    assert PORTS.stop <= low
