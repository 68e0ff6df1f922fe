"""When a figure holds and how it stands to the others: the date or period it refers to, whether
it is recalled from an earlier statement, an increment, or a part of a stated total.

Everything language-specific comes from the ``[time]`` and ``[relations]`` sections of the
language lexicon; this module only resolves what they match against the publication date.
Dates keep their precision in the length of the ISO string: "2025-01-13" (day), "2025-01"
(month), "2025" (year).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worker.figures.scan import longest_first

_FLAGS = re.IGNORECASE | re.UNICODE


@dataclass(frozen=True, slots=True)
class DateSpan:
    start: int
    end: int
    iso: str
    cue: str  # the text that gave it
    bound: str | None = None  # "since" (a period starting then) | "current" ("as of") | None


@dataclass(frozen=True, slots=True)
class TimeSyntax:
    """Compiled date expressions of one language."""

    months: tuple[re.Pattern[str], ...]  # January .. December (fullmatch on a month word)
    weekdays: tuple[re.Pattern[str], ...]  # Monday .. Sunday
    date_re: re.Pattern[str] | None  # day/month/year forms with groups d, m, y, w, rel
    relative: Mapping[str, str]  # relative expression (lower-case) -> kind
    since_re: re.Pattern[str] | None = None  # words before/after a date starting a period
    current_re: re.Pattern[str] | None = None  # ... or bounding a running total ("as of")


def _alternation(patterns: Sequence[str]) -> str:
    items = sorted({p for p in patterns if p}, key=longest_first)
    return "(?:" + "|".join(items) + ")" if items else "(?!)"


def build_time(data: Mapping[str, Any]) -> TimeSyntax:
    """Compile the ``[time]`` section: ``months`` (12 fragments), ``weekdays`` (7),
    ``relative`` ([pattern, kind] pairs: today, yesterday, weekend, last_week, this_month,
    last_month, this_year, last_year), ``year_before`` (words before a bare year: "in",
    "since"), ``day_suffix`` ("st|nd|rd|th", "일"), ``month_numeric`` (a fragment with a
    group ``mn``, "(?P<mn>\\d{1,2})월") and ``day_numeric`` (a group ``dn`` alone:
    "지난 (?P<dn>\\d{1,2})일")."""
    months = [str(m) for m in data.get("months", [])]
    weekdays = [str(w) for w in data.get("weekdays", [])]
    rel_pairs = [(str(p), str(k)) for p, k in data.get("relative", [])]
    forms: list[str] = []
    day_suffix = str(data.get("day_suffix", ""))
    d = rf"(?P<d>\d{{1,2}})(?:{day_suffix})?" if day_suffix else r"(?P<d>\d{1,2})"
    y = r"(?P<y>(?:19|20)\d{2})(?!\d)"
    link = str(data.get("month_year_link", r",?\s+"))
    if months:
        month = _alternation(months)
        dm_link = str(data.get("day_month_link", r"\.?\s+"))
        forms.append(rf"{d}{dm_link}(?P<m>{month})(?!\w)\.?(?:{link}{y})?")
        forms.append(
            rf"(?P<m2>{month})(?!\w)\.?\s+(?P<d2>\d{{1,2}})(?:{day_suffix})?(?!\d)"
            rf"(?:,?\s+(?P<y2>(?:19|20)\d{{2}})(?!\d))?"
        )
        forms.append(rf"(?P<m3>{month})(?!\w)\.?(?:{link}(?P<y3>(?:19|20)\d{{2}})(?!\d))?")
    numeric = str(data.get("month_numeric", ""))
    if numeric:
        forms.append(rf"(?:(?P<y4>(?:19|20)\d{{2}})년\s*)?{numeric}")
    day_numeric = str(data.get("day_numeric", ""))
    if day_numeric:
        forms.append(day_numeric)
    if weekdays:
        forms.append(rf"(?P<w>{_alternation(weekdays)})")
    if rel_pairs:
        forms.append(rf"(?P<rel>{_alternation([p for p, _ in rel_pairs])})")
    year_before = [str(p) for p in data.get("year_before", [])]
    if data.get("year_form"):
        forms.append(str(data["year_form"]))
    elif year_before:
        forms.append(rf"(?<!\w){_alternation(year_before)}\s+(?P<y5>(?:19|20)\d{{2}})(?!\d)")
    date_re = (
        re.compile(r"(?<!\w)(?:" + "|".join(f"(?:{f})" for f in forms) + ")", _FLAGS)
        if forms
        else None
    )
    bounds: dict[str, re.Pattern[str] | None] = {}
    for key in ("since", "current"):
        words = [str(w) for w in data.get(key, [])]
        bounds[key] = (
            re.compile(r"(?<!\w)" + _alternation(words) + r"(?!\w)", _FLAGS) if words else None
        )
    return TimeSyntax(
        since_re=bounds["since"],
        current_re=bounds["current"],
        months=tuple(re.compile(m, _FLAGS) for m in months),
        weekdays=tuple(re.compile(w, _FLAGS) for w in weekdays),
        date_re=date_re,
        relative={p: k for p, k in rel_pairs},
    )


def _which(patterns: Sequence[re.Pattern[str]], word: str) -> int | None:
    for i, p in enumerate(patterns):
        if p.fullmatch(word):
            return i
    return None


def _month_year(month: int, published: dt.date) -> int:
    """The year of a month named without one: the latest such month not after publication
    (a report of 5 January speaking of "December" means the December before)."""
    return published.year if month <= published.month else published.year - 1


def _day_iso(year: int, month: int, day: int) -> str | None:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _relative(kind: str, published: dt.date) -> str | None:
    if kind == "today":
        return published.isoformat()
    if kind == "yesterday":
        return (published - dt.timedelta(days=1)).isoformat()
    if kind == "weekend":
        # the Saturday of the latest weekend up to the publication day
        back = (published.weekday() - 5) % 7
        return (published - dt.timedelta(days=back)).isoformat()
    if kind == "last_week":
        return (published - dt.timedelta(days=7)).isoformat()
    if kind == "this_month":
        return f"{published.year:04d}-{published.month:02d}"
    if kind == "last_month":
        first = published.replace(day=1) - dt.timedelta(days=1)
        return f"{first.year:04d}-{first.month:02d}"
    if kind == "this_year":
        return f"{published.year:04d}"
    if kind == "last_year":
        return f"{published.year - 1:04d}"
    return None


def _resolve(m: re.Match[str], syn: TimeSyntax, published: dt.date | None) -> str | None:
    g = m.groupdict()
    year_txt = g.get("y") or g.get("y2") or g.get("y3") or g.get("y4") or g.get("y5")
    year = int(year_txt) if year_txt else None
    if g.get("y5"):
        return f"{year:04d}"
    month_word = g.get("m") or g.get("m2") or g.get("m3")
    month: int | None = None
    if month_word:
        idx = _which(syn.months, month_word)
        month = idx + 1 if idx is not None else None
    elif g.get("mn"):
        month = int(g["mn"])
        if not 1 <= month <= 12:
            return None
    day_txt = g.get("d") or g.get("d2") or g.get("dn")
    if g.get("mn") and not day_txt:
        day_txt = g.get("dd")
    if month is not None:
        if year is None:
            if published is None:
                return None
            year = _month_year(month, published)
        if day_txt:
            return _day_iso(year, month, int(day_txt))
        return f"{year:04d}-{month:02d}"
    if published is None:
        return None
    if g.get("dn"):
        day = int(g["dn"])
        y, mo = published.year, published.month
        if day > published.day:
            y, mo = (y, mo - 1) if mo > 1 else (y - 1, 12)
        return _day_iso(y, mo, day)
    if g.get("w"):
        idx = _which(syn.weekdays, g["w"])
        if idx is None:
            return None
        back = (published.weekday() - idx) % 7
        return (published - dt.timedelta(days=back)).isoformat()
    if g.get("rel"):
        text = g["rel"].lower()
        kind = syn.relative.get(text)
        if kind is None:
            kind = next(
                (k for p, k in syn.relative.items() if re.fullmatch(p, text, _FLAGS)), None
            )
        return _relative(kind, published) if kind else None
    return None


def find_dates(text: str, syn: TimeSyntax, published: dt.date | None) -> list[DateSpan]:
    """Every resolvable date expression of ``text``."""
    if syn.date_re is None:
        return []
    out: list[DateSpan] = []
    for m in syn.date_re.finditer(text):
        iso = _resolve(m, syn, published)
        if iso is not None:
            out.append(DateSpan(m.start(), m.end(), iso, m.group(), _bound(text, m, syn)))
    return out


def _bound(text: str, m: re.Match[str], syn: TimeSyntax) -> str | None:
    """"since" or "current" when such a word stands just before the date (or just after it:
    Korean "10월 이후", "현재 기준"), else None."""
    before = text[max(0, m.start() - 24) : m.start()]
    after = text[m.end() : m.end() + 8]
    for name, rx in (("since", syn.since_re), ("current", syn.current_re)):
        if rx is None:
            continue
        hits = list(rx.finditer(before))
        hit = hits[-1] if hits else None
        if hit is not None and not before[hit.end() :].strip(" \u00a0-").count(" ") > 1:
            return name
        if m.group().startswith(("since", "depuis", "seit", "desde")):
            return "since"
        ahead = rx.match(after.lstrip())
        if ahead is not None:
            return name
    return None


def before_publication(iso: str, published: dt.date | None) -> bool:
    """Whether a date or period ends clearly before the publication date: a day three or more
    days before it ("told reporters on Dec. 19" in an article of Dec. 23), an earlier month,
    an earlier year."""
    if published is None:
        return False
    if len(iso) == 10:
        return (published - dt.date.fromisoformat(iso)).days >= 3
    if len(iso) == 7:
        return iso < published.isoformat()[:7]
    return iso < f"{published.year:04d}"
