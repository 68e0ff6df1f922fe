"""The fetcher against a real local server that misbehaves slowly or lies: deadlines that
hold while bytes trickle, and the connection going to the address the SSRF guard approved."""

from __future__ import annotations

import contextlib
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from tests.helpers.server import LocalServer
from worker.config import FetchSettings
from worker.errors import FetchError
from worker.fetch import TOTAL_TIME_FACTOR, Fetcher

PUBLIC = "93.184.216.34"


@pytest.fixture
def srv() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def local_fetcher(**settings: Any) -> Fetcher:
    return Fetcher(FetchSettings(host_delay=0, allow_private_networks=True,
                                 **settings),
                   base_dir=Path("/"))


def test_a_body_dripping_one_byte_a_second_is_cut_at_the_total_deadline(
        srv: LocalServer) -> None:
    srv.route("/drip", body=b"x" * 120, drip=1.0)
    timeout = 2.0  # each read waits at most 2 s: a byte a second never trips it
    deadline = timeout * TOTAL_TIME_FACTOR
    with local_fetcher(timeout=timeout) as f:
        started = time.monotonic()
        with pytest.raises(FetchError) as exc:
            f.fetch(srv.url("/drip"))
        took = time.monotonic() - started
    assert exc.value.error_class == "timeout"
    # every byte arrives within the read timeout, so only the total deadline can stop it;
    # it is checked after each read, so at most one second (one byte) late
    assert deadline <= took < deadline + 2.5  # slack for a busy machine


def test_a_slow_body_that_ends_within_the_deadline_is_read_whole(srv: LocalServer) -> None:
    srv.route("/drip", body=b"abc", drip=0.3)
    with local_fetcher(timeout=1.0) as f:
        assert f.fetch(srv.url("/drip")).body == b"abc"


def test_headers_dripping_one_byte_a_second_are_cut_at_the_total_deadline(
        srv: LocalServer) -> None:
    srv.route("/drip", body=b"ok", drip_headers=1.0)
    with local_fetcher(timeout=1.0) as f:
        started = time.monotonic()
        with pytest.raises(FetchError) as exc:
            f.fetch(srv.url("/drip"))
        took = time.monotonic() - started
    assert exc.value.error_class == "timeout"
    assert took < TOTAL_TIME_FACTOR * 1.0 + 2.5  # slack for a busy machine


# -- connecting to the approved address ---------------------------------------------------

class Rebinding:
    """A resolver answering `first` on the first call and `then` on every later one, as a
    DNS server rebinding a name between the check and the connection would."""

    def __init__(self, first: str, then: str) -> None:
        self.answers = [first, then]
        self.calls = 0

    def __call__(self, host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        answer = self.answers[min(self.calls, 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]


def test_the_connection_goes_to_the_address_the_guard_approved(srv: LocalServer) -> None:
    """The guard approves a public address; a second lookup would say 127.0.0.1. The socket
    is opened to the approved address (here routed to the local server by the connect stub,
    since the test has no internet), never to the second answer."""
    srv.route("/feed", body=b"<rss/>")
    resolve = Rebinding(PUBLIC, "127.0.0.1")
    connected: list[tuple[str, int]] = []

    def connect(address: str, port: int, timeout: float | None) -> httpcore.NetworkStream:
        connected.append((address, port))
        target = "127.0.0.1" if address == PUBLIC else "192.0.2.1"  # TEST-NET: unreachable
        return httpcore.SyncBackend().connect_tcp(target, srv.port, 2)

    with Fetcher(FetchSettings(host_delay=0), resolver=resolve, connect=connect,
                 base_dir=Path("/")) as f:
        assert f.fetch(f"http://rebind.test:{srv.port}/feed").body == b"<rss/>"
        with pytest.raises(FetchError) as exc:  # the next fetch looks up again: refused
            f.fetch(f"http://rebind.test:{srv.port}/feed")
        assert exc.value.error_class == "blocked"
    assert connected == [(PUBLIC, srv.port)]
    assert [r.headers["host"] for r in srv.seen("/feed")] == [f"rebind.test:{srv.port}"]


def test_a_rebinding_answer_is_never_connected_to(srv: LocalServer) -> None:
    """With private networks allowed, the first answer (where the server listens) is the
    one used; the second (where nothing listens) is never looked up for the connection."""
    srv.route("/feed", body=b"<rss/>")
    resolve = Rebinding("127.0.0.1", "127.0.0.2")
    with Fetcher(FetchSettings(host_delay=0, allow_private_networks=True), resolver=resolve,
                 base_dir=Path("/")) as f:
        assert f.fetch(f"http://rebind.test:{srv.port}/feed").body == b"<rss/>"
    assert resolve.calls == 1
    assert srv.seen("/feed")[0].headers["host"] == f"rebind.test:{srv.port}"


def test_tls_names_the_host_not_the_address(tmp_path: Path) -> None:
    """The TLS handshake sent to the pinned address carries the host's name (SNI), so
    certificate checks are against the name. The self-signed certificate then fails."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=rebind.test"],
                   check=True, capture_output=True)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment]
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        conn, _ = listener.accept()
        with contextlib.suppress(ssl.SSLError, OSError), \
                context.wrap_socket(conn, server_side=True) as tls:
            tls.recv(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        settings = FetchSettings(host_delay=0, allow_private_networks=True, timeout=5)
        with Fetcher(settings, resolver=Rebinding("127.0.0.1", "127.0.0.2"),
                     base_dir=Path("/")) as f, pytest.raises(FetchError) as exc:
            f.fetch(f"https://rebind.test:{port}/feed")
        thread.join(5)
    finally:
        listener.close()
    assert exc.value.error_class == "tls"
    assert names == ["rebind.test"]


def test_a_megabyte_of_response_headers_is_too_large_not_a_connect_failure(
        srv: LocalServer) -> None:
    srv.route("/feed", body=b"<rss/>", headers={"X-Padding": "a" * 1_000_000})
    with local_fetcher(timeout=5) as f, pytest.raises(FetchError) as exc:
        f.fetch(srv.url("/feed"))
    assert exc.value.error_class == "too_large" and "headers" in str(exc.value)
