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
        i = bisect.bisect_right(self.starts, pos) - 1
        return i if i > 0 else 0

    def gap(self, i: int, j: int) -> int:
        """Weighted distance between token i and a later token j (tokens strictly between)."""
        if j <= i:
            return 0
        lo = i + 1
        if self.barriers[j] - self.barriers[lo] > 0:
            return _INF
        return (self.words[j] - self.words[lo]) + COMMA_COST * (self.commas[j] - self.commas[lo])


def tokenize(text: str, lex: LanguageLexicon) -> Tokens:
    found = list(lex.token_re.finditer(text))
    starts = [m.start() for m in found]
    ends = [m.end() for m in found]
    texts = [m.group() for m in found]
    # prefix counts (lists of booleans summed from 0: faster than generators of 1s and 0s)
    words = list(accumulate([t[0].isalnum() or t[0] == "_" for t in texts], initial=0))
    commas = list(accumulate([t in ",()" for t in texts], initial=0))
    barriers = list(accumulate([t == ";" for t in texts], initial=0))
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
