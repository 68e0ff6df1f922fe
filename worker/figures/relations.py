"""Relations of the figures of one sentence to time and to one another.

The date a figure refers to (its own date, or the date of the statement reporting it), whether
it is recalled (an earlier statement restated: "up from 300", "said in January that ..."), an
increment ("another 45"), part of a stated total ("18,000, including 11,000 ..."), a
sub-population, or a figure to drop (a rate, another war's dead); and the scope cue nearest a
number (`scope_of`).  Dates come from worker/figures/timing.py, a dated statement of the
sentence before from worker/figures/statements.py.  Pure functions over one sentence; the
extractor (extract.py) passes in what it knows of the sentence before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from worker.figures.attribution import c_inherits
from worker.figures.claimants import ClaimantMatch
from worker.figures.lexicon import LanguageLexicon
from worker.figures.mentions import Span, Tokens
from worker.figures.model import Claim
from worker.figures.numbers import Mention
from worker.figures.statements import statement_date
from worker.figures.timing import DateSpan, before_publication, find_dates

_DIGIT_RE = re.compile(r"\d")
_QUOTE_RE = re.compile("[\"'«»“”‘’„]")
DATE_CUE_REACH = 40  # characters between a reporting verb and the date after it
STATEMENT_REACH = 90  # ... between a date opening a statement and its reporting verb
_SEMICOLON = re.compile(";")


@dataclass(slots=True)
class Rel:
    """What the relation pass decides for one claim of a sentence."""

    why: dict[str, str]
    scope: str | None
    refers_to: str | None = None
    recalled: bool = False
    partial: bool = False
    drop: bool = False
    total: Claim | None = None


def relations(
    lex: LanguageLexicon,
    published: dt.date | None,
    stext: str,
    out: list[Claim],
    used: list[Mention],
    cues: list[Span],
    prev_claims: list[Claim],
    previous: Callable[[], tuple[ClaimantMatch | None, str]] | None,
    part_links: dict[int, int],
) -> list[Claim]:
    """Date referred to, recall, increment, part of a total and sub-population for the
    claims of one sentence (see worker/figures/timing.py for the dates).

    ``prev_claims`` are the claims of the sentence just before (empty if it had none),
    ``previous`` gives that sentence's source and text when there is one (None for the
    first sentence); the links of parts to their totals are added to ``part_links``
    (start of a part -> start of its total)."""
    breaks = [m.start() for m in _SEMICOLON.finditer(stext)]
    breaks += [b.start() for b in lex.clause_break_re.finditer(stext)]
    breaks.sort()
    dates = find_dates(stext, lex.time, published)
    dates = [d for d in dates if not any(d.start < m.end and m.start < d.end for m in used)]

    def clause(pos: int) -> int:
        return bisect.bisect_right(breaks, pos)

    # a recall cue covers the first figure after it in its clause ("up from 300",
    # "avait annoncé ... deux"), else the last one before it ("600명으로 추산했던")
    recall_of: dict[int, re.Match[str]] = {}
    for rc in lex.recall_re.finditer(stext):
        cl = clause(rc.start())
        inside = [i for i, m in enumerate(used) if clause(m.start) == cl]
        # (a figure inside the cue: "hatte ... von 4.000 Toten gesprochen")
        after = [i for i in inside if used[i].start >= rc.start()]
        before = [i for i in inside if used[i].end <= rc.start()]
        if not after and _DIGIT_RE.search(stext, rc.end(), _clause_end(breaks, cl, stext)):
            before = []  # "... frente a los 500": the cue's figure follows, unclaimed
        target = after[0] if after else (before[-1] if before else None)
        if target is not None:
            recall_of.setdefault(target, rc)
    # "... but now puts the toll at about 2,000", "현재는 2000여명": a current figure
    current = {
        i
        for i, m in enumerate(used)
        if lex.now_re.search(stext, used[i - 1].end if i else 0, m.start) is not None
    }
    own = own_dates(stext, used, dates, clause)
    for i, m in enumerate(used):
        if own[i] is None and i not in current:
            # "The NIS said in January that about 300 died and another 2,700 were
            # injured": the date of a statement covers the figures it reports
            said = [
                d
                for d in dates
                if (d.end <= m.start or _right_before_verb(d, cues))
                and clause(d.start) == clause(m.start)
                and statement_date_of(lex, stext, d, m, cues, clause)
            ]
            own[i] = said[-1] if said else None
    rows: list[Rel] = []
    for i, (c, m) in enumerate(zip(out, used, strict=True)):
        # the claim's own `why` (a fresh dict made for it in this sentence) takes the notes,
        # so a claim none of whose fields change is kept as it is (see the end)
        row = Rel(why=c.why, scope=c.scope)
        cl = clause(m.start)
        date = own[i]
        if date is not None:
            row.refers_to = date.iso
            row.why["refers_to"] = f"date {date.cue!r}"
            if (
                date.bound is None
                and i not in current
                and before_publication(date.iso, published)
                and not any(0 <= date.start - d.end <= 8 for d in dates)
                and statement_date_of(lex, stext, date, m, cues, clause)
            ):
                # (the end of a period, "between January and March", is no statement)
                # "The NIS said in January that ...": a statement dated well before
                # publication is restated, not new
                row.recalled = True
                row.why["recalled"] = f"said on {date.iso}, before publication"
        lo = breaks[cl - 1] if cl > 0 else 0
        hi = breaks[cl] if cl < len(breaks) else len(stext)
        cue = recall_of.get(i)
        if cue is not None and i not in current:
            row.recalled = True
            row.why["recalled"] = f"cue {cue.group()!r}"
        inc = lex.increment_before_re.search(stext, max(0, m.start - 40), m.start)
        if inc is None:
            inc = lex.increment_after_re.match(stext, m.end)
        if inc is not None and i > 0 and out[i - 1].metric != c.metric:
            inc = None  # "600 have died and another 4,100 have been injured": a new group
        if inc is not None and c.scope != "incident":
            row.scope = "increment"
            row.why["scope"] = f"increment cue {inc.group().strip()!r}"
        if lex.earlier_conflict_re.search(stext, lo, hi) or lex.rate_after_re.match(
            stext, m.end
        ):
            row.drop = True  # the Korean War's dead; "80 men a day" is a rate
        sub = lex.subset_after_re.search(stext, m.end, min(hi, m.end + 80))
        if sub is not None:
            row.drop = row.drop or c.metric == "deployed"  # troops brought home
            row.partial = True
            row.why["partial"] = f"sub-population {sub.group()!r}"
        row.why["number"] = stext[m.start : m.end]
        rows.append(row)
    for i in range(1, len(rows)):
        # "había informado en abril de unos 600 muertos y 4.100 heridos": coordinated
        # figures share the date and the recall of the first
        row, prev = rows[i], rows[i - 1]
        if (
            row.refers_to is None
            and not row.recalled
            and i not in current
            and (prev.recalled or prev.refers_to is not None)
            and clause(used[i].start) == clause(used[i - 1].start)
            and used[i].start - used[i - 1].end <= 40
            and lex.coordinator_re.search(stext, used[i - 1].end, used[i].start)
        ):
            row.refers_to, row.recalled = prev.refers_to, prev.recalled
            for key in ("refers_to", "recalled"):
                if key in prev.why:
                    row.why[key] = f"coordinated with {stext[used[i-1].start:used[i-1].end]!r}"
    carried_statement(lex, published, previous, out, rows, current)
    parts(lex, stext, out, used, rows, prev_claims, clause, part_links)
    # two figures of one series in one sentence: the one dated earlier is recalled
    for i, c in enumerate(out):
        ref = rows[i].refers_to
        if rows[i].recalled or rows[i].partial or ref is None or i in current:
            continue
        for j, o in enumerate(out):
            if j == i or o.metric != c.metric or o.value == c.value or rows[j].partial:
                continue
            other = rows[j].refers_to
            if clause(used[j].start) != clause(used[i].start) and (
                other is None or other > ref
            ):
                rows[i].recalled = True
                rows[i].why["recalled"] = f"dated {ref}, before the other {c.metric} figure"
                break
    return [
        c
        if (c.refers_to, c.recalled, c.scope, c.partial) == (r.refers_to, r.recalled, r.scope,
                                                           r.partial)
        else replace(
            c,
            refers_to=r.refers_to,
            recalled=r.recalled,
            scope=r.scope,
            partial=r.partial,
        )
        for c, r in zip(out, rows, strict=True)
        if not r.drop
    ]


def own_dates(
    stext: str, used: list[Mention], dates: list[DateSpan], clause: Callable[[int], int]
) -> list[DateSpan | None]:
    """The date each number refers to.  A date belongs to the number it follows ("11,000
    sent in late 2024"), else to the one it precedes, without crossing another number; a
    date next to no number (the sentence's "In December, ...") goes to the nearest number
    of its clause."""
    own: list[DateSpan | None] = []
    for i, m in enumerate(used):
        nxt = used[i + 1].start if i + 1 < len(used) else len(stext)
        prv = used[i - 1].end if i > 0 else 0
        after = [d for d in dates if m.end <= d.start and d.end <= nxt]
        before = [d for d in dates if prv <= d.start and d.end <= m.start]
        if after and clause(after[0].start) == clause(m.start):
            # "entre janvier et mars": a period ends with its last date
            pick = 0
            while pick + 1 < len(after) and after[pick + 1].start - after[pick].end <= 8:
                pick += 1
            own.append(after[pick])
        elif before and clause(before[-1].start) == clause(m.start):
            own.append(before[-1])
        else:
            own.append(None)
    taken = {id(d) for d in own if d is not None}
    loose = [d for d in dates if id(d) not in taken]
    for i, m in enumerate(used):
        if own[i] is None:
            same = [d for d in loose if clause(d.start) == clause(m.start)]
            own[i] = min(same, key=lambda d: abs(d.start - m.start)) if same else None
    return own


def carried_statement(
    lex: LanguageLexicon,
    published: dt.date | None,
    previous: Callable[[], tuple[ClaimantMatch | None, str]] | None,
    out: list[Claim],
    rows: list[Rel],
    current: set[int],
) -> None:
    """Figures of a sentence that goes on with the source of a dated earlier statement
    in the sentence before ("Он заявил, что ...", "Selon Lee Sung-kwon, un millier ...")
    restate that statement (worker/figures/statements.py)."""
    if previous is None or published is None:
        return
    todo = [
        i
        for i, c in enumerate(out)
        if rows[i].refers_to is None and not rows[i].recalled and i not in current
    ]
    if not todo:
        return
    prev, ptext = previous()
    todo = [
        i
        for i in todo
        if c_inherits(out[i]) or (prev is not None and out[i].claimant == prev.claimant)
    ]
    if not todo:
        return
    date = statement_date(ptext, lex, published)
    if date is None:
        return
    for i in todo:
        rows[i].refers_to = date.iso
        rows[i].recalled = True
        rows[i].why["refers_to"] = f"date {date.cue!r} of the statement before"
        rows[i].why["recalled"] = f"goes on with a statement of {date.iso}"


def statement_date_of(
    lex: LanguageLexicon,
    stext: str,
    date: DateSpan,
    m: Mention,
    cues: list[Span],
    clause: Callable[[int], int],
) -> bool:
    """The date is when a statement was made: a reporting verb stands right after it, or
    before the figure in its clause ("In December, the lawmaker said that ..."), or right
    before it ("said in January")."""
    for c in cues:
        if c.label not in ("attribution", "source") or clause(c.start) != clause(date.start):
            continue
        if 0 <= c.start - date.end <= STATEMENT_REACH and (
            c.start < m.start
            or (
                lex.verb_final
                and date.end <= m.start
                and _QUOTE_RE.search(stext, date.end, c.start) is None
            )
        ):
            return True  # (Korean: "지난달 27일 ... 발생했다고 밝혔다", not a quoted date)
        if 0 <= date.start - c.end <= DATE_CUE_REACH:
            return True
    return _right_before_verb(date, cues)


def parts(
    lex: LanguageLexicon,
    stext: str,
    out: list[Claim],
    used: list[Mention],
    rows: list[Rel],
    prev_claims: list[Claim],
    clause: Callable[[int], int],
    part_links: dict[int, int],
) -> None:
    """Parts of a stated total: "18,000, including 11,000 ... and 3,000 ...", "dont",
    "davon", "из них", "그중", "1만1천 명을 포함한 1만8천 명"."""
    for i, (c, m) in enumerate(zip(out, used, strict=True)):
        total: Claim | None = None
        cue = lex.part_before_re.search(stext, max(0, m.start - 40), m.start)
        if cue is not None:
            before = [t for t in out[:i] if t.value > c.value] or [
                t for t in prev_claims if t.value > c.value
            ]
            pool = [t for t in before if t.metric == c.metric] or before
            total = pool[-1] if pool else None
        else:
            cue = lex.part_after_re.match(stext, m.end)
            if cue is not None:
                after = [t for t in out[i + 1 :] if t.value > c.value]
                total = after[0] if after else None
            elif i > 0 and rows[i - 1].total is not None:
                prev_total = rows[i - 1].total
                if (
                    prev_total is not None
                    and prev_total.metric == c.metric
                    and c.value < prev_total.value
                    and clause(used[i - 1].start) == clause(m.start)
                ):
                    total = prev_total
        if total is None:
            continue
        rows[i].total = total
        how = repr(cue.group().strip()) if cue else "listed with the previous part"
        rows[i].why["part_of"] = f"part of {total.value} ({how})"
        part_links[c.start] = total.start
        if total.metric == c.metric:
            rows[i].partial = True


def scope_of(
    lex: LanguageLexicon,
    scopes: list[Span],
    m: Mention,
    mtok: tuple[int, int],
    toks: Tokens,
    stext: str,
) -> str | None:
    """Label of the scope cue nearest to the number (token gap, commas count).  A cue does
    not reach across a contrastive clause break: "In total, 1,100 were killed, while the
    number of missing stands at 1,000" scopes the first figure only."""
    best: tuple[int, str] | None = None
    barrier = lex.scope_barrier_re
    for sp in scopes:
        lo, hi = (sp.end, m.start) if sp.end <= m.start else (m.end, sp.start)
        if lo < hi and (";" in stext[lo:hi] or barrier.search(stext, lo, hi)):
            continue
        if sp.first > mtok[1]:
            d = toks.gap(mtok[1], sp.first)
        elif sp.last < mtok[0]:
            d = toks.gap(sp.last, mtok[0])
        else:
            d = 0
        if best is None or d < best[0]:
            best = (d, sp.label)
    return best[1] if best else None


def _right_before_verb(date: DateSpan, cues: list[Span]) -> bool:
    """The date stands right before a reporting verb ("... 이른다고 지난 27일 밝혔다")."""
    return any(
        c.label in ("attribution", "source") and 0 <= c.start - date.end <= 3 for c in cues
    )


def _clause_end(breaks: list[int], cl: int, stext: str) -> int:
    """End offset of clause number ``cl`` (``breaks`` are the clause-break offsets)."""
    return breaks[cl] if cl < len(breaks) else len(stext)
