"""Announcements: the statement events analysts cite ("NIS briefing to lawmakers, 13 January
2025: 300 killed, 2,700 wounded"), grouped from the statements of one claimant. Pure: a list of
`Statement` in, a list of `Announcement` out; the store reads and writes them
(`worker.store.announcements`).

How statements are grouped, per claimant, reports taken in order of first publication:

- An article's statements of one claimant travel together. They are *dated* by the day one of
  them refers to (`refers_to` with day precision, at most `DATED_WINDOW` days before the report
  and not after the day following it): "the NIS said on Wednesday" dates every figure of that
  report, not only the one whose sentence carried the weekday.
- A dated report joins the claimant's announcement whose day is within ± `SAME_DAY` day of its
  day, else opens one on that day.
- An undated report that only repeats what the claimant had already announced (each figure
  equals the latest announced value of its subject, metric and scope) is a later report of those
  announcements: each figure counts towards the announcement that last stated it. Otherwise its
  day is its publication day, joined as a dated one (the earliest report ± 1 day).
- A recalled figure ("up from 100 in December") is evidence for the earlier announcement that
  stated that value (the one nearest the day it refers to, else the latest before the report);
  with none, it goes to the day it refers to, opening an announcement known only through
  recalls; without a day to go to, it is left out.

Every announcement says how many independent stories (copies of one wire story count once) and
which languages carry it, and links each report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from worker.figures.model import METRICS

SAME_DAY = 1  # days either side of an announcement's day that still belong to it
DATED_WINDOW = 7  # a report may date its figures by a day at most this many days earlier


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    """One stated figure of one article's current version, with its article."""

    claim_id: int
    article_id: int
    story_key: int  # the story id, or minus the article id for an article of its own
    claimant: str
    subject: str | None
    metric: str
    value: int
    low: int | None = None
    high: int | None = None
    qualifier: str = "exact"
    scope: str | None = None
    partial: bool = False
    refers_to: str | None = None
    recalled: bool = False
    reported_at: datetime
    url: str = ""
    outlet: str | None = None
    language: str | None = None
    title: str | None = None
    sentence: str = ""

    @property
    def kind(self) -> str:
        """What the figure counts within its series: the total, an increment or a part."""
        if self.partial:
            return "part"
        return "increment" if self.scope == "increment" else "total"

    @property
    def figure_key(self) -> tuple[str, str, str, int]:
        return (self.subject or "", self.metric, self.kind, self.value)

    @property
    def day(self) -> date | None:
        """The day the figure refers to, when `refers_to` has day precision."""
        if self.refers_to is None or len(self.refers_to) != 10:
            return None
        try:
            return date.fromisoformat(self.refers_to)
        except ValueError:
            return None


@dataclass(slots=True, kw_only=True)
class Figure:
    subject: str | None
    metric: str
    kind: str
    value: int
    low: int | None
    high: int | None
    qualifier: str
    stories: int
    reports: int
    recalled_only: bool
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True, kw_only=True)
class Report:
    article_id: int
    story_key: int
    url: str
    outlet: str | None
    language: str | None
    title: str | None
    reported_at: datetime
    recalled_only: bool

    def as_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__slots__}
        d["reported_at"] = self.reported_at.isoformat()
        return d


@dataclass(slots=True, kw_only=True)
class Announcement:
    claimant: str
    day: date
    dated_by: str  # "refers_to": a report names the day; "report": the first report's day
    figures: list[Figure]
    reports: list[Report]

    @property
    def key(self) -> str:
        """Stable identity: one announcement per claimant and day."""
        return f"{self.claimant}/{self.day.isoformat()}"

    @property
    def first_report(self) -> Report:
        return self.reports[0]

    @property
    def stories(self) -> int:
        return len({r.story_key for r in self.reports})

    @property
    def languages(self) -> list[str]:
        return sorted({r.language for r in self.reports if r.language})

    @property
    def recalled_only(self) -> bool:
        return all(r.recalled_only for r in self.reports)

    def as_dict(self) -> dict[str, Any]:
        return {
            "announcement_id": self.key, "claimant": self.claimant,
            "announced_on": self.day.isoformat(), "dated_by": self.dated_by,
            "recalled_only": self.recalled_only, "independent_stories": self.stories,
            "languages": self.languages, "reports": len(self.reports),
            "first_reported_at": self.first_report.reported_at.isoformat(),
            "url": self.first_report.url, "outlet": self.first_report.outlet,
            "figures": [f.as_dict() for f in self.figures],
            "links": [r.as_dict() for r in self.reports],
        }


@dataclass(slots=True)
class _Draft:
    """An announcement being built: its statements, each with whether it came by a recall."""

    day: date
    dated: bool
    items: list[tuple[Statement, bool]] = field(default_factory=list)


Series = tuple[str, str, str]
Key = tuple[str, str, str, int]


class _Drafts:
    """One claimant's announcements being built, indexed by day, by figure and by series so
    that each statement is placed in time independent of how many there are."""

    def __init__(self) -> None:
        self.all: list[_Draft] = []
        self.by_day: dict[date, list[_Draft]] = {}
        self.by_key: dict[Key, list[_Draft]] = {}  # drafts stating a figure (any way)
        self.by_series: dict[Series, list[_Draft]] = {}  # drafts stating a series directly
        self.values: dict[tuple[int, Series], set[int]] = {}  # draft, series -> direct values

    def near(self, day: date) -> _Draft | None:
        close = [d for offset in range(-SAME_DAY, SAME_DAY + 1)
                 for d in self.by_day.get(day + timedelta(days=offset), ())]
        return min(close, key=lambda d: (abs((d.day - day).days), d.day)) if close else None

    def place(self, day: date, dated: bool) -> _Draft:
        draft = self.near(day)
        if draft is None:
            draft = _Draft(day, dated)
            self.all.append(draft)
            self.by_day.setdefault(day, []).append(draft)
        elif dated and not draft.dated:  # a report naming the day dates the announcement
            self.by_day[draft.day].remove(draft)
            draft.day, draft.dated = day, True
            self.by_day.setdefault(day, []).append(draft)
        return draft

    def add(self, draft: _Draft, s: Statement, by_recall: bool) -> None:
        draft.items.append((s, by_recall))
        holders = self.by_key.setdefault(s.figure_key, [])
        if not any(h is draft for h in holders):
            holders.append(draft)
        if not by_recall:
            series = s.figure_key[:3]
            values = self.values.setdefault((id(draft), series), set())
            if not values:
                self.by_series.setdefault(series, []).append(draft)
            values.add(s.value)

    def latest_stating(self, s: Statement, before: date) -> _Draft | None:
        """The latest announcement up to `before` stating the series of `s` directly, if the
        value it stated is that of `s` (a repeat of the current value)."""
        series = s.figure_key[:3]
        stating = [d for d in self.by_series.get(series, ()) if d.day <= before]
        if not stating:
            return None
        last = max(stating, key=lambda d: d.day)
        return last if s.value in self.values[(id(last), series)] else None

    def stating(self, key: Key, before: date) -> list[_Draft]:
        return [d for d in self.by_key.get(key, ()) if d.day <= before]


def group_announcements(statements: Iterable[Statement]) -> list[Announcement]:
    """Every announcement of every claimant, newest first (see the module docstring)."""
    by_claimant: dict[str, list[Statement]] = {}
    for s in statements:
        if s.claimant:
            by_claimant.setdefault(s.claimant, []).append(s)
    out: list[Announcement] = []
    for claimant, items in by_claimant.items():
        out.extend(_finish(claimant, d) for d in _group_one(items) if d.items)
    out.sort(key=lambda a: (a.day, a.first_report.reported_at, a.claimant), reverse=True)
    return out


def _report_day(s: Statement) -> date:
    return s.reported_at.date()


def _dating_day(group: list[Statement]) -> date | None:
    """The day a report's statements are dated by (see the module docstring), if any."""
    reported = _report_day(group[0])
    days = Counter(d for s in group if (d := s.day) is not None
                   and reported - timedelta(days=DATED_WINDOW) <= d
                   <= reported + timedelta(days=SAME_DAY))
    if not days:
        return None
    return max(days.items(), key=lambda kv: (kv[1], kv[0]))[0]


def _group_one(items: list[Statement]) -> list[_Draft]:
    direct: dict[int, list[Statement]] = {}
    recalls: list[Statement] = []
    for s in sorted(items, key=lambda s: (s.reported_at, s.article_id, s.claim_id)):
        if s.recalled:
            recalls.append(s)
        else:
            direct.setdefault(s.article_id, []).append(s)
    drafts = _Drafts()
    for group in direct.values():  # in order of first publication
        reported = _report_day(group[0])
        day = _dating_day(group)
        if day is None:
            targets = [drafts.latest_stating(s, reported) for s in group]
            if all(t is not None for t in targets):  # nothing new: a later report
                for s, target in zip(group, targets, strict=True):
                    assert target is not None
                    drafts.add(target, s, False)
                continue
        draft = drafts.place(day or reported, dated=day is not None)
        for s in group:
            drafts.add(draft, s, False)
    for s in recalls:
        target = _recall_target(drafts, s)
        if target is None:
            if s.day is None or s.day > _report_day(s):
                continue  # nowhere to put it
            target = drafts.place(s.day, dated=True)
        drafts.add(target, s, True)
    return drafts.all


def _recall_target(drafts: _Drafts, s: Statement) -> _Draft | None:
    stating = drafts.stating(s.figure_key, _report_day(s))
    if not stating:
        return None
    if s.day is not None:
        day = s.day
        return min(stating, key=lambda d: (abs((d.day - day).days), d.day))
    if s.refers_to:  # a month or a year: an announcement in that period, if there is one
        within = [d for d in stating if d.day.isoformat().startswith(s.refers_to)]
        stating = within or stating
    return max(stating, key=lambda d: d.day)


_METRIC_ORDER = {m: i for i, m in enumerate(METRICS)}
_KIND_ORDER = {"total": 0, "increment": 1, "part": 2}


def _finish(claimant: str, draft: _Draft) -> Announcement:
    figures: dict[tuple[str, str, str, int], list[tuple[Statement, bool]]] = {}
    reports: dict[int, Report] = {}
    for s, by_recall in draft.items:
        figures.setdefault(s.figure_key, []).append((s, by_recall))
        r = reports.get(s.article_id)
        if r is None:
            reports[s.article_id] = Report(
                article_id=s.article_id, story_key=s.story_key, url=s.url, outlet=s.outlet,
                language=s.language, title=s.title, reported_at=s.reported_at,
                recalled_only=by_recall)
        elif not by_recall:
            r.recalled_only = False
    out_figures = []
    for key, evidence in figures.items():
        first = min(evidence, key=lambda e: (e[1], e[0].reported_at, e[0].claim_id))[0]
        qualifiers = Counter(s.qualifier for s, _ in evidence)
        out_figures.append(Figure(
            subject=first.subject, metric=first.metric, kind=key[2], value=first.value,
            low=first.low, high=first.high, qualifier=qualifiers.most_common(1)[0][0],
            stories=len({s.story_key for s, _ in evidence}),
            reports=len({s.article_id for s, _ in evidence}),
            recalled_only=all(by_recall for _, by_recall in evidence), sentence=first.sentence))
    out_figures.sort(key=lambda f: (f.subject or "~", _KIND_ORDER[f.kind],
                                    _METRIC_ORDER.get(f.metric, 99), -f.stories, f.value))
    return Announcement(
        claimant=claimant, day=draft.day, dated_by="refers_to" if draft.dated else "report",
        figures=out_figures,
        reports=sorted(reports.values(), key=lambda r: (r.reported_at, r.article_id)))


def headline(a: Announcement, *, limit: int | None = None) -> str:
    """The figures in one line, "killed 300 · wounded 2,700 · casualties 300/3,000 ·
    deployed +3,000": each subject, metric and kind once, its values by how many stories carry
    them (then by size), "+" for an increment, "(part)" for a part of a total."""
    values: dict[tuple[str | None, str, str], list[Figure]] = {}
    for f in a.figures:  # sorted: the most carried value of each comes first
        values.setdefault((f.subject, f.metric, f.kind), []).append(f)
    subjects = {subject for subject, _, _ in values}
    parts = []
    for (subject, metric, kind), figs in values.items():
        sign = "+" if kind == "increment" else ""
        amount = "/".join(f"{sign}{f.value:,}" for f in figs)
        label = f"{subject} " if len(subjects) > 1 and subject else ""
        parts.append(f"{label}{metric} {amount}" + (" (part)" if kind == "part" else ""))
    if limit is not None and len(parts) > limit:
        parts = [*parts[:limit], f"+{len(parts) - limit} more"]
    return " · ".join(parts)
