"""Outcomes and failure classes are listed once, as StrEnums: a value outside the list is a
bug caught where it is made, and a member is the plain string that is stored and shown."""

from __future__ import annotations

import json

import pytest

from worker.document import OUTCOMES, Outcome, OutcomeKind
from worker.errors import FailureClass, FetchError
from worker.fetch import FetchCancelled


def test_an_outcome_is_checked_and_stays_its_string() -> None:
    out = Outcome("irrelevant", 3)
    assert out.outcome is OutcomeKind.IRRELEVANT
    assert out.outcome == "irrelevant"
    assert json.dumps({"outcome": out.outcome}) == '{"outcome": "irrelevant"}'
    with pytest.raises(ValueError, match="irelevant"):
        Outcome("irelevant")
    assert OUTCOMES == ("new", "duplicate", "revised", "irrelevant", "unreadable", "error")


def test_a_failure_class_is_checked_and_stays_its_string() -> None:
    exc = FetchError("http_5xx", "server error 503", status=503)
    assert exc.error_class is FailureClass.HTTP_5XX
    assert f"{exc.error_class}" == "http_5xx"
    assert FetchCancelled().error_class == "cancelled"
    with pytest.raises(ValueError, match="http_6xx"):
        FetchError("http_6xx", "no such class")


def test_one_rule_for_aware_datetimes() -> None:
    from datetime import UTC, date, datetime, timedelta, timezone

    from worker import clock

    assert clock.aware(date(2025, 1, 13)) == datetime(2025, 1, 13, tzinfo=UTC)
    assert clock.aware(datetime(2025, 1, 13, 6, 20)) == datetime(2025, 1, 13, 6, 20, tzinfo=UTC)
    plus9 = datetime(2025, 1, 13, 15, 20, tzinfo=timezone(timedelta(hours=9)))
    assert clock.aware(plus9) is plus9  # an aware value keeps its zone (and its instant)
    assert clock.aware("2025-01-13T06:20:00") == datetime(2025, 1, 13, 6, 20, tzinfo=UTC)
    assert clock.aware("13 January") is None
    assert clock.aware(None) is None
    assert clock.EARLIEST < clock.day_start(date(1, 1, 2)) < clock.utcnow()
