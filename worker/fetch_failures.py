"""What a failed fetch was, as a `FetchError` of one class (worker.errors.FailureClass): an
HTTP status (429 and 503 with the wait their Retry-After asks for, 410 gone, other 4xx and
5xx), or a transport error (TLS, DNS, headers over h11's cap, any other connection failure).
Used by `worker.fetch`; the daemon's back-off and the feeds' status read these classes."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import httpx

from worker.errors import FetchError
from worker.schedule import retry_after as parse_retry_after

H11_HEADER_CAP = 16 * 1024  # h11's default max_incomplete_event_size, which httpcore keeps


def raise_for_status(status: int, headers: dict[str, str], url: str) -> None:
    """Raise the FetchError an HTTP status means (300, 4xx, 5xx); return for any other."""
    if status < 400 and status != 300:
        return
    wait = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
    if status == 429:
        raise FetchError("http_429", f"HTTP 429 Too Many Requests: {url}", status=status,
                         retry_after=wait)
    if status == 410:
        raise FetchError("gone", f"HTTP 410 Gone: {url}", status=status)
    if status >= 500:
        raise FetchError("http_5xx", f"HTTP {status}: {url}", status=status,
                         retry_after=wait if status == 503 else None)
    raise FetchError("http_4xx", f"HTTP {status}: {url}", status=status)


def transport_failure(exc: httpx.TransportError, url: str) -> FetchError:
    """The FetchError a transport exception means, found along its chain of causes."""
    cause: BaseException | None = exc
    text = str(exc)
    while cause is not None:
        name = type(cause).__name__
        if "SSL" in name or "Certificate" in name or "ssl" in type(cause).__module__:
            return FetchError("tls", f"TLS error: {text or name}: {url}")
        if isinstance(cause, socket.gaierror):
            return FetchError("dns", f"cannot resolve host: {text}: {url}")
        cause = cause.__cause__ or cause.__context__
    if "CERTIFICATE" in text.upper() or "SSL" in text.upper():
        return FetchError("tls", f"TLS error: {text}: {url}")
    if "Receive buffer too long" in text:  # h11's cap on a status line and headers
        return FetchError("too_large", f"response headers too large (over {H11_HEADER_CAP} "
                          f"bytes): {url}")
    return FetchError("connect", f"{type(exc).__name__}: {text or 'connection failed'}: {url}")
