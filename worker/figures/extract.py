"""The extraction pipeline: sentences -> number mentions -> metric, subject, qualifier, ...

All language knowledge comes from the lexicon data; this module is language-agnostic.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate

from worker.figures.claimants import ClaimantMatch
from worker.figures.lexicon import LanguageLexicon, Lexicons, load_lexicons, match_label
from worker.figures.model import Claim
from worker.figures.numbers import Mention, find_mentions, with_range
from worker.figures.sentences import Sentence, split_sentences

AFTER_WINDOW = 12  # max weighted token distance from a number to a following trigger
BEFORE_WINDOW = 12  # ... to a preceding trigger
COMMA_COST = 1
CROSS_COST = 4  # crossing another number
WEAK_COST = 4  # weak triggers ("in Russia" for deployed) only win when nothing else is near
_SYMBOLS_BEFORE = "$€£₩#№"
_INF = 10**6


@dataclass(slots=True)
class _Tokens:
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


def _tokenize(text: str, lex: LanguageLexicon) -> _Tokens:
    spans = [m.span() for m in lex.token_re.finditer(text)]
    starts = [a for a, _ in spans]
    ends = [b for _, b in spans]
    texts = [text[a:b] for a, b in spans]
    words = [0, *accumulate(1 if t[0].isalnum() or t[0] == "_" else 0 for t in texts)]
    commas = [0, *accumulate(1 if t in ",()" else 0 for t in texts)]
    barriers = [0, *accumulate(1 if t == ";" else 0 for t in texts)]
    return _Tokens(starts, ends, texts, words, commas, barriers)


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    label: str
    first: int = 0  # first token
    last: int = 0  # last token


@dataclass(slots=True)
class _Context:
    """Per-sentence facts reused by later sentences (subject and claimant inheritance)."""

    subject: str | None = None
    claimant: ClaimantMatch | None = None
    incident: bool = False  # some claim of the sentence is scoped to an incident


def _spans(matches: Iterator[re.Match[str]], labels: list[str], toks: _Tokens) -> list[_Span]:
    """Labelled spans of the matches of a regex built with named groups ``g<i>``."""
    at = toks.at
    return [
        _Span(m.start(), m.end(), labels[int(str(m.lastgroup)[1:])], at(m.start()), at(m.end() - 1))
        for m in matches
    ]


def _noun_phrase(stext: str, m: Mention, toks: _Tokens, lex: LanguageLexicon) -> str:
    """Classify what follows a number.

    'people' (soldiers, troops...), 'civilian' (people, children...: never deployed),
    'trigger' (a metric word: "600 killed", "4700 pertes"), 'bare' (function word or
    punctuation) or 'reject' (any other noun: units, money, equipment, dates...)."""
    pos = m.end
    n = len(stext)
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


def _valid_mentions(
    stext: str, toks: _Tokens, lex: LanguageLexicon, published: dt.date | None
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
    out: list[tuple[Mention, str]] = []
    for m in merged:
        before = stext[max(0, m.start - 2) : m.start].strip()
        if before and before[-1] in _SYMBOLS_BEFORE:
            continue
        if lex.reject_before_re.search(stext, max(0, m.start - 30), m.start):
            continue
        np = _noun_phrase(stext, m, toks, lex)
        if np == "reject":
            continue
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
    triggers: list[_Span],
    toks: _Tokens,
    excluded: set[int],
) -> tuple[int, int] | None:
    """Nearest trigger for mention ``idx`` as (weighted distance, trigger index)."""
    first, last = mtoks[idx]
    m = mentions[idx][0]
    starts = [a for a, _ in mtoks]
    best: tuple[int, int, int] | None = None
    for ti, tr in enumerate(triggers):
        if ti in excluded or (tr.start < m.end and tr.end > m.start):
            continue
        if tr.start >= m.end:
            d = 0 if tr.first <= last else toks.gap(last, tr.first)
            crossed = bisect.bisect_left(starts, tr.first) - (idx + 1)
            d += CROSS_COST * max(0, crossed)
            if d > AFTER_WINDOW:
                continue
            side = 0
        else:
            d = 0 if tr.last >= first else toks.gap(tr.last, first)
            crossed = idx - bisect.bisect_right(starts, tr.last)
            d += CROSS_COST * max(0, crossed)
            if d > BEFORE_WINDOW:
                continue
            side = 1
        if tr.label.endswith(":weak"):
            d += WEAK_COST
        if best is None or (d, side) < best[:2]:
            best = (d, side, ti)
    return (best[0], best[2]) if best else None


def _assign_triggers(
    mentions: list[tuple[Mention, str]],
    mtoks: list[tuple[int, int]],
    triggers: list[_Span],
    toks: _Tokens,
) -> list[_Span | None]:
    """Each number takes its nearest trigger; a trigger lying between two numbers that both
    chose it stays with the closer one (the earlier on ties) and the other picks again."""
    excluded: list[set[int]] = [set() for _ in mentions]
    picks = [
        _pick_trigger(i, mentions, mtoks, triggers, toks, excluded[i]) for i in range(len(mentions))
    ]
    for _ in range(4):
        changed = False
        for i in range(len(mentions) - 1):
            a, b = picks[i], picks[i + 1]
            if a is None or b is None or a[1] != b[1]:
                continue
            tr = triggers[a[1]]
            if not (mentions[i][0].end <= tr.start and tr.end <= mentions[i + 1][0].start):
                continue
            loser = i + 1 if a[0] <= b[0] else i
            excluded[loser].add(a[1])
            picks[loser] = _pick_trigger(loser, mentions, mtoks, triggers, toks, excluded[loser])
            changed = True
        if not changed:
            break
    return [triggers[p[1]] if p else None for p in picks]


def _qualifier(stext: str, m: Mention, lex: LanguageLexicon) -> str:
    if m.qualifier in ("range", "vague"):
        return m.qualifier
    qb = lex.qual_before_re.search(stext, max(0, m.start - 40), m.start)
    if qb:
        return match_label(qb, lex.qual_before_labels)
    qa = lex.qual_after_re.match(stext, m.end)
    if qa:
        return match_label(qa, lex.qual_after_labels)
    return m.qualifier or "exact"


def _bounds(value: int, qualifier: str, m: Mention) -> tuple[int, int | None, int | None]:
    if qualifier == "range":
        return value, m.low, m.high
    if qualifier in ("at_least", "more_than", "vague"):
        return value, value, None
    if qualifier in ("at_most", "less_than"):
        return value, None, value
    return value, value, value


class _Extractor:
    def __init__(
        self, text: str, lex: LanguageLexicon, lexicons: Lexicons, published: dt.date | None
    ) -> None:
        self.text = text
        self.lex = lex
        self.lexicons = lexicons
        self.published = published
        self.sentences = split_sentences(text, lex)
        self.contexts: dict[int, _Context] = {}

    # -- context helpers -------------------------------------------------------------------
    def _previous(self, k: int) -> list[int]:
        """The 1-2 previous sentences of the same paragraph (or just the previous one when
        this sentence opens a paragraph)."""
        out: list[int] = []
        para = self.sentences[k].paragraph
        for j in (k - 1, k - 2):
            if j < 0:
                break
            if self.sentences[j].paragraph != para:
                if j == k - 1:
                    out.append(j)
                break
            out.append(j)
        return out

    def _context(self, k: int) -> _Context:
        ctx = self.contexts.get(k)
        if ctx is None:
            ctx = self._light_context(k)
            self.contexts[k] = ctx
        return ctx

    def _light_context(self, k: int) -> _Context:
        s = self.sentences[k]
        stext = self.text[s.start : s.end]
        lex = self.lex
        ctx = _Context()
        found = self.lexicons.claimants.find(stext)
        if found:
            ctx.claimant = found[-1]  # no inheritance here: keeps the look-back bounded
        toks = _tokenize(stext, lex)
        terms = self._terms(stext, toks, found, [])[0]
        if terms:
            ctx.subject = terms[-1].label.split(":")[0]
        return ctx

    def _inherited_claimant(self, k: int) -> ClaimantMatch | None:
        for j in self._previous(k):
            c = self._context(j).claimant
            if c is not None:
                return c
        return None

    def _terms(
        self,
        stext: str,
        toks: _Tokens,
        claimants: list[ClaimantMatch],
        mention_tokens: list[int],
        triggers: list[_Span] | None = None,
    ) -> tuple[list[_Span], list[_Span]]:
        """Usable subject terms, plus every raw subject mention (for coordination checks)."""
        lex = self.lex
        raw = _spans(lex.subject_re.finditer(stext), lex.subject_labels, toks)
        if not raw:
            return [], raw
        anchors: set[int] = set(mention_tokens)
        people: list[tuple[int, int, int, int]] | None = None
        if triggers is None:
            triggers = _spans(lex.trigger_re.finditer(stext), lex.trigger_labels, toks)
        for tr in triggers:
            anchors.update(range(tr.first, tr.last + 1))
        out: list[_Span] = []
        for sp in raw:
            if any(c.start < sp.end and c.end > sp.start for c in claimants):
                continue
            if lex.location_before_re.search(stext, max(0, sp.start - 16), sp.start):
                continue
            if sp.label.endswith(":weak"):
                if lex.location_after_re.match(stext, sp.end):
                    continue
            elif not any(a in anchors for a in range(sp.first - 2, sp.last + 3)):
                if people is None:
                    people = [
                        (m.start(), m.end(), toks.at(m.start()), toks.at(m.end() - 1))
                        for m in lex.people_re.finditer(stext)
                    ]
                if not any(
                    (lex.self_anchoring or not (ps < sp.end and pe > sp.start))
                    and pf <= sp.last + 2
                    and pl >= sp.first - 2
                    for ps, pe, pf, pl in people
                ):
                    continue
            out.append(sp)
        return out, raw

    def _subject(
        self,
        k: int,
        m: Mention,
        mtok: tuple[int, int],
        terms: tuple[list[_Span], list[_Span]],
        stext: str,
    ) -> str | None:
        best: tuple[int, int, _Span] | None = None
        for sp in terms[0]:
            if sp.first > mtok[1]:
                d, side = sp.first - mtok[1], 0
            elif sp.last < mtok[0]:
                d, side = mtok[0] - sp.last, 1
            else:
                d, side = 0, 0
            if sp.label.endswith(":weak"):
                d += 1
            if best is None or (d, side) < best[:2]:
                best = (d, side, sp)
        if best is not None:
            chosen = best[2]
            code = chosen.label.split(":")[0]
            for other in terms[1]:
                if other.label.split(":")[0] == code:
                    continue
                lo, hi = (chosen, other) if chosen.start < other.start else (other, chosen)
                if self.lex.coordination_re.fullmatch(stext, lo.end, hi.start):
                    return None
            return code
        for j in self._previous(k):
            subj = self._context(j).subject
            if subj is not None:
                return subj
        return None

    # -- main --------------------------------------------------------------------------------
    def run(self) -> list[Claim]:
        claims: list[tuple[int, Claim]] = []
        lex = self.lex
        text = self.text
        # one pass over the whole text finds every metric trigger
        found = [
            (m.start(), m.end(), match_label(m, lex.trigger_labels))
            for m in lex.trigger_re.finditer(text)
        ]
        starts = [f[0] for f in found]
        for k, s in enumerate(self.sentences):
            lo = bisect.bisect_left(starts, s.start)
            hi = bisect.bisect_left(starts, s.end, lo)
            prev_deploys = False
            if lo == hi:
                if k == 0:
                    continue
                p = self.sentences[k - 1]
                prev_deploys = lex.deploy_context_re.search(text, p.start, p.end) is not None
                if not prev_deploys:
                    continue
            local = [(a - s.start, b - s.start, label) for a, b, label in found[lo:hi]]
            ctx, claims_k = self._process(k, s, text[s.start : s.end], prev_deploys, local)
            if ctx is not None:
                self.contexts[k] = ctx
            claims.extend((k, c) for c in claims_k)
        return self._drop_repeated_headlines(claims)

    def _drop_repeated_headlines(self, claims: list[tuple[int, Claim]]) -> list[Claim]:
        by_sentence: dict[int, set[tuple[str, int]]] = {}
        for k, c in claims:
            by_sentence.setdefault(k, set()).add((c.metric, c.value))
        out: list[Claim] = []
        for k, c in claims:
            if self.sentences[k].heading and (c.metric, c.value) in by_sentence.get(k + 1, set()):
                continue
            out.append(c)
        out.sort(key=lambda c: c.start)
        return out

    def _process(
        self, k: int, s: Sentence, stext: str, prev_deploys: bool, found: list[tuple[int, int, str]]
    ) -> tuple[_Context | None, list[Claim]]:
        lex = self.lex
        toks = _tokenize(stext, lex)
        mentions = _valid_mentions(stext, toks, lex, self.published)
        if not mentions:
            return None, []  # context is computed lazily if a later sentence needs it
        ctx = _Context()
        claimants = self.lexicons.claimants.find(stext)
        cues = {match_label(c, lex.modality_labels) for c in lex.modality_re.finditer(stext)}
        if claimants:
            ctx.claimant = claimants[-1]
        elif "hedge" in cues or "attribution" in cues:
            ctx.claimant = self._inherited_claimant(k)
        mtoks = [(toks.at(m.start), toks.at(m.end - 1)) for m, _ in mentions]
        triggers = [_Span(a, b, label, toks.at(a), toks.at(b - 1)) for a, b, label in found]
        terms = self._terms(
            stext, toks, claimants, [t for a, b in mtoks for t in range(a, b + 1)], triggers
        )
        scopes = _spans(lex.scope_re.finditer(stext), lex.scope_labels, toks)
        if "negated" in cues:
            modality = "negated"
        elif "possible" in cues:
            modality = "possible"
        elif claimants or cues:
            modality = "reported"
        else:
            modality = "asserted"
        seen: set[tuple[str, int]] = set()
        out: list[Claim] = []
        assigned = _assign_triggers(mentions, mtoks, triggers, toks)
        for idx, (m, np) in enumerate(mentions):
            tr = assigned[idx]
            if tr is not None and not (np == "civilian" and tr.label.startswith("deployed")):
                metric = tr.label.split(":")[0]
            elif out and lex.total_anaphor_re.search(stext, max(0, m.start - 60), m.start):
                metric = out[-1].metric
            elif np == "people" and prev_deploys:
                metric = "deployed"
            else:
                continue
            qualifier = _qualifier(stext, m, lex)
            value, low, high = _bounds(m.value, qualifier, m)
            if (metric, value) in seen:
                continue
            seen.add((metric, value))
            claimant = self._nearest_claimant(claimants, m) or ctx.claimant
            out.append(
                Claim(
                    metric=metric,
                    subject=self._subject(k, m, mtoks[idx], terms, stext),
                    value=value,
                    low=low,
                    high=high,
                    qualifier=qualifier,
                    modality=modality,
                    claimant=claimant.claimant if claimant else None,
                    claimant_raw=claimant.raw if claimant else None,
                    scope=self._scope(scopes, mtoks[idx], toks)
                    or self._continued_scope(k, m, stext),
                    sentence=stext,
                    start=s.start + m.start,
                    end=s.start + m.end,
                )
            )
        if out:
            ctx.subject = out[-1].subject
        else:
            ctx.subject = terms[0][-1].label.split(":")[0] if terms[0] else None
        ctx.incident = any(c.scope == "incident" for c in out)
        return ctx, out

    def _continued_scope(self, k: int, m: Mention, stext: str) -> str | None:
        """A figure such as "Another 45 were wounded" continues the previous sentence's
        incident and inherits its scope."""
        if k == 0 or not self.lex.continuation_re.search(
            stext, max(0, m.start - 24), min(len(stext), m.end + 16)
        ):
            return None
        prev = self.contexts.get(k - 1)
        return "incident" if prev is not None and prev.incident else None

    @staticmethod
    def _nearest_claimant(claimants: list[ClaimantMatch], m: Mention) -> ClaimantMatch | None:
        best: tuple[int, ClaimantMatch] | None = None
        for c in claimants:
            d = m.start - c.end if c.end <= m.start else c.start - m.end
            if best is None or d < best[0]:
                best = (d, c)
        return best[1] if best else None

    @staticmethod
    def _scope(scopes: list[_Span], mtok: tuple[int, int], toks: _Tokens) -> str | None:
        """Label of the scope cue nearest to the number (token gap, commas count)."""
        best: tuple[int, str] | None = None
        for sp in scopes:
            if sp.first > mtok[1]:
                d = toks.gap(mtok[1], sp.first)
            elif sp.last < mtok[0]:
                d = toks.gap(sp.last, mtok[0])
            else:
                d = 0
            if best is None or d < best[0]:
                best = (d, sp.label)
        return best[1] if best else None


def extract_claims(
    text: str, language: str, published: dt.date | None = None, *, lexicons: Lexicons | None = None
) -> list[Claim]:
    """Extract every stated casualty/deployment figure from ``text`` (see package docstring)."""
    if not text:
        return []
    lexs = lexicons if lexicons is not None else load_lexicons()
    lex = lexs.get(language)
    if lex is None:
        return []
    return _Extractor(text, lex, lexs, published).run()
