"""Whose people a number counts (the claim's ``subject``), as far as its own sentence says.

`subject_terms` keeps the nationality and country words that name the counted side, not the
speaker of an attribution ("a Ukrainian commander said"), a place ("in the Russian region of
Kursk") or a source; `side_in_sentence` picks the term nearest the number (country names lose
to demonyms beside the people counted) and gives no side when two are coordinated ("Russian
and Ukrainian losses").  Falling back on earlier sentences is the extractor's job (extract.py),
which holds the context.  Pure functions over one sentence.
"""

from __future__ import annotations

from worker.figures.claimants import ClaimantMatch
from worker.figures.lexicon import LanguageLexicon
from worker.figures.mentions import Span, Tokens, spans

WEAK_SUBJECT_COST = 3  # country names ("Russia") lose to demonyms next to the people counted


def subject_terms(
    lex: LanguageLexicon,
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


def side_in_sentence(
    lex: LanguageLexicon,
    mtok: tuple[int, int],
    terms: tuple[list[Span], list[Span]],
    stext: str,
) -> tuple[str | None, str] | None:
    """The side a term of the sentence names for the number, and why; ``None`` when the
    sentence names none (the caller then looks at earlier sentences)."""
    best: tuple[int, int, Span] | None = None
    before = int(lex.subject_prefer_before)  # on a tie, which side wins
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
    if best is None:
        return None
    chosen = best[2]
    code = chosen.label.split(":")[0]
    for other in terms[1]:
        if other.label.split(":")[0] == code:
            continue
        lo, hi = (chosen, other) if chosen.start < other.start else (other, chosen)
        if lex.coordination_re.fullmatch(stext, lo.end, hi.start):
            return None, f"sides coordinated: {stext[lo.start:hi.end]!r}"
    return code, f"term {stext[chosen.start:chosen.end]!r}"


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
