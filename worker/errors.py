"""The exception tree of the worker.

    WorkerError                    anything the worker reports as one clear line
    ├── ConfigError                a bad setting: names the key and the file; exit code 2
    ├── DatabaseError              the database cannot be reached or migrated; exit code 2
    ├── UsageError                 a command used wrongly (an unknown filter value, an
    │                              output path that cannot be written); exit code 2
    ├── InputError                 a file or document that cannot be read or parsed
    └── FetchError                 an HTTP fetch that failed; carries a failure class
        (its class: one of `FailureClass`)
"""

from __future__ import annotations

from enum import StrEnum


class FailureClass(StrEnum):
    """Why a fetch or a poll failed: stored on the feed (`last_error_class`) and on each fetch
    event, counted by the metrics, shown by `worker feeds status`. A member is its string, so
    stored values and comparisons with plain strings keep working."""

    DNS = "dns"                # the host name does not resolve
    CONNECT = "connect"        # no TCP connection
    TIMEOUT = "timeout"        # a timeout, or the total deadline passed (slow drip)
    TLS = "tls"                # the TLS handshake or certificate failed
    HTTP_4XX = "http_4xx"      # a client error other than 404/410/429
    HTTP_5XX = "http_5xx"      # a server error
    HTTP_429 = "http_429"      # too many requests (Retry-After honoured)
    THROTTLED = "throttled"    # the host is throttled after a 429/503: not even asked
    GONE = "gone"              # 404 or 410: the feed is gone
    REDIRECT = "redirect"      # a redirect loop, too many hops, or a bad Location
    TOO_LARGE = "too_large"    # over the size cap (after decompression) or huge headers
    BLOCKED = "blocked"        # the SSRF guard or the fixture paths refused the URL
    PARSE = "parse"            # not a usable feed (or a body cut short)
    CANCELLED = "cancelled"    # the worker is shutting down: nothing wrong with the feed
    INTERNAL = "internal"      # a bug of ours, logged with its traceback


class WorkerError(Exception):
    """Base class: the message is meant for people, on one line."""

    exit_code = 1


class ConfigError(WorkerError):
    exit_code = 2


class DatabaseError(WorkerError):
    exit_code = 2


class UsageError(WorkerError):
    exit_code = 2


class InputError(WorkerError):
    pass


class FetchError(WorkerError):
    def __init__(
        self,
        error_class: FailureClass | str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = FailureClass(error_class)  # an unlisted class is a bug: ValueError
        self.status = status
        self.retry_after = retry_after
