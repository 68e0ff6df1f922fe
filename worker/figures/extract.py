"""The extraction pipeline: sentences -> number mentions -> metric, subject, qualifier,
modality, claimant and scope, with context carried between sentences.

This module holds the document pass (`_Extractor`): it walks the sentences that can hold a
claim, assembles each sentence's claims (the metric chain, side, source, modality, scope) and
keeps what later sentences inherit (the subject and source of earlier sentences, the claims of
the sentence just before).  The per-sentence decisions it calls are pure functions of their own
modules: predicates.py (which word gives a number its metric), subjects.py (whose people a
sentence counts), attribution.py (who says it), relations.py (dates, recall, increments, parts
of a total, scope).

All language knowledge comes from the lexicon data; this module is language-agnostic.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from worker.figures.attribution import (
    active_speakers,
    continues,
    forward_claimants,
    modality_why,
    nearest_claimant,
)
from worker.figures.claimants import ClaimantMatch
from worker.figures.guard import guarded
from worker.figures.lexicon import LanguageLexicon, Lexicons, load_lexicons, match_label
from worker.figures.mentions import (
    Span,
    bounds,
    modality_near,
    qualifier_of,
    spans,
    tokenize,
    valid_mentions,
)
from worker.figures.model import Claim
from worker.figures.numbers import Mention
from worker.figures.predicates import metric_of, predicates
from worker.figures.relations import relations, scope_of
from worker.figures.sentences import Sentence, split_sentences
from worker.figures.subjects import side_in_sentence, subject_terms
from worker.figures.triggers import assign_triggers

CONTEXT_SENTENCES = 4  # how far back an implied subject may come from an earlier claim
# metrics that go on with one another's source in a bare next sentence ("The death toll
# stands at 600." after "4,700 casualties"), and those that do not (captives after losses)
_FAMILY = {"killed": "losses", "wounded": "losses", "casualties": "losses", "missing": "losses"}
DATE_CUE_REACH = 40  # characters between a reporting verb and the date after it
STATEMENT_REACH = 90  # ... between a date opening a statement and its reporting verb
ANAPHOR_SENTENCES = 8  # how far back "the agency" / "за його словами" may find its source


@dataclass(slots=True)
class _Context:
    """Per-sentence facts reused by later sentences (subject and claimant inheritance)."""

    subject: str | None = None
    claimant: ClaimantMatch | None = None
    incident: bool = False  # some claim of the sentence is scoped to an incident


class _Extractor:
    def __init__(
        self,
        text: str,
        lex: LanguageLexicon,
        lexicons: Lexicons,
        published: dt.date | None,
        offset: int = 0,
    ) -> None:
        self.text = text
        self.offset = offset  # where `text` starts in the text the claims' offsets point into
        self.lex = lex
        self.lexicons = lexicons
        self.published = published
        self.contexts: dict[int, _Context] = {}
        self.recent_subject: tuple[int, str] | None = None  # (sentence, subject) of last claim
        self.last_claims: list[Claim] = []  # claims of the latest sentence that had some
        self.last_claims_sentence = -1
        self.part_links: dict[int, int] = {}  # start of a part -> start of its total
        self._sentences: list[Sentence] | None = None

    @property
    def sentences(self) -> list[Sentence]:
        """Split on first use: `run` returns before splitting when nothing can be claimed.
        (Kept by hand, not with functools.cached_property: a class compiled by mypyc has no
        instance dict, and a cached_property there is computed again on every read.)"""
        if self._sentences is None:
            self._sentences = split_sentences(self.text, self.lex)
        return self._sentences

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
        terms = subject_terms(lex, stext, toks, found, [], speakers=active_speakers(cue_spans))[0]
        if terms:
            ctx.subject = terms[-1].label.split(":")[0]
        return ctx

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

    def _statement_before(self, k: int) -> Callable[[], tuple[ClaimantMatch | None, str]]:
        """The source and text of sentence ``k - 1``, read only when a relation needs them."""

        def read() -> tuple[ClaimantMatch | None, str]:
            p = self.sentences[k - 1]
            return self._context(k - 1).claimant, self.text[p.start : p.end]

        return read

    def _subject(
        self,
        k: int,
        m: Mention,
        mtok: tuple[int, int],
        terms: tuple[list[Span], list[Span]],
        stext: str,
    ) -> tuple[str | None, str]:
        """The side whose people the number counts, and why (the rule that decided it)."""
        said = side_in_sentence(self.lex, mtok, terms, stext)
        if said is not None:
            return said
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
            claims = forward_claimants(text, self.sentences, lex, self.lexicons, claims)
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
        speakers = active_speakers(cue_spans)
        if claimants:
            ctx.claimant = claimants[-1]
        elif lex.anaphor_re.search(stext):
            # "за його словами", "selon lui", "the agency said", "según estas fuentes": the
            # source named last
            ctx.claimant = self._latest_claimant(k)
        elif speakers:
            pass  # "..., a Ukrainian commander said": an unregistered speaker, no inheritance
        elif "hedge" in cues or ("attribution" in cues and "source" not in cues) or (
            "source" not in cues and continues(lex, stext)
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
        terms = subject_terms(
            lex,
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
        assigned = predicates(lex, stext, mentions, assigned, triggers, toks)
        used: list[Mention] = []
        for idx, (m, np) in enumerate(mentions):
            tr = assigned[idx]
            prev_claims = self.last_claims if self.last_claims_sentence == k - 1 else []
            chosen = metric_of(
                lex, stext, m, np, tr, out, used, prev_claims, prev_deploys, s.start, triggers
            )
            if chosen is None:
                continue
            metric, metric_why = chosen
            qualifier = qualifier_of(stext, m, lex)
            value, low, high = bounds(m.value, qualifier, m)
            if (metric, value) in seen:
                continue
            seen.add((metric, value))
            modality = modality_near(cue_spans, mtoks[idx], tr, toks) or default_modality
            later = mentions[idx + 1][0].start if idx + 1 < len(mentions) else None
            named = nearest_claimant(claimants, m, later)
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
                    scope=scope_of(lex, scopes, m, mtoks[idx], toks, stext)
                    or self._continued_scope(k, m, stext),
                    sentence=stext,
                    start=self.offset + s.start + m.start,
                    end=self.offset + s.start + m.end,
                    why={
                        "metric": metric_why,
                        "subject": subject_why,
                        "claimant": claimant_why,
                        "modality": modality_why(modality, cue_spans, stext),
                    },
                )
            )
        if out:
            prev_claims = self.last_claims if self.last_claims_sentence == k - 1 else []
            prev = self._statement_before(k) if k > 0 else None
            out = relations(lex, self.published, stext, out, used, cue_spans, prev_claims, prev,
                            self.part_links)
            self.last_claims = out
            self.last_claims_sentence = k
        if out:
            ctx.subject = out[-1].subject
            if ctx.subject is not None:
                self.recent_subject = (k, ctx.subject)
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
    return guarded(text, lambda t, offset: _Extractor(t, lex, lexs, published, offset).run())
