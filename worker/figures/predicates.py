"""Which trigger word gives a number its metric, when the nearest one is not what the sentence
says of the counted people.

`assign_triggers` (mentions.py) pairs each number with the nearest metric word.  A deployment
word that only qualifies the counted noun ("soldiers sent to aid Russia ... have died"), the
troops a figure is taken from ("600 of the 14,000 troops sent"), a metric named before its
number ("the number of casualties ... has surpassed 3,000") or an adjective qualifying
captives ("two wounded soldiers captured") would give the wrong metric; these rules move the
number to the word that states what happened to the people it counts.  Pure functions over
one sentence.
"""

from __future__ import annotations

from worker.figures.lexicon import LanguageLexicon
from worker.figures.mentions import Span, Tokens
from worker.figures.numbers import Mention
from worker.figures.populations import populations


def predicates(
    lex: LanguageLexicon,
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
    barrier = lex.scope_barrier_re
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


def coordinated(
    lex: LanguageLexicon, stext: str, prev_end: int, m: Mention, triggers: list[Span]
) -> bool:
    """The number is joined to the previous claimed number by "and" with no trigger or
    clause break between them."""
    if any(prev_end <= t.start and t.end <= m.start for t in triggers):
        return False
    between = stext[prev_end : m.start]
    return ";" not in between and lex.coordinator_re.search(between) is not None
