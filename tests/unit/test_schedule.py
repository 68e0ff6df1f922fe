from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worker import schedule
from worker.schedule import IntervalPolicy

NOW = datetime(2025, 5, 2, 12, 0, tzinfo=UTC)
POLICY = IntervalPolicy(default=900, minimum=300, maximum=21_600, jitter=0.1)
PLAN = [[900, 10_800], [3_600, 86_400], [10_800, 604_800], [86_400, 2_592_000]]


@pytest.mark.parametrize(("text", "seconds"), [("90", 90), ("15m", 900), ("2h", 7200),
                                               ("1d", 86400), ("1.5h", 5400)])
def test_durations_are_read_in_seconds_minutes_hours_days(text: str, seconds: int) -> None:
    assert schedule.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "m", "-5m", "0", "15 minutes"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        schedule.parse_duration(text)


def test_max_age_wins_over_expires() -> None:
    headers = {"Cache-Control": "public, max-age=3600",
               "Expires": "Fri, 02 May 2025 12:10:00 GMT"}
    assert schedule.cache_lifetime(headers, NOW) == 3600


def test_expires_is_relative_to_the_date_header() -> None:
    headers = {"expires": "Fri, 02 May 2025 14:00:00 GMT",
               "date": "Fri, 02 May 2025 13:00:00 GMT"}
    assert schedule.cache_lifetime(headers, NOW) == 3600
    assert schedule.cache_lifetime({"Expires": "garbage"}, NOW) is None
    assert schedule.cache_lifetime({}, NOW) is None


def test_retry_after_as_seconds_or_date() -> None:
    assert schedule.retry_after("120", NOW) == 120
    assert schedule.retry_after("Fri, 02 May 2025 13:00:00 GMT", NOW) == 3600
    assert schedule.retry_after("soon", NOW) is None
    assert schedule.retry_after(None, NOW) is None


def test_a_feed_asking_for_fewer_polls_is_obeyed_within_bounds() -> None:
    assert schedule.poll_interval(POLICY) == 900
    assert schedule.poll_interval(POLICY, ttl=3600) == 3600
    assert schedule.poll_interval(POLICY, max_age=10**7) == 21_600
    assert schedule.poll_interval(POLICY, configured=60) == 300
    assert schedule.poll_interval(POLICY, configured=1800, max_age=60) == 1800


def test_observed_rate_drives_feeds_without_an_interval_of_their_own() -> None:
    dates = [NOW - timedelta(hours=4 * i) for i in range(10)]
    gap = schedule.observed_gap(dates)
    assert gap == 4 * 3600
    assert schedule.poll_interval(POLICY, gap=gap) == 2 * 3600
    assert schedule.poll_interval(POLICY, configured=900, gap=gap) == 900
    assert schedule.observed_gap([NOW, None, NOW]) is None


def test_backoff_doubles_and_is_capped() -> None:
    delays = [schedule.backoff(n, base=60, cap=86_400) for n in range(1, 15)]
    assert delays[:4] == [60, 120, 240, 480]
    assert max(delays) == 86_400
    assert schedule.backoff(10**6, base=60, cap=86_400) == 86_400


def test_backoff_honours_a_longer_retry_after_but_stays_capped() -> None:
    assert schedule.backoff(1, base=60, cap=86_400, retry_after=3600) == 3600
    assert schedule.backoff(5, base=60, cap=86_400, retry_after=1) == 960
    assert schedule.backoff(1, base=60, cap=86_400, retry_after=10**9) == 86_400


def test_revision_rechecks_decay_then_stop() -> None:
    assert schedule.recheck_every(60, PLAN) == 900
    assert schedule.recheck_every(5 * 3600, PLAN) == 3600
    assert schedule.recheck_every(2 * 86_400, PLAN) == 10_800
    assert schedule.recheck_every(10 * 86_400, PLAN) == 86_400
    assert schedule.recheck_every(31 * 86_400, PLAN) is None
    assert schedule.next_recheck(NOW - timedelta(minutes=5), NOW, PLAN) == NOW + timedelta(
        minutes=15)
    assert schedule.next_recheck(NOW - timedelta(days=40), NOW, PLAN) is None


@given(st.integers(min_value=0, max_value=10**6), st.floats(min_value=0, max_value=0.99),
       st.integers(min_value=0, max_value=2**32))
def test_jitter_stays_within_its_fraction(seconds: int, jitter: float, seed: int) -> None:
    when = schedule.with_jitter(NOW, seconds, jitter, random.Random(seed))
    delta = (when - NOW).total_seconds()
    assert seconds * (1 - jitter) - 1e-6 <= delta <= seconds * (1 + jitter) + 1e-6


@given(configured=st.one_of(st.none(), st.integers(1, 10**6)),
       ttl=st.one_of(st.none(), st.integers(0, 10**7)),
       max_age=st.one_of(st.none(), st.integers(0, 10**7)),
       gap=st.one_of(st.none(), st.integers(0, 10**7)))
def test_intervals_always_within_bounds(configured: int | None, ttl: int | None,
                                        max_age: int | None, gap: int | None) -> None:
    value = schedule.poll_interval(POLICY, configured=configured, ttl=ttl, max_age=max_age,
                                   gap=gap)
    assert POLICY.minimum <= value <= POLICY.maximum


@given(st.integers(1, 10**4), st.integers(1, 3600), st.integers(1, 10**6))
def test_backoff_is_monotonic_and_capped(n: int, base: int, cap: int) -> None:
    a = schedule.backoff(n, base=base, cap=cap)
    b = schedule.backoff(n + 1, base=base, cap=cap)
    assert a <= b <= max(cap, base)
