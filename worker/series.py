"""The series model, pure: which stored claims are statements of a figure series, where each
sits in its series, and what changed. `worker.store.lineage` keeps the result in tables.

A *series* is one (subject, metric, claimant). Its *statements* are the countable claims
(`worker.store.lineage.COUNTED`), once per article version and value; a later version of an
article states only the figures it changed. Each statement has two dates:

- *stated for* — the date the figure refers to (`refers_to`, the start of its day, month or
  year), else the article's publication date; never later than
- *reported on* — when the figure was published (`claimed_at`: the publication date, or the
  fetch time of the revision that changed it).

A statement's place in its series is (stated for, reported on, claim id). Its *points* are:

- every direct statement, unless its article was unpublished or a later version of the same
  article states the series without that value (*corrected in place*: the outlet no longer
  stands by it — the correction itself is an `article_revision`);
- a *recalled* statement ("up from 100 in December") only when it dates itself and no direct
  point of the same value was reported at or before it: it then creates the earlier point,
  *known only through a recall*. Otherwise it is evidence only. Either way it never makes a
  change at the later date.

A point whose value differs from the previous point's is a `new_report` change; a direct
statement of a later version is an `article_revision` (its previous value is the earlier
version's). The independent stories of a (series, value) are the distinct stories (a story's
copies count once) of its points and recalls that are still stood by.

Everything here is a function of one series' claims; `derive_series` is the definition the
materialised tables are checked against.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

NEW_REPORT = "new_report"
ARTICLE_REVISION = "article_revision"


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesClaim:
    """A countable claim of one series, with what the model needs of its version and
    article."""

    claim_id: int
    article_id: int
    version_id: int
    version_number: int
    value: int
    recalled: bool
    refers_to: str | None
    claimed_at: datetime
    published_at: datetime | None
    story_key: int
    live: bool = True
    """False once the article was unpublished."""


@dataclass(slots=True, kw_only=True)
class Statement:
    """One statement of a series: the claim-level facts, then what its series makes of it."""

    claim_id: int
    article_id: int
    version_id: int
    version_number: int
    story_key: int
    value: int
    recalled: bool
    refers_to: str | None
    stated_for: datetime
    reported_on: datetime
    version_value: int | None
    """For a later version's direct statement: the value the previous version stated."""
    corrected: bool
    live: bool
    point: bool = False
    through_recall: bool = False
    previous_value: int | None = None
    kind: str | None = None

    @property
    def counts(self) -> bool:
        """Whether it supports its value (counts towards the value's independent stories)."""
        return self.live and not self.corrected

    @property
    def sort_key(self) -> tuple[datetime, datetime, int]:
        return (self.stated_for, self.reported_on, self.claim_id)

    def base(self) -> tuple[object, ...]:
        """The fields fixed by the article alone (what `article_statements` computes)."""
        return (self.article_id, self.version_id, self.version_number, self.story_key,
                self.value, self.recalled, self.refers_to, self.stated_for, self.reported_on,
                self.version_value, self.corrected, self.live)

    def derived(self) -> tuple[object, ...]:
        """The fields that depend on the rest of the series."""
        return (self.point, self.through_recall, self.previous_value, self.kind)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def period_start(refers_to: str | None) -> datetime | None:
    """The start of the day, month or year `refers_to` names; None when absent or malformed."""
    if not refers_to:
        return None
    parts = refers_to.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return datetime(year, month, day, tzinfo=UTC)
    except (ValueError, IndexError):
        return None


def stated_for(refers_to: str | None, published_at: datetime | None,
               reported_on: datetime) -> datetime:
    """Where a figure sits in its series: its reference date, else the publication date,
    never later than when it was reported."""
    start = period_start(refers_to)
    base = start if start is not None else _utc(published_at or reported_on)
    return min(base, _utc(reported_on))


@dataclass(slots=True)
class _Version:
    number: int
    direct: dict[int, SeriesClaim] = field(default_factory=dict)
    recalled: dict[int, SeriesClaim] = field(default_factory=dict)

    def of_kind(self, recalled: bool) -> dict[int, SeriesClaim]:
        return self.recalled if recalled else self.direct


def article_statements(claims: Iterable[SeriesClaim]) -> list[Statement]:
    """The statements of one article in one series, from its claims in that series (every
    version): one per version, kind (direct or recalled) and value, the lowest claim id
    standing for it; a later version keeps only the values its previous version did not
    state; a statement is corrected when the latest later version stating the series (with
    claims of the same kind) no longer states its value."""
    versions: dict[int, _Version] = {}
    for c in sorted(claims, key=lambda c: c.claim_id):
        v = versions.setdefault(c.version_number, _Version(c.version_number))
        v.of_kind(c.recalled).setdefault(c.value, c)
    numbers = sorted(versions)
    out: list[Statement] = []
    for i, n in enumerate(numbers):
        v = versions[n]
        prev = versions.get(n - 1)
        for recalled in (False, True):
            mine = v.of_kind(recalled)
            before = prev.of_kind(recalled) if prev is not None else {}
            later = [versions[m].of_kind(recalled) for m in numbers[i + 1:]
                     if versions[m].of_kind(recalled)]
            for value, c in mine.items():
                if value in before:
                    continue  # unchanged by this version: stated by the earlier one
                version_value = None
                if n > 1 and not recalled and prev is not None and prev.direct:
                    version_value = min(prev.direct)
                reported = _utc(c.claimed_at)
                out.append(Statement(
                    claim_id=c.claim_id, article_id=c.article_id, version_id=c.version_id,
                    version_number=n, story_key=c.story_key, value=value, recalled=recalled,
                    refers_to=c.refers_to,
                    stated_for=stated_for(c.refers_to, c.published_at, reported),
                    reported_on=reported, version_value=version_value,
                    corrected=bool(later) and value not in later[-1], live=c.live))
    return out


def is_direct_point(s: Statement) -> bool:
    return s.counts and not s.recalled


def recall_is_point(s: Statement, first_direct: datetime | None) -> bool:
    """A recall creates its point when it dates itself and no direct point of its value was
    reported at or before it (`first_direct`: the earliest such report, if any)."""
    return (s.recalled and s.counts and period_start(s.refers_to) is not None
            and (first_direct is None or first_direct > s.reported_on))


def step(s: Statement, prev: int | None) -> tuple[int | None, str | None]:
    """(previous_value, kind) of `s` given the value of the point before it."""
    if not s.recalled and s.version_number > 1 and s.live:
        return (s.version_value if s.version_value is not None else prev), ARTICLE_REVISION
    if s.point and (prev is None or prev != s.value):
        return prev, NEW_REPORT
    return prev, None


def walk(rows: Sequence[Statement], prev: int | None) -> int | None:
    """Set previous_value and kind on `rows` (in series order, `point` already set), starting
    after a point of value `prev`; returns the value of the last point."""
    for s in rows:
        s.previous_value, s.kind = step(s, prev)
        s.through_recall = s.point and s.recalled
        if s.point:
            prev = s.value
    return prev


def first_direct_reports(statements: Iterable[Statement]) -> dict[int, datetime]:
    """value -> the earliest report of a direct point of that value."""
    first: dict[int, datetime] = {}
    for s in statements:
        if is_direct_point(s) and (s.value not in first or s.reported_on < first[s.value]):
            first[s.value] = s.reported_on
    return first


def set_points(statements: Iterable[Statement], first: dict[int, datetime]) -> None:
    for s in statements:
        s.point = (recall_is_point(s, first.get(s.value)) if s.recalled
                   else is_direct_point(s))


def value_stories(statements: Iterable[Statement]) -> dict[tuple[int, int], datetime]:
    """(value, story key) -> the first report supporting it."""
    out: dict[tuple[int, int], datetime] = {}
    for s in statements:
        if s.counts:
            k = (s.value, s.story_key)
            if k not in out or s.reported_on < out[k]:
                out[k] = s.reported_on
    return out


@dataclass(frozen=True, slots=True)
class Series:
    """A series derived from scratch: statements in series order, the stories of each value
    and the latest point."""

    statements: list[Statement]
    stories: dict[tuple[int, int], datetime]
    latest: int | None

    def story_counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for value, _story in self.stories:
            counts[value] = counts.get(value, 0) + 1
        return counts


def derive_series(claims: Iterable[SeriesClaim]) -> Series:
    """The whole series from its claims: the definition the tables are kept equal to."""
    by_article: dict[int, list[SeriesClaim]] = {}
    for c in claims:
        by_article.setdefault(c.article_id, []).append(c)
    statements = [s for cs in by_article.values() for s in article_statements(cs)]
    statements.sort(key=lambda s: s.sort_key)
    set_points(statements, first_direct_reports(statements))
    walk(statements, None)
    points = [s for s in statements if s.point]
    return Series(statements, value_stories(statements),
                  points[-1].claim_id if points else None)
