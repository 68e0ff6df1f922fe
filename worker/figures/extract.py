"""The extraction pipeline: sentences -> number mentions -> metric, subject, qualifier,
modality, claimant and scope, with context carried between sentences.

All language knowledge comes from the lexicon data; this module is language-agnostic.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from worker.figures.claimants import ClaimantMatch
from worker.figures.guard import guarded
from worker.figures.lexicon import LanguageLexicon, Lexicons, load_lexicons, match_label
from worker.figures.mentions import (
    Span,
    Tokens,
    assign_triggers,
    bounds,
    modality_near,
    qualifier_of,
    spans,
    tokenize,
    valid_mentions,
)
from worker.figures.model import Claim
from worker.figures.numbers import Mention
from worker.figures.populations import populations
from worker.figures.sentences import Sentence, split_sentences
from worker.figures.statements import statement_date
from worker.figures.timing import DateSpan, before_publication, find_dates

WEAK_SUBJECT_COST = 3  # country names ("Russia") lose to demonyms next to the people counted
CONTEXT_SENTENCES = 4  # how far back an implied subject may come from an earlier claim
_DIGIT_RE = re.compile(r"\d")
_QUOTE_RE = re.compile("[\"'«»“”‘’„]")
# metrics that go on with one another's source in a bare next sentence ("The death toll
# stands at 600." after "4,700 casualties"), and those that do not (captives after losses)
_FAMILY = {"killed": "losses", "wounded": "losses", "casualties": "losses", "missing": "losses"}
DATE_CUE_REACH = 40  # characters between a reporting verb and the date after it
STATEMENT_REACH = 90  # ... between a date opening a statement and its reporting verb
ANAPHOR_SENTENCES = 8  # how far back "the agency" / "за його словами" may find its source
QUOTES_OPEN = "«“„‹"
_SEMICOLON = re.compile(";")
QUOTES_CLOSE = "»”‹›"


def _open_quote(text: str, start: int, end: int) -> bool:
    """The sentence opens a quotation it does not close (or continues one: straight quotes
    counted by parity)."""
    seg = text[start:end]
    opened = sum(seg.count(q) for q in QUOTES_OPEN) - sum(seg.count(q) for q in "»”›")
    return opened > 0 or seg.count('"') % 2 == 1


def _closes_quote(text: str, start: int, end: int) -> bool:
    seg = text[start:end]
    return any(q in seg for q in "»”›") or seg.count('"') % 2 == 1


@dataclass(slots=True)
class _Rel:
    """What the relation pass decides for one claim of a sentence."""

    why: dict[str, str]
    scope: str | None
    refers_to: str | None = None
    recalled: bool = False
    partial: bool = False
    drop: bool = False
    total: Claim | None = None


@dataclass(slots=True)
class _Context:
    """Per-sentence facts reused by later sentences (subject and claimant inheritance)."""

    subject: str | None = None
    claimant: ClaimantMatch | None = None
    incident: bool = False  # some claim of the sentence is scoped to an incident


class _Extractor:
    def __init__(
        self, text: str, lex: LanguageLexicon, lexicons: Lexicons, published: dt.date | None
    ) -> None:
        self.text = text
        self.lex = lex
        self.lexicons = lexicons
        self.published = published
        self.contexts: dict[int, _Context] = {}
        self.recent_subject: tuple[int, str] | None = None  # (sentence, subject) of last claim
        self.last_claims: list[Claim] = []  # claims of the latest sentence that had some
        self.last_claims_sentence = -1
        self.part_links: dict[int, int] = {}  # start of a part -> start of its total
        self.stext = ""  # the sentence whose relations are being read

    @cached_property
    def sentences(self) -> list[Sentence]:
        """Split on first use: `run` returns before splitting when nothing can be claimed."""
        return split_sentences(self.text, self.lex)

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
        toks = tokenize(stext, lex)
        cue_spans = spans(lex.modality_re.finditer(stext), lex.modality_labels, toks)
        terms = self._terms(stext, toks, found, [], speakers=_active_speakers(cue_spans))[0]
        if terms:
            ctx.subject = terms[-1].label.split(":")[0]
        return ctx

    def _continues(self, stext: str) -> bool:
        """The sentence opens by continuing the previous one: a back-reference to its figures
        ("Из них", "Of them", "그중") or a continuation word ("Ще", "Another", "Weitere")."""
        head = stext[:40]
        lex = self.lex
        return (
            lex.part_before_re.match(head) is not None
            or lex.part_lead_re.match(head) is not None
            or lex.continuation_re.match(head) is not None
        )

    def _latest_claimant(self, k: int) -> ClaimantMatch | None:
        """The source named last before sentence ``k`` (a pronoun or title refers to it)."""
        for j in range(k - 1, max(-1, k - 1 - ANAPHOR_SENTENCES), -1):
            c = self._context(j).claimant
            if c is not None:
                return c
        return None

    def _inherited_claimant(self, k: int) -> ClaimantMatch | None:
        for j in self._previous(k):
            c = self._context(j).claimant
            if c is not None:
                return c
        return None

    def _terms(
        self,
        stext: str,
        toks: Tokens,
        claimants: list[ClaimantMatch],
        mention_tokens: list[int],
        triggers: list[Span] | None = None,
        speakers: list[Span] | None = None,
    ) -> tuple[list[Span], list[Span]]:
        """Usable subject terms, plus every raw subject mention (for coordination checks).

        A nationality next to the speaker of an attribution ("a Ukrainian commander said",
        "dijo un comandante ucraniano") names who speaks, not whose people are counted."""
        lex = self.lex
        raw = spans(lex.subject_re.finditer(stext), lex.subject_labels, toks)
        if not raw:
            return [], raw
        anchors: set[int] = set(mention_tokens)
        people: list[tuple[int, int, int, int]] | None = None
        if triggers is None:
            triggers = spans(lex.trigger_re.finditer(stext), lex.trigger_labels, toks)
        for tr in triggers:
            anchors.update(range(tr.first, tr.last + 1))
        out: list[Span] = []
        weak = [t for t in triggers if t.label.endswith(":weak")]
        for sp in raw:
            if any(c.start < sp.end and c.end > sp.start for c in claimants):
                continue
            if speakers and any(
                0 < k.first - sp.last <= 2 or 0 < sp.first - k.last <= 1 for k in speakers
            ):
                continue
            if any(t.start < sp.end and t.end > sp.start for t in weak):
                continue  # "dans la région russe de Koursk" names a place, not whose troops
            origin = lex.origin_before_re.search(stext, max(0, sp.start - 40), sp.start)
            if origin is not None and lex.people_re.search(stext, origin.start(), origin.end()):
                out.append(sp)  # "військовослужбовців із Північної Кореї": whose people
                continue
            if lex.location_before_re.search(stext, max(0, sp.start - 16), sp.start):
                continue
            if sp.label.endswith(":weak"):
                if lex.location_after_re.match(stext, sp.end) or lex.place_before_re.search(
                    stext, max(0, sp.start - 16), sp.start
                ):
                    continue
            elif not any(a in anchors for a in _window(toks, sp.first, sp.last)):
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
        terms: tuple[list[Span], list[Span]],
        stext: str,
    ) -> tuple[str | None, str]:
        """The side whose people the number counts, and why (the rule that decided it)."""
        best: tuple[int, int, Span] | None = None
        before = int(self.lex.subject_prefer_before)  # on a tie, which side wins
        for sp in terms[0]:
            if sp.first > mtok[1]:
                d, side = sp.first - mtok[1], before
            elif sp.last < mtok[0]:
                d, side = mtok[0] - sp.last, 1 - before
            else:
                d, side = 0, 0
            if sp.label.endswith(":weak"):
                d += WEAK_SUBJECT_COST
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
                    return None, f"sides coordinated: {stext[lo.start:hi.end]!r}"
            return code, f"term {stext[chosen.start:chosen.end]!r}"
        for j in self._previous(k):
            subj = self._context(j).subject
            if subj is not None:
                return subj, "previous sentence"
        recent = self.recent_subject
        if recent is not None and k - recent[0] <= CONTEXT_SENTENCES:
            # the document's running subject ("the overall deployment")
            return recent[1], "running subject of the text"
        return None, "no side named"

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
        if not found and lex.deploy_context_re.search(text) is None:
            # no metric word and no deployment context anywhere: no sentence can yield a claim
            # (most pages of a general feed end here, before any sentence splitting)
            return []
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
        if any(c.claimant is None for _, c in claims):
            claims = self._forward_claimants(claims)
        return self._drop_repeated_headlines(claims)

    def _forward_claimants(self, claims: list[tuple[int, Claim]]) -> list[tuple[int, Claim]]:
        """A source named after the figures: a later sentence of the paragraph opens with a
        back-reference ("Про це заявив президент", "Об этом сообщило агентство", "C'est ce
        qu'a rapporté", "이같이 밝혔다"), or the figures sit in a quotation that a later
        sentence closes with its speaker ("«... 12 тисяч приїхали ...», — сказав президент").
        Sentences between them may only carry more unattributed figures or the quotation."""
        lex = self.lex
        text = self.text
        with_figures = {k for k, c in claims if c.claimant is None}
        found: dict[int, ClaimantMatch | None] = {}
        para_start: dict[int, int] = {}
        for s in self.sentences:
            para_start.setdefault(s.paragraph, s.start)

        def source_after(k: int) -> ClaimantMatch | None:
            if k in found:
                return found[k]
            result: ClaimantMatch | None = None
            s = self.sentences[k]
            quoted = _open_quote(text, para_start[s.paragraph], s.end)
            for j in range(k + 1, min(len(self.sentences), k + 5)):
                nxt = self.sentences[j]
                if nxt.paragraph != s.paragraph and j > k + 1:
                    break
                named = self.lexicons.claimants.find(text[nxt.start : nxt.end])
                forward = lex.forward_re.search(text, nxt.start, nxt.end) is not None
                closes = quoted and _closes_quote(text, nxt.start, nxt.end)
                if named and (forward or closes):
                    result = named[0]
                    break
                if named or not (j in with_figures or (quoted and not closes)):
                    break
            found[k] = result
            return result

        out: list[tuple[int, Claim]] = []
        for k, c in claims:
            if c.claimant is None:
                src = source_after(k)
                if src is not None:
                    why = dict(c.why)
                    why["claimant"] = f"named after the figure {src.raw!r}"
                    c = replace(
                        c,
                        claimant=src.claimant,
                        claimant_raw=src.raw,
                        modality="reported" if c.modality == "asserted" else c.modality,
                        why=why,
                    )
            out.append((k, c))
        return out

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
        if self.part_links:
            index = {c.start: i for i, c in enumerate(out)}
            out = [
                replace(c, part_of=index.get(self.part_links[c.start]))
                if c.start in self.part_links
                else c
                for c in out
            ]
        return out

    def _process(
        self, k: int, s: Sentence, stext: str, prev_deploys: bool, found: list[tuple[int, int, str]]
    ) -> tuple[_Context | None, list[Claim]]:
        lex = self.lex
        toks = tokenize(stext, lex)
        mentions = valid_mentions(stext, toks, lex, self.published)
        if not mentions:
            return None, []  # context is computed lazily if a later sentence needs it
        ctx = _Context()
        claimants = self.lexicons.claimants.find(stext)
        cue_spans = spans(lex.modality_re.finditer(stext), lex.modality_labels, toks)
        cues = {c.label for c in cue_spans}
        speakers = _active_speakers(cue_spans)
        if claimants:
            ctx.claimant = claimants[-1]
        elif lex.anaphor_re.search(stext):
            # "за його словами", "selon lui", "the agency said", "según estas fuentes": the
            # source named last
            ctx.claimant = self._latest_claimant(k)
        elif speakers:
            pass  # "..., a Ukrainian commander said": an unregistered speaker, no inheritance
        elif "hedge" in cues or ("attribution" in cues and "source" not in cues) or (
            "source" not in cues and self._continues(stext)
        ):
            # hedged, "he said", or a sentence continuing the previous one's report ("Of
            # them, 600 died", "Ще 2,7 тис. поранено"): the source is the one named just
            # before; "according to Kyiv" names a new (unregistered) source instead
            ctx.claimant = self._inherited_claimant(k)
        elif not cues and self.last_claims_sentence == k - 1 and self.last_claims:
            # "The death toll stands at 600.": a bare statement right after a sourced
            # figure goes on with that source
            sources = {c.claimant for c in self.last_claims}
            before = {_FAMILY.get(c.metric, c.metric) for c in self.last_claims}
            here = {_FAMILY.get(f[2].split(":")[0], f[2]) for f in found}
            if len(sources) == 1 and None not in sources and here and here <= before:
                ctx.claimant = self._inherited_claimant(k)
        mtoks = [(toks.at(m.start), toks.at(m.end - 1)) for m, _ in mentions]
        triggers = [Span(a, b, label, toks.at(a), toks.at(b - 1)) for a, b, label in found]
        terms = self._terms(
            stext,
            toks,
            claimants,
            [t for a, b in mtoks for t in range(a, b + 1)],
            triggers,
            speakers,
        )
        scopes = spans(lex.scope_re.finditer(stext), lex.scope_labels, toks)
        attributed = claimants or cues & {"hedge", "source", "attribution"}
        default_modality = "reported" if attributed else "asserted"
        seen: set[tuple[str, int]] = set()
        out: list[Claim] = []
        # a breakdown cue just before a number ("including 10,000"): a trigger before the cue
        # is the total's
        walls = tuple(
            w.start()
            for w in lex.part_lead_re.finditer(stext)
            if any(0 <= mm.start - w.end() <= 25 for mm, _ in mentions)
        )
        assigned = assign_triggers(
            mentions, mtoks, triggers, toks, (lex.after_window, lex.before_window), walls
        )
        assigned = self._predicates(stext, mentions, assigned, triggers, toks)
        used: list[Mention] = []
        for idx, (m, np) in enumerate(mentions):
            tr = assigned[idx]
            if tr is not None and not (np == "civilian" and tr.label.startswith("deployed")):
                metric = tr.label.split(":")[0]
                metric_why = f"trigger {stext[tr.start:tr.end]!r}"
                if tr.label.endswith(":population"):
                    metric_why = f"population a figure is taken from ({metric_why[8:]})"
            elif (out or (self.last_claims and self.last_claims_sentence == k - 1)) and (
                lex.total_anaphor_re.search(
                    stext, max(0, m.start - 60), m.start
                )
            ):
                # "... ce chiffre à environ 1 100": the figure just stated, maybe in the
                # previous sentence
                metric = (out or self.last_claims)[-1].metric
                metric_why = "total of the previous figure"
            elif (
                out
                and not (np == "civilian" and out[-1].metric == "deployed")
                and self._coordinated(stext, out[-1].end - s.start, m, triggers)
            ):
                metric = out[-1].metric  # "1.000 zapadores ... y 5.000 constructores"
                metric_why = "coordinated with the previous figure"
            elif out and lex.part_before_re.search(stext, max(0, m.start - 40), m.start):
                metric = out[-1].metric  # "16,000 were sent, including 10,000 last autumn"
                metric_why = "part of the previous figure"
            elif (
                out
                and used
                and lex.part_before_re.search(stext, max(0, used[-1].start - 40), used[-1].start)
                and lex.coordinator_re.search(stext, used[-1].end, m.start)
            ):
                metric = out[-1].metric  # "..., including 10,000 sent last autumn and 4,000"
                metric_why = "listed with the previous part"
            elif (
                out
                and out[-1].metric == "deployed"
                and np != "civilian"
                and (
                    lex.continuation_re.search(stext, max(0, m.start - 16), m.start)
                    or lex.continuation_re.match(stext, m.start)  # "otro millar"
                )
            ):
                # "10 тис. осіб — звичайні війська, ще 1 тис. – інженерні", "otro millar
                # limpia campos de minas": another group of the troops just counted
                metric = "deployed"
                metric_why = "another group beside the previous deployment"
            elif np == "people" and prev_deploys:
                metric = "deployed"
                metric_why = "troops after a deployment sentence"
            else:
                continue
            qualifier = qualifier_of(stext, m, lex)
            value, low, high = bounds(m.value, qualifier, m)
            if (metric, value) in seen:
                continue
            seen.add((metric, value))
            modality = modality_near(cue_spans, mtoks[idx], tr, toks) or default_modality
            later = mentions[idx + 1][0].start if idx + 1 < len(mentions) else None
            named = self._nearest_claimant(claimants, m, later)
            claimant = named or ctx.claimant
            contrast = lex.contrast_re.search(stext, 0, m.start)
            if contrast is not None and (named is None or named.start > m.end):
                # "Unlike foreign media, which put the toll at 200, the NIS ...": the figure
                # is the others', not the source named after it
                named = claimant = None
            subject, subject_why = self._subject(k, m, mtoks[idx], terms, stext)
            if (
                np != "people"
                and out
                and out[-1].subject is not None
                and subject != out[-1].subject
                and m.start - used[-1].end <= 150
                and lex.coordination_re.search(stext, max(used[-1].end, m.start - 12), m.start)
                and ";" not in stext[used[-1].end : m.start]
                and not any(m.end <= t.start <= m.end + 30 for t in terms[0])
            ):
                # "300 soldados norcoreanos ... han muerto y 2.700 han resultado heridos":
                # a number without its own noun counts the people of the one before
                subject = out[-1].subject
                subject_why = f"coordinated with {stext[used[-1].start : used[-1].end]!r}"
            if claimant is None:
                claimant_why = (
                    f"contrasted ({contrast.group()!r})" if contrast else "no source named"
                )
            elif named is not None:
                claimant_why = f"named {claimant.raw!r}"
            else:
                claimant_why = f"inherited {claimant.raw!r}"
            used.append(m)
            out.append(
                Claim(
                    metric=metric,
                    subject=subject,
                    value=value,
                    low=low,
                    high=high,
                    qualifier=qualifier,
                    modality=modality,
                    claimant=claimant.claimant if claimant else None,
                    claimant_raw=claimant.raw if claimant else None,
                    scope=self._scope(scopes, m, mtoks[idx], toks, stext)
                    or self._continued_scope(k, m, stext),
                    sentence=stext,
                    start=s.start + m.start,
                    end=s.start + m.end,
                    why={
                        "metric": metric_why,
                        "subject": subject_why,
                        "claimant": claimant_why,
                        "modality": modality_why(modality, cue_spans, stext),
                    },
                )
            )
        if out:
            out = self._relations(k, stext, out, used, cue_spans)
        if out:
            ctx.subject = out[-1].subject
            if ctx.subject is not None:
                self.recent_subject = (k, ctx.subject)
        else:
            ctx.subject = terms[0][-1].label.split(":")[0] if terms[0] else None
        ctx.incident = any(c.scope == "incident" for c in out)
        return ctx, out

    # -- relations between figures and time ------------------------------------------------
    def _own_dates(
        self, stext: str, used: list[Mention], dates: list[DateSpan], clause: Callable[[int], int]
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

    def _relations(
        self, k: int, stext: str, out: list[Claim], used: list[Mention], cues: list[Span]
    ) -> list[Claim]:
        """Date referred to, recall, increment, part of a total and sub-population for the
        claims of one sentence (see worker/figures/timing.py for the dates)."""
        lex = self.lex
        self.stext = stext
        breaks = [m.start() for m in _SEMICOLON.finditer(stext)]
        breaks += [b.start() for b in lex.clause_break_re.finditer(stext)]
        breaks.sort()
        dates = find_dates(stext, lex.time, self.published)
        dates = [d for d in dates if not any(d.start < m.end and m.start < d.end for m in used)]
        prev_claims = self.last_claims if self.last_claims_sentence == k - 1 else []

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
        own = self._own_dates(stext, used, dates, clause)
        for i, m in enumerate(used):
            if own[i] is None and i not in current:
                # "The NIS said in January that about 300 died and another 2,700 were
                # injured": the date of a statement covers the figures it reports
                said = [
                    d
                    for d in dates
                    if (d.end <= m.start or _right_before_verb(d, cues))
                    and clause(d.start) == clause(m.start)
                    and self._statement_date(d, m, cues, clause)
                ]
                own[i] = said[-1] if said else None
        rows: list[_Rel] = []
        for i, (c, m) in enumerate(zip(out, used, strict=True)):
            row = _Rel(why=dict(c.why), scope=c.scope)
            cl = clause(m.start)
            date = own[i]
            if date is not None:
                row.refers_to = date.iso
                row.why["refers_to"] = f"date {date.cue!r}"
                if (
                    date.bound is None
                    and i not in current
                    and before_publication(date.iso, self.published)
                    and not any(0 <= date.start - d.end <= 8 for d in dates)
                    and self._statement_date(date, m, cues, clause)
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
        self._carried_statement(k, out, rows, current)
        self._parts(stext, out, used, rows, prev_claims, clause)
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
        result = [
            replace(
                c,
                refers_to=r.refers_to,
                recalled=r.recalled,
                scope=r.scope,
                partial=r.partial,
                why=r.why,
            )
            for c, r in zip(out, rows, strict=True)
            if not r.drop
        ]
        self.last_claims = result
        self.last_claims_sentence = k
        return result

    def _carried_statement(
        self, k: int, out: list[Claim], rows: list[_Rel], current: set[int]
    ) -> None:
        """Figures of a sentence that goes on with the source of a dated earlier statement
        in the sentence before ("Он заявил, что ...", "Selon Lee Sung-kwon, un millier ...")
        restate that statement (worker/figures/statements.py)."""
        if k == 0 or self.published is None:
            return
        todo = [
            i
            for i, c in enumerate(out)
            if rows[i].refers_to is None and not rows[i].recalled and i not in current
        ]
        if not todo:
            return
        prev = self._context(k - 1).claimant
        todo = [
            i
            for i in todo
            if c_inherits(out[i]) or (prev is not None and out[i].claimant == prev.claimant)
        ]
        if not todo:
            return
        p = self.sentences[k - 1]
        date = statement_date(self.text[p.start : p.end], self.lex, self.published)
        if date is None:
            return
        for i in todo:
            rows[i].refers_to = date.iso
            rows[i].recalled = True
            rows[i].why["refers_to"] = f"date {date.cue!r} of the statement before"
            rows[i].why["recalled"] = f"goes on with a statement of {date.iso}"

    def _statement_date(
        self, date: DateSpan, m: Mention, cues: list[Span], clause: Callable[[int], int]
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
                    self.lex.verb_final
                    and date.end <= m.start
                    and _QUOTE_RE.search(self.stext, date.end, c.start) is None
                )
            ):
                return True  # (Korean: "지난달 27일 ... 발생했다고 밝혔다", not a quoted date)
            if 0 <= date.start - c.end <= DATE_CUE_REACH:
                return True
        return _right_before_verb(date, cues)

    def _parts(
        self,
        stext: str,
        out: list[Claim],
        used: list[Mention],
        rows: list[_Rel],
        prev_claims: list[Claim],
        clause: Callable[[int], int],
    ) -> None:
        """Parts of a stated total: "18,000, including 11,000 ... and 3,000 ...", "dont",
        "davon", "из них", "그중", "1만1천 명을 포함한 1만8천 명"."""
        lex = self.lex
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
            self.part_links[c.start] = total.start
            if total.metric == c.metric:
                rows[i].partial = True

    def _predicates(
        self,
        stext: str,
        mentions: list[tuple[Mention, str]],
        assigned: list[Span | None],
        triggers: list[Span],
        toks: Tokens,
    ) -> list[Span | None]:
        """A deployment word that qualifies the counted noun ("soldiers sent to aid Russia",
        "soldats envoyés", "stationed in Russia", "воюющих на стороне России") is not what
        the sentence says of them: a later casualty, capture or missing word in the same
        clause, before the next number, is ("... have died")."""
        out = list(assigned)
        barrier = self.lex.scope_barrier_re
        lex = self.lex
        # "600 of the 14,000 troops sent ... were killed": the deployment word after the
        # second number is its own, the casualty word the first number's
        population: set[int] = set()  # numbers counting the troops a figure is taken from
        for i in range(len(mentions) - 1):
            a, b = mentions[i][0], mentions[i + 1][0]
            if not lex.population_before_re.fullmatch(stext, a.end, b.start):
                continue
            stop = mentions[i + 2][0].start if i + 2 < len(mentions) else len(stext)
            later = [t for t in triggers if b.end <= t.start and t.end <= stop]
            dep = next((t for t in later if t.label.startswith("deployed")), None)
            if dep is None or toks.gap(toks.at(b.end - 1), dep.first) > 6:
                continue
            pred = next(
                (t for t in later if t.start > dep.end and not t.label.startswith("deployed")),
                None,
            )
            out[i + 1] = dep
            population.add(i + 1)
            if pred is not None:
                out[i] = pred
        population |= populations(lex, stext, mentions, out, triggers, toks)
        # "the number of casualties among ... has surpassed 3,000", "le nombre de victimes
        # ... a dépassé 3 000": the counted metric is named first
        for cue in lex.count_of_re.finditer(stext):
            named = next((t for t in triggers if 0 <= t.start - cue.end() <= 2), None)
            if named is None or named.label.startswith("deployed"):
                continue
            nxt = next((j for j, (mm, _) in enumerate(mentions) if mm.start > named.end), None)
            if nxt is None:
                continue
            m = mentions[nxt][0]
            between = stext[named.end : m.start]
            if (
                ";" in between
                or barrier.search(between)
                or toks.gap(named.last, toks.at(m.start)) > 25
            ):
                continue
            out[nxt] = named
        for i, tr in enumerate(assigned):
            if (
                tr is not None
                and not tr.label.startswith("deployed")
                and i not in population
                and lex.unnumbered_before_re.search(stext, max(0, tr.start - 30), tr.start)
            ):
                # "12 тисяч військових, перекинутих на Курщину, зазнають значних втрат": the
                # losses have no number; the deployment word is the number's
                m = mentions[i][0]
                dep = next(
                    (
                        t
                        for t in triggers
                        if t.label.startswith("deployed") and m.end <= t.start < tr.start
                    ),
                    None,
                )
                if dep is not None:
                    out[i] = dep
                    continue
            if tr is not None and tr.label.split(":")[0] in ("killed", "wounded"):
                # "захватила двух раненых солдат": the adjective qualifies the captives
                m = mentions[i][0]
                if (
                    tr.start >= m.end
                    and not stext[m.end : tr.start].strip()
                    and (
                        lex.people_re.match(stext, tr.end + 1) is not None
                        or lex.subject_re.match(stext, tr.end + 1) is not None
                    )
                ):
                    cap = [
                        t
                        for t in triggers
                        if t.label.startswith("captured")
                        and t.end <= m.start
                        and toks.gap(t.last, toks.at(m.start)) <= 3
                    ]
                    if cap:
                        out[i] = cap[-1]
                continue
            if tr is None or not tr.label.startswith("deployed") or i in population:
                continue
            m = mentions[i][0]
            if tr.start < m.end:
                continue
            stop = mentions[i + 1][0].start if i + 1 < len(mentions) else len(stext)
            for other in triggers:
                if other.start <= tr.end or other.end > stop or other.label.startswith("deployed"):
                    continue
                between = stext[m.end : other.start]
                if ";" in between or barrier.search(between) or toks.gap(tr.last, other.first) > 16:
                    continue
                if lex.unnumbered_before_re.search(stext, max(0, other.start - 30), other.start):
                    continue  # "... déployés ... subissent de lourdes pertes"
                owner = next((j for j, o in enumerate(assigned) if j != i and o is other), None)
                if owner is not None:
                    # "300 soldados ... enviados ... han muerto y 2.700 han resultado
                    # heridos": the later number keeps a word of its own, after it
                    mo = mentions[owner][0]
                    end_o = (
                        mentions[owner + 1][0].start if owner + 1 < len(mentions) else len(stext)
                    )
                    own = next(
                        (
                            t
                            for t in triggers
                            if mo.end <= t.start
                            and t.end <= end_o
                            and not t.label.startswith("deployed")
                        ),
                        None,
                    )
                    if owner < i:
                        continue
                    if own is not None:
                        out[owner] = own  # else both share it ("640 ... killed, up from 300")
                out[i] = other
                break
        return out

    def _coordinated(self, stext: str, prev_end: int, m: Mention, triggers: list[Span]) -> bool:
        """The number is joined to the previous claimed number by "and" with no trigger or
        clause break between them."""
        if any(prev_end <= t.start and t.end <= m.start for t in triggers):
            return False
        between = stext[prev_end : m.start]
        return ";" not in between and self.lex.coordinator_re.search(between) is not None

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
    def _nearest_claimant(
        claimants: list[ClaimantMatch], m: Mention, later: int | None
    ) -> ClaimantMatch | None:
        """Nearest source named in the sentence.  A source named after the number but before
        the next number ("..., while HUR put it at 12,000") introduces that next number."""
        best: tuple[int, ClaimantMatch] | None = None
        for c in claimants:
            if later is not None and m.end <= c.start and c.end <= later:
                continue
            d = m.start - c.end if c.end <= m.start else c.start - m.end
            if best is None or d < best[0]:
                best = (d, c)
        return best[1] if best else None

    def _scope(
        self, scopes: list[Span], m: Mention, mtok: tuple[int, int], toks: Tokens, stext: str
    ) -> str | None:
        """Label of the scope cue nearest to the number (token gap, commas count).  A cue does
        not reach across a contrastive clause break: "In total, 1,100 were killed, while the
        number of missing stands at 1,000" scopes the first figure only."""
        best: tuple[int, str] | None = None
        barrier = self.lex.scope_barrier_re
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


def c_inherits(claim: Claim) -> bool:
    """The claim's source was carried over from an earlier sentence."""
    return claim.why.get("claimant", "").startswith("inherited")


def _clause_end(breaks: list[int], cl: int, stext: str) -> int:
    """End offset of clause number ``cl`` (``breaks`` are the clause-break offsets)."""
    return breaks[cl] if cl < len(breaks) else len(stext)


def _window(toks: Tokens, first: int, last: int) -> range:
    """Tokens within two of a subject term; an opening parenthesis is transparent
    ("Le bilan nord-coréen (environ 600 morts ...)")."""
    lo, hi = first - 2, last + 3
    texts = toks.texts
    if "(" in texts[last + 1 : last + 3]:
        hi += 1
    if ")" in texts[max(0, lo) : first]:
        lo -= 1
    return range(lo, hi)


def modality_why(modality: str, cues: list[Span], stext: str) -> str:
    """The cue behind a modality, for the claim's ``why``."""
    wanted = {
        "negated": ("negated",),
        "possible": ("possible",),
        "reported": ("hedge", "source", "attribution"),
    }.get(modality)
    if wanted is None:
        return "no attribution or hedge"
    cue = next((c for c in cues if c.label in wanted), None)
    return f"cue {stext[cue.start:cue.end]!r}" if cue else "a source is named"


SPEAKER_REACH = 3  # tokens between a speaker noun and its reporting verb


def _active_speakers(cues: list[Span]) -> list[Span]:
    """Speaker nouns ("commander", "comandante", "지휘관") next to a reporting verb: the
    sentence names an unregistered source."""
    speakers = [c for c in cues if c.label == "speaker"]
    if not speakers:
        return []
    verbs = [c for c in cues if c.label in ("attribution", "source")]
    return [
        k
        for k in speakers
        if any(
            0 <= k.first - v.last <= SPEAKER_REACH or 0 <= v.first - k.last <= SPEAKER_REACH
            for v in verbs
        )
    ]


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
    return guarded(text, lambda t: _Extractor(t, lex, lexs, published).run())
