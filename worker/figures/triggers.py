"""Which metric word (trigger) each number of a sentence takes: the nearest by weighted token
distance (words, commas, crossed numbers, weak cues, asides), with ties and shared triggers
settled between neighbouring numbers. Pure; language knowledge comes in through the windows
and the triggers found by the lexicon."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from worker.figures.mentions import (
    AFTER_WINDOW,
    BEFORE_WINDOW,
    CROSS_COST,
    PARENTHETICAL_COST,
    WEAK_COST,
    Span,
    Tokens,
)
from worker.figures.numbers import Mention


def _pick_trigger(
    idx: int,
    mentions: list[tuple[Mention, str]],
    mtoks: list[tuple[int, int]],
    triggers: list[Span],
    toks: Tokens,
    excluded: set[int],
    windows: tuple[int, int],
    walls: tuple[int, ...],
    index: TriggerIndex | None,
    asides: list[tuple[int, int] | None],
    starts: list[int],
) -> tuple[int, int] | None:
    """Nearest trigger for mention ``idx`` as (weighted distance, trigger index).

    ``windows`` bounds the distance to a following / preceding trigger; verb-final languages
    (German subordinate clauses) reach further after the number. The winner is the least
    (distance, side, index): a following trigger (side 0) beats a preceding one at the same
    distance, and the earlier of two on one side. ``index`` (optional) lets the search walk
    outwards from the number and stop where the words in between alone cost more than the
    best found (every other cost only adds), so a sentence packed with triggers costs the
    few near each number, not all of them. ``asides`` (`_aside` of each trigger) and
    ``starts`` (each number's first token) are the sentence's, computed once by
    `assign_triggers`."""
    first, last = mtoks[idx]
    m = mentions[idx][0]
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
