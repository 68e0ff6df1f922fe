"""The only HTTP code of the worker: conditional GET, our own redirect following, size caps
counted after decompression, timeouts, politeness limits and the SSRF guard.

Why our own redirects: a 301/308 must update the stored feed URL while a 302/307 must not, loops
and long chains must fail with a class of their own, and the SSRF guard must see every hop (a
public URL may redirect to 169.254.169.254).

Why our own decompression: httpx inflates a whole network chunk at once, so one 64 KiB chunk of
a gzip bomb may become gigabytes before any cap is checked; here inflation is bounded per step
(`worker/inflate.py`).

Why our own network backend: the SSRF guard resolves a host and approves its addresses; the
connection must go to exactly those addresses, or a DNS answer that changes between the check
and the connection (rebinding) could reach a private one (`worker/transport.py`).

Failures are raised as `errors.FetchError` with one of the classes listed in worker.errors
(an HTTP status or a transport error is given its class in `worker/fetch_failures.py`).
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import brotli
import httpx

from worker.config import FetchSettings
from worker.errors import FetchError
from worker.fetch_failures import raise_for_status, transport_failure
from worker.inflate import content_encodings, decoded
from worker.schedule import retry_after as parse_retry_after
from worker.transport import (
    Connector,
    Pins,
    connect_tcp,
    is_public_address,
    pinned_transport,
)

TOTAL_TIME_FACTOR = 3  # a response must be complete within 3x [fetch] timeout (slow drip)
Resolver = Callable[..., list[tuple[Any, ...]]]


class FetchCancelled(FetchError):
    """The worker is shutting down: the fetch was abandoned, nothing is wrong with the feed."""

    def __init__(self) -> None:
        super().__init__("cancelled", "shutting down")


@dataclass(frozen=True, kw_only=True)
class FetchResult:
    status: int
    url: str
    final_url: str
    permanent_redirect_url: str | None
    headers: dict[str, str]
    body: bytes
    etag: str | None
    last_modified: str | None
    duration: float
    bytes: int
    redirects: list[tuple[int, str]] = field(default_factory=list)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


class Metrics(Protocol):
    def observe_fetch(self, kind: str, seconds: float, error_class: str | None) -> None: ...


# -- politeness --------------------------------------------------------------------------

# Longest wait a host's Retry-After may impose on every request to it (a feed's own backoff
# honours longer ones, up to [schedule] backoff_cap).
MAX_HOST_THROTTLE = 3600.0


class _HostGate:
    def __init__(self, slots: int) -> None:
        self.slots = threading.BoundedSemaphore(slots)
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.throttled_until = 0.0  # after a 429/503: no request to this host before then


class Fetcher:
    """Thread-safe; one per worker process. Close it (or use `with`) to free the connections."""

    def __init__(self, settings: FetchSettings, *, base_dir: Path = Path("."),
                 resolver: Resolver = socket.getaddrinfo,
                 transport: httpx.BaseTransport | None = None,
                 connect: Connector = connect_tcp,
                 stop: threading.Event | None = None, metrics: Metrics | None = None) -> None:
        self.settings = settings
        self.resolver = resolver
        self.stop = stop or threading.Event()
        self.metrics = metrics
        self.fixture_roots = [(p if p.is_absolute() else base_dir / p).resolve()
                              for p in map(Path, settings.fixture_paths)]
        self._all = threading.BoundedSemaphore(max(1, settings.max_connections))
        self._gates: dict[str, _HostGate] = {}
        self._gates_lock = threading.Lock()
        self._dns = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dns")
        self._pins = Pins()
        limits = httpx.Limits(max_connections=max(1, settings.max_connections),
                              max_keepalive_connections=max(1, settings.max_connections))
        if transport is None:  # tests of pure code pass httpx.MockTransport instead
            transport = pinned_transport(limits, self._pins, connect)
        self.client = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent,
                     "Accept-Encoding": "gzip, deflate, br"},
            limits=limits,
            transport=transport,
            trust_env=False,
        )

    def close(self) -> None:
        self.client.close()
        self._dns.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public --------------------------------------------------------------------------

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
              max_bytes: int | None = None, kind: str = "feed") -> FetchResult:
        """GET `url` (conditionally when validators are given). Raises FetchError."""
        cap = max_bytes or (self.settings.max_feed_bytes if kind == "feed"
                            else self.settings.max_article_bytes)
        started = time.monotonic()
        error_class: str | None = None
        try:
            if urlsplit(url).scheme == "file":
                return self._read_file(url, cap, started)
            return self._fetch_http(url, etag, last_modified, cap, started)
        except FetchError as exc:
            error_class = exc.error_class
            raise
        finally:
            if self.metrics is not None:
                self.metrics.observe_fetch(kind, time.monotonic() - started, error_class)

    def is_fixture_path(self, path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved == root or root in resolved.parents for root in self.fixture_roots)

    def check_url(self, url: str) -> list[str]:
        """Refuse schemes other than http(s) and hosts that resolve to non-public addresses;
        return the approved addresses (the only ones the connection may use)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError("blocked", f"scheme {parts.scheme or '(none)'!r} not allowed: {url}")
        host = parts.hostname
        if not host:
            raise FetchError("blocked", f"no host in URL: {url}")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError("blocked", f"bad port in URL: {url}") from None
        addresses = self._resolve(host, port)
        if self.settings.allow_private_networks:
            return addresses
        bad = [a for a in addresses if not is_public_address(a)]
        if bad:
            raise FetchError("blocked", f"{host} resolves to a non-public address ({bad[0]}); "
                             "set [fetch] allow_private_networks to allow it")
        return addresses

    # -- internals -----------------------------------------------------------------------

    def _resolve(self, host: str, port: int) -> list[str]:
        future = self._dns.submit(self.resolver, host, port, 0, socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=self.settings.timeout)
        except FutureTimeout:
            raise FetchError("dns", f"DNS lookup of {host} timed out") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc}") from None
        except OSError as exc:
            raise FetchError("dns", f"cannot resolve {host}: {exc}") from None
        addresses = [str(info[4][0]) for info in infos]
        if not addresses:
            raise FetchError("dns", f"{host} has no address")
        return addresses

    def _pin(self, url: str, addresses: list[str], started: float) -> None:
        """Tell the network backend, for this thread's next request, which addresses it may
        connect to and when the fetch's total deadline falls."""
        parts = urlsplit(url)
        self._pins.host = (parts.hostname or "").lower()
        self._pins.port = parts.port or (443 if parts.scheme == "https" else 80)
        self._pins.addresses = addresses
        self._pins.deadline = started + self.settings.timeout * TOTAL_TIME_FACTOR

    def _gate(self, url: str) -> _HostGate:
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._gates_lock:
            gate = self._gates.get(key)
            if gate is None:
                gate = self._gates[key] = _HostGate(max(1, self.settings.per_host_connections))
            return gate

    def _wait_turn(self, gate: _HostGate) -> None:
        with gate.lock:
            now = time.monotonic()
            start = max(now, gate.next_start)
            gate.next_start = start + self.settings.host_delay
        if start > now and self.stop.wait(start - now):
            raise FetchCancelled()

    def _fetch_http(self, url: str, etag: str | None, last_modified: str | None, cap: int,
                    started: float) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current, visited = url, {url}
        permanent: str | None = None
        still_permanent = True
        hops: list[tuple[int, str]] = []
        while True:
            if self.stop.is_set():
                raise FetchCancelled()
            self._pin(current, self.check_url(current), started)
            try:
                status, resp_headers, body = self._one_request(current, headers, cap, started)
            finally:
                self._pins.host = None
                self._pins.deadline = None
            if status in (301, 302, 303, 307, 308):
                location = resp_headers.get("location")
                if not location:
                    raise FetchError("redirect", f"HTTP {status} without Location from "
                                     f"{current}", status=status)
                target = str(httpx.URL(current).join(location.strip()))
                hops.append((status, target))
                if target in visited:
                    raise FetchError("redirect", f"redirect loop at {target}", status=status)
                if len(hops) > self.settings.max_redirects:
                    raise FetchError("redirect", f"more than {self.settings.max_redirects} "
                                     f"redirects from {url}", status=status)
                if status in (301, 308) and still_permanent:
                    permanent = target
                else:
                    still_permanent = False
                visited.add(target)
                current = target
                continue
            break
        raise_for_status(status, resp_headers, current)
        return FetchResult(
            status=status, url=url, final_url=current, permanent_redirect_url=permanent,
            headers=dict(resp_headers), body=body, etag=resp_headers.get("etag"),
            last_modified=resp_headers.get("last-modified"),
            duration=time.monotonic() - started, bytes=len(body), redirects=hops)

    def _one_request(self, url: str, headers: dict[str, str], cap: int,
                     started: float) -> tuple[int, dict[str, str], bytes]:
        gate = self._gate(url)
        self._check_throttle(gate, url)
        with gate.slots:
            self._wait_turn(gate)
            self._check_throttle(gate, url)  # another request may have been told to wait
            try:
                status, resp_headers, body = self._send(url, headers, cap, started)
            finally:
                with gate.lock:  # the delay also runs from the end of the previous request
                    gate.next_start = max(gate.next_start,
                                          time.monotonic() + self.settings.host_delay)
            if status in (429, 503):
                until = time.monotonic() + self._throttle(resp_headers.get("retry-after"))
                with gate.lock:
                    gate.throttled_until = max(gate.throttled_until, until)
            return status, resp_headers, body

    def _throttle(self, retry_after: str | None) -> float:
        """Seconds to leave a host alone after it answered 429 or 503: its Retry-After, or
        `[fetch] host_throttle`, at most MAX_HOST_THROTTLE."""
        wait = parse_retry_after(retry_after, datetime.now(UTC))
        return min(MAX_HOST_THROTTLE, wait if wait is not None else self.settings.host_throttle)

    @staticmethod
    def _check_throttle(gate: _HostGate, url: str) -> None:
        """A host that answered 429/503 is not asked again until its wait is over: the
        request fails at once (its feed backs off; an article falls back to the feed's text
        and is retried later) instead of holding a fetch thread."""
        left = gate.throttled_until - time.monotonic()
        if left > 0:
            raise FetchError("throttled", f"{urlsplit(url).netloc} asked to wait (HTTP 429/503);"
                             f" {left:.0f}s left: {url}", retry_after=left)

    def _send(self, url: str, headers: dict[str, str], cap: int,
              started: float) -> tuple[int, dict[str, str], bytes]:
        with self._all:
            try:
                with self.client.stream("GET", url, headers=headers) as resp:
                    lower = {k.lower(): v for k, v in resp.headers.items()}
                    if resp.status_code >= 300 or resp.status_code == 204:
                        return resp.status_code, lower, b""  # the body is not read
                    return resp.status_code, lower, self._read(resp, cap, started)
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"timed out ({type(exc).__name__}) after "
                                 f"{self.settings.timeout:g}s: {url}") from None
            except httpx.TransportError as exc:
                raise transport_failure(exc, url) from None

    def _read(self, resp: httpx.Response, cap: int, started: float) -> bytes:
        length = resp.headers.get("content-length", "")
        encodings = content_encodings(resp.headers)
        if length.isdigit() and not encodings and int(length) > cap:
            raise FetchError("too_large", f"{length} bytes announced, the cap is {cap}")
        deadline = started + self.settings.timeout * TOTAL_TIME_FACTOR
        parts: list[bytes] = []
        total = 0
        try:
            # iter_raw() without a size yields each network read as it arrives (a size makes
            # httpx buffer up to it), so the deadline is checked after every read, however
            # few bytes it brought; each read is itself bounded by the read timeout.
            for chunk in decoded(resp.iter_raw(), encodings):
                total += len(chunk)
                if total > cap:
                    raise FetchError("too_large", f"more than {cap} bytes "
                                     f"(after decompression): {resp.url}")
                parts.append(chunk)
                if time.monotonic() > deadline:
                    raise FetchError("timeout", f"response not complete within "
                                     f"{self.settings.timeout * TOTAL_TIME_FACTOR:g}s")
                if self.stop.is_set():
                    raise FetchCancelled()
        except (zlib.error, brotli.error) as exc:
            raise FetchError("parse", f"bad {'/'.join(encodings)} encoding: {exc}") from None
        return b"".join(parts)

    def _read_file(self, url: str, cap: int, started: float) -> FetchResult:
        path = Path(unquote(urlsplit(url).path))
        if not self.is_fixture_path(path):
            raise FetchError("blocked", f"file: URLs are allowed only under [fetch] "
                             f"fixture_paths: {path}")
        try:
            if path.is_dir():
                raise FetchError("blocked", f"{path} is a directory")
            with path.open("rb") as fh:
                body = fh.read(cap + 1)
        except OSError as exc:
            raise FetchError("http_4xx", f"cannot read {path}: {exc.strerror or exc}",
                             status=404) from None
        if len(body) > cap:
            raise FetchError("too_large", f"{path} is larger than {cap} bytes")
        return FetchResult(status=200, url=url, final_url=url, permanent_redirect_url=None,
                           headers={}, body=body, etag=None, last_modified=None,
                           duration=time.monotonic() - started, bytes=len(body))

