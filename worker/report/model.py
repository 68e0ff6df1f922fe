"""What the report shows, as plain values: a `Point` per stated figure, a `SeriesGroup` per
chart, the `ReportData` of one report; and the wording shared by the charts and the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

SUBJECT_NAMES = {"KP": "North Korean", "UA": "Ukrainian", "RU": "Russian",
                 "KR": "South Korean", "US": "American"}
UNATTRIBUTED = "unattributed"
QUALIFIER_WORDS = {"approx": "about", "at_least": "at least", "more_than": "more than",
                   "at_most": "at most", "less_than": "fewer than", "vague": "some"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One stated figure (a row of the `claim_statements` view) as drawn on a chart."""

    claim_id: int
    subject: str | None
    metric: str
    claimant: str
    value: int
    low: int | None
    high: int | None
    qualifier: str
    claimed_at: datetime
    url: str
    outlet: str | None
    title: str | None
    sentence: str
    version: int
    previous_value: int | None = None
    """For a figure changed by an article revision: what the earlier version said."""
    copies: tuple[str, ...] = ()
    """Other outlets that ran the same story with the same figure (one point for all)."""

    @property
    def revision(self) -> bool:
        return self.version > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesGroup:
    """All statements about one (subject, metric), every claimant together: one chart."""

    subject: str | None
    metric: str
    points: tuple[Point, ...]

    @property
    def key(self) -> str:
        return f"{self.subject or 'any'}-{self.metric}"

    @property
    def title(self) -> str:
        who = SUBJECT_NAMES.get(self.subject or "", self.subject or "Unspecified side")
        return f"{who} {self.metric}"

    @property
    def claimants(self) -> tuple[str, ...]:
        return tuple(sorted({p.claimant for p in self.points}))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportData:
    generated_at: datetime
    database: str
    subject: str | None = None
    since: date | None = None
    groups: tuple[SeriesGroup, ...] = ()
    latest: tuple[dict[str, Any], ...] = ()
    """The latest figure of every series: the rows `worker figures` prints (one query)."""
    changes: tuple[dict[str, Any], ...] = ()
    stories: tuple[dict[str, Any], ...] = ()
    edited: tuple[dict[str, Any], ...] = ()
    """`queries.article_history()` of every article with more than one version."""
    counts: dict[str, int] = field(default_factory=dict)
    announcements: tuple[dict[str, Any], ...] = ()
    """`store.announcements.announcements()`: worker.report.announcements draws them."""

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def statements(self) -> int:
        return sum(len(g.points) for g in self.groups)

    def latest_of(self, group: SeriesGroup) -> list[dict[str, Any]]:
        """The latest figures of the group's series, one per claimant, by claimant."""
        rows = [r for r in self.latest
                if r["subject"] == group.subject and r["metric"] == group.metric]
        return sorted(rows, key=lambda r: (r["claimant"] is None, r["claimant"] or ""))


def disagree(latest: list[dict[str, Any]]) -> bool:
    """Whether the latest figures of the named claimants of one group differ."""
    return len({r["value"] for r in latest if r["claimant"]}) > 1


def outlet_name(outlet: str | None, url: str | None) -> str:
    """The outlet as the source named itself, else the web address's host without www.;
    "unknown outlet" for neither (a replayed file with no sidecar)."""
    if outlet and outlet.strip():
        return outlet.strip()
    parts = urlsplit(url or "")
    host = (parts.hostname or "") if parts.scheme in ("http", "https") else ""
    return host.removeprefix("www.") or "unknown outlet"


def amount_of(value: int, low: int | None, high: int | None, qualifier: str) -> str:
    """A figure as worded: "about 300", "at least 3,000", "1,000–2,000"."""
    if qualifier == "range" and low is not None and high is not None:
        return f"{low:,}–{high:,}"
    word = QUALIFIER_WORDS.get(qualifier)
    return f"{word} {value:,}" if word else f"{value:,}"


def amount(p: Point) -> str:
    """The figure of a point as worded (see `amount_of`)."""
    return amount_of(p.value, p.low, p.high, p.qualifier)
