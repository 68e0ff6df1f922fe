"""Pure: aware datetimes, one way everywhere. The worker keeps every time in UTC with its time
zone attached; a value that arrives without one (a sidecar's date, a naive ISO string, a
SQLite column) is taken as UTC, and a date as its midnight UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

EARLIEST = datetime.min.replace(tzinfo=UTC)  # sorts before any real time


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(value: datetime | date | str | None) -> datetime | None:
    """`value` as an aware datetime: naive -> UTC, a date -> its midnight UTC, an ISO 8601
    string parsed; None for None or a string that is not a date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return day_start(value)
    try:
        return aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def day_start(day: date) -> datetime:
    """Midnight UTC at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=UTC)
