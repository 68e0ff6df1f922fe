"""Numbers that count the troops a figure or a share is taken from (issue 11, class 2).

"a third of the estimated 10,000 ... were killed", "la moitié des 11 000 soldats envoyés",
"Von den 11.000 bis 12.000 Soldaten seien 1.000 gefallen", "1만 3000명가량 가운데 ... 5100여
명": the casualty word is the share's or the part's; the population number is a deployment.
The cues are lexicon data (``relations.share_before``, ``population_before``,
``population_after``)."""

from __future__ import annotations

from worker.figures.lexicon import LanguageLexicon
from worker.figures.mentions import Span, Tokens
from worker.figures.numbers import Mention


def populations(
    lex: LanguageLexicon,
    stext: str,
    mentions: list[tuple[Mention, str]],
    out: list[Span | None],
    triggers: list[Span],
    toks: Tokens,
) -> set[int]:
    """Numbers that count the troops a figure or share is taken from: "a third of the
    estimated 10,000 ... killed", "la moitié des 11 000 soldats", "Von den 11.000 bis
    12.000 Soldaten seien 1.000 gefallen", "1만 3000명가량 가운데 ... 5100여 명".  They
    are deployments (the deployment word after them if any, else the population cue)."""
    found: set[int] = set()
    for i, (m, np) in enumerate(mentions):
        tr = out[i]
        lo = max(0, m.start - 60)
        cue = lex.share_before_re.search(stext, lo, m.start)
        if cue is None and np != "bare":
            smaller = next(
                (
                    mm
                    for mm, _ in mentions[i + 1 :]
                    if mm.value is not None and m.value is not None and mm.value < m.value
                ),
                None,
            )
            if smaller is None or ";" in stext[m.end : smaller.start]:
                continue
            # "Von den 11.000 Soldaten seien 1.000 gefallen", "dijeron que de los
            # aproximadamente 11.000 soldados ..., 4.000 han sido bajas": the cue opens
            # the clause
            opening = max(
                stext.rfind(",", 0, m.start),
                stext.rfind(":", 0, m.start),
                mentions[i - 1][0].end - 1 if i else -1,
            )
            cue = lex.population_before_re.fullmatch(stext, opening + 1, m.start)
            if cue is None:
                cue = lex.population_after_re.match(stext, m.end)  # "1만 3000명 가운데"
        if cue is None:
            continue
        found.add(i)
        if tr is not None and tr.label.startswith("deployed"):
            continue  # "the estimated 10,000 soldiers deployed with ...": already so
        stop = mentions[i + 1][0].start if i + 1 < len(mentions) else len(stext)
        dep = next(
            (
                t
                for t in triggers
                if t.label.startswith("deployed")
                and m.end <= t.start < stop
                and toks.gap(toks.at(m.end - 1), t.first) <= 6
            ),
            None,
        )
        if dep is None:
            a, b = cue.start(), cue.end()
            dep = Span(a, b, "deployed:population", toks.at(a), toks.at(max(a, b - 1)))
        out[i] = dep
    return found
