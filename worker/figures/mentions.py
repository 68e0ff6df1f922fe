"""Number mentions in a sentence and what they attach to: token distances, the noun phrase
after a number, range merging, the nearest metric trigger, qualifier and modality cues.

Language-agnostic: everything language-specific comes from the lexicon.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from worker.figures.lexicon import LanguageLexicon, match_label
from worker.figures.numbers import Mention, find_mentions, with_range

AFTER_WINDOW = 12  # default max weighted token distance from a number to a following trigger
BEFORE_WINDOW = 12  # ... to a preceding trigger (both can be set per language: [windows])
COMMA_COST = 1
CROSS_COST = 4  # crossing another number
WEAK_COST = 8  # weak triggers ("in Russia" for deployed) only win when nothing else is near
PARENTHETICAL_COST = 6  # a trigger inside ", including the wounded," describes something else
CUE_WINDOW = 10  # possible/negated cues must be this close to the number or its trigger
_SYMBOLS_BEFORE = "$€£₩#№"
_INF = 10**6


@dataclass(slots=True)
class Tokens:
    starts: list[int]
    ends: list[int]
    texts: list[str]
    words: list[int]  # prefix count of word tokens
    commas: list[int]
    barriers: list[int]

    def at(self, pos: int) -> int:
        return max(0, bisect.bisect_right(self.starts, pos) - 1)

    def gap(self, i: int, j: int) -> int:
        """Weighted distance between token i and a later token j (tokens strictly between)."""
        if j <= i:
            return 0
        lo = i + 1
        if self.barriers[j] - self.barriers[lo] > 0:
            return _INF
        return (self.words[j] - self.words[lo]) + COMMA_COST * (self.commas[j] - self.commas[lo])


def tokenize(text: str, lex: LanguageLexicon) -> Tokens:
    spans = [m.span() for m in lex.token_re.finditer(text)]
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    texts = [text[a:b] for a, b in spans]
    words = [0, *accumulate(1 if t[0].isalnum() or t[0] == "_" else 0 for t in texts)]
    commas = [0, *accumulate(1 if t in ",()" else 0 for t in texts)]
    barriers = [0, *accumulate(1 if t == ";" else 0 for t in texts)]
    return Tokens(starts, ends, texts, words, commas, barriers)


@dataclass(slots=True)
class Span:
    start: int
    end: int
    label: str
    first: int = 0  # first token
    last: int = 0  # last token


def spans(matches: Iterator[re.Match[str]], labels: list[str], toks: Tokens) -> list[Span]:
    """Labelled spans of the matches of a regex built with named groups ``g<i>``."""
    at = toks.at
    return [
        Span(m.start(), m.end(), labels[int(str(m.lastgroup)[1:])], at(m.start()), at(m.end() - 1))
        for m in matches
    ]


def _noun_phrase(stext: str, m: Mention, toks: Tokens, lex: LanguageLexicon) -> str:
    """Classify what follows a number.

    'people' (soldiers, troops...), 'civilian' (people, children...: never deployed),
    'trigger' (a metric word: "600 killed", "4700 pertes"), 'bare' (function word or
    punctuation) or 'reject' (any other noun: units, money, equipment, dates...)."""
    pos = m.end
    n = len(stext)
    if lex.self_anchoring:
        # the noun before the number: "북한 노동자 1만 2천 명" counts workers
        for cm in lex.civilian_re.finditer(stext, max(0, m.start - 12), m.start):
            if not stext[cm.end() : m.start].strip():
                return "civilian"
    if pos < n and stext[pos] in "-:" and pos + 1 < n and stext[pos + 1].isalnum():
        return "reject"  # 26-year-old, 600-strong, 47-я, 0:3, 04:30
    if lex.ordinal_after_re.match(stext, pos) or lex.reject_after_re.match(stext, pos):
        return "reject"
    if pos < n and (stext[pos].isalnum()):
        if lex.people_attached_re.match(stext, pos):
            return "people"
        if lex.reject_after_re.match(stext, pos) or not lex.attached_ok_re.match(stext, pos):
            return "reject"
        return "bare"  # an attached particle ends the noun phrase
    j = bisect.bisect_left(toks.starts, pos)
    unknown = 0
    steps = 0
    ntok = len(toks.texts)
    while j < ntok and steps < 6:
        t = toks.texts[j]
        s = toks.starts[j]
        if not (t[0].isalpha() or t[0] == "_"):
            if t in "%‰":
                return "reject"
            if t in "'’ʼ":
                j += 1
                continue
            break  # punctuation or another number
        if lex.reject_after_re.match(stext, s):
            return "reject"
        if lex.civilian_re.match(stext, s):
            return "civilian"
        if lex.people_re.match(stext, s):
            return "people"
        if lex.trigger_re.match(stext, s):
            return "reject" if unknown else "trigger"
        sm = lex.subject_re.match(stext, s)
        if sm:
            j = toks.at(sm.end() - 1) + 1
            steps += 1
            continue
        low = t.lower()
        if low in lex.np_links:
            j += 1
            steps += 1
            continue
        if low in lex.function_words:
            break
        unknown += 1
        if unknown > 2:
            return "reject"
        j += 1
        steps += 1
    return "reject" if unknown else "bare"


def valid_mentions(
    stext: str, toks: Tokens, lex: LanguageLexicon, published: dt.date | None
) -> list[tuple[Mention, str]]:
    raw = find_mentions(stext, lex.numbers)
    merged: list[Mention] = []
    i = 0
    while i < len(raw):
        m = raw[i]
        if i + 1 < len(raw):
            nxt = raw[i + 1]
            between = stext[m.end : nxt.start]
            joined = lex.range_join_re.fullmatch(between) is not None
            if not joined and lex.range_weak_join_re.fullmatch(between):
                prefix = lex.range_prefix_re.search(stext, max(0, m.start - 24), m.start)
                joined = prefix is not None
            if joined:
                rng = with_range(m, nxt)
                if rng is not None:
                    merged.append(rng)
                    i += 2
                    continue
        merged.append(m)
        i += 1
    years = (published.year - 60, published.year + 5) if published else (1900, 2100)
    nps = [_noun_phrase(stext, m, toks, lex) for m in merged]
    out: list[tuple[Mention, str]] = []
    for i, m in enumerate(merged):
        before = stext[max(0, m.start - 2) : m.start].strip()
        if before and before[-1] in _SYMBOLS_BEFORE:
            continue
        if lex.reject_before_re.search(stext, max(0, m.start - 30), m.start):
            continue
        np = nps[i]
        if np == "reject":
            continue
        if (
            np == "bare"
            and i + 1 < len(merged)
            and nps[i + 1] == "reject"
            and lex.range_weak_join_re.fullmatch(stext, m.end, merged[i + 1].start)
        ):
            continue  # "20 und 26 Jahre alt": the unit is shared
        yearish = m.year_like or (
            m.kind == "digit"
            and m.low is None
            and m.mult == 1
            and years[0] <= m.value <= years[1]
            and stext[m.start : m.end].isdigit()
        )
        if (
            yearish
            and np not in ("people", "civilian")
            and not lex.qual_before_re.search(stext, max(0, m.start - 40), m.start)
        ):
            continue  # "in 2024", "1992 killed socialism"; "environ 2000 blessés" is kept
        out.append((m, np))
    return out


def _pick_trigger(
    idx: int,
    mentions: list[tuple[Mention, str]],
    mtoks: list[tuple[int, int]],
    triggers: list[Span],
    toks: Tokens,
    excluded: set[int],
    windows: tuple[int, int] = (AFTER_WINDOW, BEFORE_WINDOW),
    walls: tuple[int, ...] = (),
    index: TriggerIndex | None = None,
    asides: list[tuple[int, int] | None] | None = None,
    starts: list[int] | None = None,
) -> tuple[int, int] | None:
    """Nearest trigger for mention ``idx`` as (weighted distance, trigger index).

    ``windows`` bounds the distance to a following / preceding trigger; verb-final languages
    (German subordinate clauses) reach further after the number. The winner is the least
    (distance, side, index): a following trigger (side 0) beats a preceding one at the same
    distance, and the earlier of two on one side. ``index`` (optional) lets the search walk
    outwards from the number and stop where the words in between alone cost more than the
    best found (every other cost only adds), so a sentence packed with triggers costs the
    few near each number, not all of them."""
    first, last = mtoks[idx]
    m = mentions[idx][0]
    if starts is None:
        starts = [a for a, _ in mtoks]
    if asides is None:
        asides = [_aside(tr, toks) for tr in triggers]
    runs: tuple[range, ...]
    if index is None:
        runs, prune = (range(len(triggers)),), False
    else:
        lo, hi = index.reach(first, last, windows)
        mid = max(lo, min(hi, bisect.bisect_left(index.starts, m.end)))
        # the following triggers nearest first, then the preceding ones nearest first
        runs, prune = (range(mid, hi), range(mid - 1, lo - 1, -1)), True
    best: tuple[int, int, int] | None = None
    for run in runs:
        for ti in run:
            tr = triggers[ti]
            if tr.start >= m.end:
                base = 0 if tr.first <= last else toks.gap(last, tr.first)
                if prune and best is not None and base > best[0]:
                    break  # the farther ones on this side cost more still
                if ti in excluded:
                    continue
                crossed = bisect.bisect_left(starts, tr.first) - (idx + 1)
                d = base + CROSS_COST * max(0, crossed)
                if d > windows[0]:
                    continue
                side = 0
            elif tr.end > m.start:
                continue  # the trigger overlaps the number
            else:
                base = 0 if tr.last >= first else toks.gap(tr.last, first)
                if prune and best is not None and base > best[0]:
                    break
                if ti in excluded:
                    continue
                crossed = idx - bisect.bisect_right(starts, tr.last)
                d = base + CROSS_COST * max(0, crossed)
                if any(tr.end <= w < m.start for w in walls):
                    continue  # "16,000 were sent, including 10,000": the verb is the total's
                if d > windows[1]:
                    continue
                side = 1
            if tr.label.endswith(":weak"):
                a, b = (last, tr.first) if side == 0 else (tr.last, first)
                if toks.commas[b] - toks.commas[a + 1] > 0:
                    continue  # a weak cue does not reach across a clause (", who fought in Kursk")
                d += WEAK_COST
            aside = asides[ti]
            if aside is not None and not (aside[0] < first and last < aside[1]):
                d += PARENTHETICAL_COST  # the trigger sits in an aside without the number
            if best is None or (d, side, ti) < best:
                best = (d, side, ti)
    return (best[0], best[2]) if best else None


@dataclass(slots=True)
class TriggerIndex:
    """The triggers of a sentence by token position, so a number only looks at those within
    its windows (the distance counts at least the words between; every other cost adds)."""

    toks: Tokens
    firsts: list[int]
    lasts: list[int]
    starts: list[int]

    @classmethod
    def build(cls, triggers: list[Span], toks: Tokens) -> TriggerIndex | None:
        firsts = [t.first for t in triggers]
        lasts = [t.last for t in triggers]
        starts = [t.start for t in triggers]
        if firsts != sorted(firsts) or lasts != sorted(lasts) or starts != sorted(starts):
            return None  # not in text order: no shortcut
        return cls(toks, firsts, lasts, starts)

    def reach(self, first: int, last: int, windows: tuple[int, int]) -> tuple[int, int]:
        """Range of trigger indexes that may lie within ``windows`` of tokens first..last: a
        later trigger whose first token has more than windows[0] words between it and the
        number, or an earlier one with more than windows[1], is out of reach."""
        words = self.toks.words
        far = bisect.bisect_right(words, words[last + 1] + windows[0]) - 1
        near = bisect.bisect_left(words, words[first] - windows[1]) - 1
        lo = bisect.bisect_left(self.lasts, min(first, near))
        hi = bisect.bisect_right(self.firsts, max(last, far))
        return lo, max(lo, hi)


def _aside(tr: Span, toks: Tokens) -> tuple[int, int] | None:
    """The tokens opening and closing the short comma-delimited aside the trigger sits in
    (", including the wounded,"), or None; a number outside it does not take the trigger
    at its plain distance."""
    texts = toks.texts
    before = next(
        (j for j in range(tr.first - 1, max(-1, tr.first - 5), -1) if texts[j] in ",("), None
    )
    if before is None:
        return None
    after = next(
        (j for j in range(tr.last + 1, min(len(texts), tr.last + 4)) if texts[j] in ",)"), None
    )
    return None if after is None else (before, after)


_LIST_MARKS = frozenset(":")  # a breakdown follows; its parts share the total's word


def assign_triggers(
    mentions: list[tuple[Mention, str]],
    mtoks: list[tuple[int, int]],
    triggers: list[Span],
    toks: Tokens,
    windows: tuple[int, int] = (AFTER_WINDOW, BEFORE_WINDOW),
    walls: tuple[int, ...] = (),
) -> list[Span | None]:
    """Each number takes its nearest trigger; a trigger lying between two numbers that both
    chose it stays with the one that leaves both numbers a trigger (then the shorter total
    distance), and the other picks again."""
    excluded: list[set[int]] = [set() for _ in mentions]
    index = TriggerIndex.build(triggers, toks)
    asides = [_aside(tr, toks) for tr in triggers]
    starts = [a for a, _ in mtoks]

    def pick(i: int, ex: set[int]) -> tuple[int, int] | None:
        return _pick_trigger(
            i, mentions, mtoks, triggers, toks, ex, windows, walls, index, asides, starts
        )

    picks = [pick(i, excluded[i]) for i in range(len(mentions))]
    for _ in range(4):
        changed = False
        for i in range(len(mentions) - 1):
            a, b = picks[i], picks[i + 1]
            if a is None or b is None or a[1] != b[1]:
                continue
            tr = triggers[a[1]]
            if not (mentions[i][0].end <= tr.start and tr.end <= mentions[i + 1][0].start):
                continue
            if any(toks.texts[t] in _LIST_MARKS for t in range(tr.last + 1, mtoks[i + 1][0])):
                continue  # "15.000 Soldaten ... entsandt: 11.000 im Herbst und 4.000 ...": shared
            ex_i, ex_j = excluded[i] | {a[1]}, excluded[i + 1] | {a[1]}
            alt_i, alt_j = pick(i, ex_i), pick(i + 1, ex_j)
            # keep the assignment that leaves both numbers a trigger, then the shorter total
            cost_keep_i = (alt_j is None, a[0] + (alt_j[0] if alt_j else 0))
            cost_keep_j = (alt_i is None, b[0] + (alt_i[0] if alt_i else 0))
            loser = i + 1 if cost_keep_i <= cost_keep_j else i
            excluded[loser].add(a[1])
            picks[loser] = alt_j if loser == i + 1 else alt_i
            changed = True
        if not changed:
            break
    return [triggers[p[1]] if p else None for p in picks]


def qualifier_of(stext: str, m: Mention, lex: LanguageLexicon) -> str:
    if (
        m.qualifier == "vague"
        and lex.numbers.vague_takes_qualifier
        and " " not in stext[m.start : m.end].strip()
    ):
        qb = lex.qual_before_re.search(stext, max(0, m.start - 40), m.start)
        return match_label(qb, lex.qual_before_labels) if qb else "vague"
    if m.qualifier in ("range", "vague"):
        return m.qualifier
    qb = lex.qual_before_re.search(stext, max(0, m.start - 40), m.start)
    if qb:
        return match_label(qb, lex.qual_before_labels)
    qa = lex.qual_after_re.match(stext, m.end)
    if qa:
        return match_label(qa, lex.qual_after_labels)
    return m.qualifier or "exact"


def bounds(value: int, qualifier: str, m: Mention) -> tuple[int, int | None, int | None]:
    if qualifier == "range":
        return value, m.low, m.high
    if qualifier in ("at_least", "more_than", "vague"):
        return value, value, None
    if qualifier in ("at_most", "less_than"):
        return value, None, value
    return value, value, value


def _in_aside(cue: Span, spots: list[tuple[int, int]], toks: Tokens) -> bool:
    """True when the cue sits in a comma-enclosed aside (", das seine Beteiligung lange
    bestritten hatte,") that contains neither the number nor its trigger."""
    commas = toks.commas
    before = commas[cue.first]  # commas strictly before the cue
    after = commas[cue.last + 1]  # commas up to and including the cue
    if before == 0 or commas[-1] == after:
        return False  # the cue's segment opens or closes the sentence
    return all(commas[a] != before or commas[b + 1] != after for a, b in spots)


def modality_near(
    cues: list[Span], mtok: tuple[int, int], tr: Span | None, toks: Tokens
) -> str | None:
    """'negated' or 'possible' when such a cue is close to the number or to its trigger.

    Clause-aware: a trigger in another comma segment than the number does not bring cues
    near it ("Moscow denied that any were killed, while Kyiv said the toll exceeded 4,000");
    a cue in a comma-enclosed aside or two clauses after the number does not apply ("..., NATO
    said, adding that Pyongyang could send more")."""
    commas = toks.commas
    spots = [mtok]
    if tr is not None:
        lo, hi = (mtok[1], tr.first) if tr.first > mtok[1] else (tr.last, mtok[0])
        if hi <= lo or commas[hi] == commas[lo + 1]:
            spots.append((tr.first, tr.last))
    end = max(b for _, b in spots)
    found: set[str] = set()
    for cue in cues:
        if cue.label not in ("negated", "possible"):
            continue
        if cue.first > end and commas[cue.first] - commas[end + 1] >= 2:
            continue  # two clauses after the figure
        if _in_aside(cue, spots, toks):
            continue
        for a, b in spots:
            if cue.first > b:
                d = toks.gap(b, cue.first)
            elif cue.last < a:
                d = toks.gap(cue.last, a)
            else:
                d = 0
            if d <= CUE_WINDOW:
                found.add(cue.label)
    if "negated" in found:
        return "negated"
    return "possible" if "possible" in found else None
