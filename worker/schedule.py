"""Pure: when to poll a feed next, how long to back off after failures, and when to re-check a
published article for revisions. No I/O and no clock: `now` and the random source are passed
in, so every rule is tested without waiting.

Interval rule (per feed): start from the feed's own interval or the default; a feed that asks to
be polled less often (`ttl`, `Cache-Control: max-age`, `Expires`) is obeyed; a feed without an
interval of its own follows how often it really publishes (half its median gap between items);
the result is clamped to [min_interval, max_interval] and spread by +-jitter.
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

_MAX_AGE = re.compile(r"(?:^|[,\s])(s-maxage|max-age)\s*=\s*\"?(\d+)", re.IGNORECASE)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, kw_only=True)
class IntervalPolicy:
    """The [schedule] bounds, as a value (validated by worker.config)."""

    default: int = 900
    minimum: int = 300
    maximum: int = 21_600
    jitter: float = 0.1


def parse_duration(text: str) -> int:
    """"15m" -> 900, "2h" -> 7200, "90" -> 90 (seconds). Raises ValueError otherwise."""
    m = _DURATION.match(str(text))
    if not m:
        raise ValueError(f"not a duration (e.g. 90, 15m, 2h, 1d): {text!r}")
    seconds = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if seconds <= 0:
        raise ValueError(f"a duration must be positive: {text!r}")
    return seconds


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else None


def cache_lifetime(headers: Mapping[str, str], now: datetime) -> int | None:
    """Seconds the server says the response stays fresh: `max-age` wins over `Expires`
    (RFC 9111 §5.3); `no-cache`/`no-store` say nothing about polling, so they are ignored."""
    cc = _header(headers, "cache-control") or ""
    m = _MAX_AGE.search(cc)
    if m:
        return int(m.group(2))
    expires = _http_date(_header(headers, "expires"))
    if expires is None:
        return None
    base = _http_date(_header(headers, "date")) or now
    return max(0, int((expires - base).total_seconds()))


def retry_after(value: str | None, now: datetime) -> float | None:
    """`Retry-After` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    return max(0.0, (when - now).total_seconds())


def observed_gap(published: Iterable[datetime | None]) -> int | None:
    """Median seconds between consecutive item dates (None with fewer than 3 dated items)."""
    times = sorted({t for t in published if t is not None})
    if len(times) < 3:
        return None
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    return int(statistics.median(gaps))


def poll_interval(policy: IntervalPolicy, *, configured: int | None = None,
                  ttl: int | None = None, max_age: int | None = None,
                  gap: int | None = None) -> int:
    """The interval (seconds) before the next poll of a feed, clamped to the policy bounds."""
    interval = configured or policy.default
    if configured is None and gap is not None:
        interval = gap // 2
    hint = max(ttl or 0, max_age or 0)
    interval = max(interval, hint)
    return max(policy.minimum, min(policy.maximum, interval))


def with_jitter(now: datetime, seconds: float, jitter: float,
                rng: random.Random | None = None) -> datetime:
    """`now + seconds`, spread by +-jitter*seconds so feeds do not all fire together."""
    spread = (rng or random).uniform(-jitter, jitter) if jitter else 0.0
    return now + timedelta(seconds=max(0.0, seconds * (1 + spread)))


def backoff(failures: int, *, base: int, cap: int, retry_after: float | None = None) -> float:
    """Seconds to wait after the n-th consecutive failure: base*2^(n-1), capped; a server's
    `Retry-After` is honoured when it asks for longer (and is capped too)."""
    n = max(1, failures)
    delay = float(cap) if n > 63 else min(float(cap), base * 2.0 ** (n - 1))
    if retry_after is not None:
        delay = max(delay, min(float(cap), retry_after))
    return delay


def recheck_every(age_seconds: float, plan: Sequence[Sequence[int]]) -> int | None:
    """The re-check period of an article `age_seconds` old, from [every, until_age] pairs
    (sorted by until_age); None once the article is older than the last pair: never again."""
    for every, until in sorted(plan, key=lambda p: p[1]):
        if age_seconds < until:
            return int(every)
    return None


def next_recheck(published: datetime, now: datetime,
                 plan: Sequence[Sequence[int]]) -> datetime | None:
    """When to re-fetch an article next, or None when it has aged out of the plan."""
    age = max(0.0, (now - published).total_seconds())
    every = recheck_every(age, plan)
    if every is None:
        return None
    return now + timedelta(seconds=every)
