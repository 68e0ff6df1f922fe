"""The metric of each number: which trigger word gives it, and what a number without one
takes from the figures before it.

`assign_triggers` (triggers.py) pairs each number with the nearest metric word.  A deployment
word that only qualifies the counted noun ("soldiers sent to aid Russia ... have died"), the
troops a figure is taken from ("600 of the 14,000 troops sent"), a metric named before its
number ("the number of casualties ... has surpassed 3,000") or an adjective qualifying
captives ("two wounded soldiers captured") would give the wrong metric; these rules move the
number to the word that states what happened to the people it counts (`predicates`).
`metric_of` then gives each number its metric: its trigger's, else that of a figure claimed
before it (a total referred back to, a coordinated or listed figure, a part, another group of
troops), else none and the number is no claim.  Pure functions over one sentence.
"""

from __future__ import annotations

from worker.figures.lexicon import LanguageLexicon
from worker.figures.mentions import Span, Tokens
from worker.figures.model import Claim
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


def metric_of(
    lex: LanguageLexicon,
    stext: str,
    m: Mention,
    np: str,
    tr: Span | None,
    out: list[Claim],
    used: list[Mention],
    prev_claims: list[Claim],
    prev_deploys: bool,
    offset: int,
    triggers: list[Span],
) -> tuple[str, str] | None:
    """The metric of a number and why, or None when the number is no claim.  The number's
    trigger ``tr`` decides, else the figures claimed before it in the sentence (``out``, for
    the numbers ``used``) or in the sentence just before (``prev_claims``): a total referred
    back to, a coordinated or listed figure, a part, another group of troops; a count of
    people after a deployment sentence (``prev_deploys``) is a deployment.  ``offset`` is
    where the sentence starts in the text."""
    if tr is not None and not (np == "civilian" and tr.label.startswith("deployed")):
        metric = tr.label.split(":")[0]
        metric_why = f"trigger {stext[tr.start:tr.end]!r}"
        if tr.label.endswith(":population"):
            metric_why = f"population a figure is taken from ({metric_why[8:]})"
    elif (out or prev_claims) and (
        lex.total_anaphor_re.search(
            stext, max(0, m.start - 60), m.start
        )
    ):
        # "... ce chiffre à environ 1 100": the figure just stated, maybe in the
        # previous sentence
        metric = (out or prev_claims)[-1].metric
        metric_why = "total of the previous figure"
    elif (
        out
        and not (np == "civilian" and out[-1].metric == "deployed")
        and coordinated(lex, stext, out[-1].end - offset, m, triggers)
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
        return None
    return metric, metric_why
