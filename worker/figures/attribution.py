"""Who a figure is attributed to, as far as the cues of the text say, and how sure its wording is.

The nearest source named in a sentence (`nearest_claimant`), a source named only after the
figures (`forward_claimants`: "Об этом сообщило агентство", a quotation closed by its
speaker), an unregistered speaker that stops inheritance (`active_speakers`: "a Ukrainian
commander said"), a sentence that goes on with the previous one's report (`continues`), and
the cue behind a modality (`modality_why`).  Inheriting a source from earlier sentences is the
extractor's job (extract.py), which holds the context.  Pure functions.
"""

from __future__ import annotations

from dataclasses import replace

from worker.figures.claimants import ClaimantMatch
from worker.figures.lexicon import LanguageLexicon, Lexicons
from worker.figures.mentions import Span
from worker.figures.model import Claim
from worker.figures.numbers import Mention
from worker.figures.sentences import Sentence

QUOTES_OPEN = "«“„‹"
QUOTES_CLOSE = "»”‹›"
SPEAKER_REACH = 3  # tokens between a speaker noun and its reporting verb


def _open_quote(text: str, start: int, end: int) -> bool:
    """The sentence opens a quotation it does not close (or continues one: straight quotes
    counted by parity)."""
    seg = text[start:end]
    opened = sum(seg.count(q) for q in QUOTES_OPEN) - sum(seg.count(q) for q in "»”›")
    return opened > 0 or seg.count('"') % 2 == 1


def _closes_quote(text: str, start: int, end: int) -> bool:
    seg = text[start:end]
    return any(q in seg for q in "»”›") or seg.count('"') % 2 == 1


def continues(lex: LanguageLexicon, stext: str) -> bool:
    """The sentence opens by continuing the previous one: a back-reference to its figures
    ("Из них", "Of them", "그중") or a continuation word ("Ще", "Another", "Weitere")."""
    head = stext[:40]
    return (
        lex.part_before_re.match(head) is not None
        or lex.part_lead_re.match(head) is not None
        or lex.continuation_re.match(head) is not None
    )


def forward_claimants(
    text: str,
    sentences: list[Sentence],
    lex: LanguageLexicon,
    lexicons: Lexicons,
    claims: list[tuple[int, Claim]],
) -> list[tuple[int, Claim]]:
    """A source named after the figures: a later sentence of the paragraph opens with a
    back-reference ("Про це заявив президент", "Об этом сообщило агентство", "C'est ce
    qu'a rapporté", "이같이 밝혔다"), or the figures sit in a quotation that a later
    sentence closes with its speaker ("«... 12 тисяч приїхали ...», — сказав президент").
    Sentences between them may only carry more unattributed figures or the quotation."""
    with_figures = {k for k, c in claims if c.claimant is None}
    found: dict[int, ClaimantMatch | None] = {}
    para_start: dict[int, int] = {}
    for s in sentences:
        para_start.setdefault(s.paragraph, s.start)

    def source_after(k: int) -> ClaimantMatch | None:
        if k in found:
            return found[k]
        result: ClaimantMatch | None = None
        s = sentences[k]
        quoted = _open_quote(text, para_start[s.paragraph], s.end)
        for j in range(k + 1, min(len(sentences), k + 5)):
            nxt = sentences[j]
            if nxt.paragraph != s.paragraph and j > k + 1:
                break
            named = lexicons.claimants.find(text[nxt.start : nxt.end])
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


def nearest_claimant(
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


def active_speakers(cues: list[Span]) -> list[Span]:
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


def c_inherits(claim: Claim) -> bool:
    """The claim's source was carried over from an earlier sentence."""
    return claim.why.get("claimant", "").startswith("inherited")


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
