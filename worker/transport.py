"""The network under the fetcher (`worker.fetch`): the SSRF guard's address rule, and an httpx
transport that connects to exactly the addresses the guard approved.

The guard resolves a host and approves its addresses; the connection must go to exactly those
addresses, or a DNS answer that changes between the check and the connection (rebinding) could
reach a private one. `PinnedBackend` connects to the approved address while the URL, so the
Host header and the TLS server name, keep the host's name. Its streams also cap every read at
what is left of the fetch's total deadline, so a server trickling its status line or headers is
cut like one trickling its body."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from typing import Any

import httpcore
import httpx

METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2"))
Connector = Callable[[str, int, float | None], httpcore.NetworkStream]


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, reserved, shared and cloud-metadata addresses."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast and ip not in METADATA_ADDRESSES


# -- connecting to the approved address -------------------------------------------------

class Pins(threading.local):
    """What the fetch running on this thread approved: host, port and addresses, and its
    total deadline. httpx's sync client does its I/O on the calling thread."""

    def __init__(self) -> None:
        self.host: str | None = None
        self.port = 0
        self.addresses: list[str] = []
        self.deadline: float | None = None


class DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads and writes never wait past the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, pins: Pins) -> None:
        self.inner = inner
        self.pins = pins

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float | None:
        deadline = self.pins.deadline
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise error("the fetch's total deadline has passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return DeadlineStream(self.inner.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)),
            self.pins)

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to the addresses the SSRF guard approved for this fetch, never resolving the
    host again. A host it was not told about (it cannot happen through `Fetcher.fetch`) is
    refused rather than resolved."""

    def __init__(self, pins: Pins, connect: Connector) -> None:
        self.pins = pins
        self.connect = connect

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        pins = self.pins
        if pins.host is None or host.lower() != pins.host or port != pins.port:
            raise httpcore.ConnectError(f"{host}:{port} was not approved by the SSRF guard")
        last: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in pins.addresses:
            try:
                stream = self.connect(address, port, timeout)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc  # the next approved address may answer
                continue
            return DeadlineStream(stream, pins)
        assert last is not None  # check_url never approves an empty list
        raise last

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def connect_tcp(address: str, port: int, timeout: float | None) -> httpcore.NetworkStream:
    return httpcore.SyncBackend().connect_tcp(address, port, timeout)


def pinned_transport(limits: httpx.Limits, pins: Pins,
                      connect: Connector) -> httpx.HTTPTransport:
    """httpx's own transport (its request and error mapping) over a connection pool whose
    network backend is `PinnedBackend`."""
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=PinnedBackend(pins, connect))
    return transport


