"""The exception tree of the worker.

    WorkerError                    anything the worker reports as one clear line
    ├── ConfigError                a bad setting: names the key and the file; exit code 2
    ├── DatabaseError              the database cannot be reached or migrated; exit code 2
    ├── UsageError                 a command used wrongly (an unknown filter value, an
    │                              output path that cannot be written); exit code 2
    ├── InputError                 a file or document that cannot be read or parsed
    └── FetchError                 an HTTP fetch that failed; carries a failure class
        (classes: dns, connect, timeout, tls, http_4xx, http_5xx, http_429, gone,
         redirect, too_large, blocked, parse)
"""

from __future__ import annotations


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
        error_class: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.status = status
        self.retry_after = retry_after
