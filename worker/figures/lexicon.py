"""Loading and precompiling the per-language lexicon data files.

Every language-specific word lives in ``worker/figures/lexicons/<lang>.toml``; this module turns
those lists into compiled regular expressions once, so extraction never compiles anything.
Patterns in the data files are regular-expression fragments, matched case-insensitively unless
wrapped in ``(?-i:...)``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worker.data import CLAIMANTS, packaged
from worker.figures.claimants import ClaimantRegistry, load_claimants
from worker.figures.scan import first_chars, longest_first, word_start_form
from worker.figures.timing import TimeSyntax, build_time

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
DEFAULT_CLAIMANTS = packaged(CLAIMANTS)
LANGUAGES = ("en", "fr", "de", "es", "ru", "uk", "ko")

_FLAGS = re.IGNORECASE | re.UNICODE


def _keys(pattern: str) -> frozenset[str] | None:
    """Case-folded possible first characters of a fragment (None: could start anywhere)."""
    chars = first_chars(pattern)
    return None if chars is None else frozenset(c.lower() for c in chars)


def _guard(patterns: Iterable[str]) -> str:
    """Lookahead on the possible first characters of ``patterns`` (empty if unknown)."""
    chars: set[str] = set()
    for pat in patterns:
        keys = _keys(pat)
        if keys is None:
            return ""
        for key in keys:
            chars.update((key, key.upper()))
    return "(?=[" + "".join(sorted(re.escape(c) for c in chars)) + "])" if chars else ""


def _alt(patterns: Iterable[str]) -> str:
    """Alternation of regex fragments, longest first so longer phrases win at a position.

    Fragments are bucketed by (case-folded) first character behind a lookahead, so at a
    given position the engine only tries the few fragments that can start there."""
    items = sorted({p for p in patterns if p}, key=longest_first)
    if not items:
        return "(?!)"
    if len(items) < 8:
        return "(?:" + "|".join(items) + ")"
    buckets: dict[str, list[str]] = {}
    for pat in items:
        for key in sorted(_keys(pat) or {""}):
            buckets.setdefault(key, []).append(pat)
    keyed: list[tuple[str, str]] = []
    for key, pats in buckets.items():
        if not key:
            continue
        chars = "".join(sorted({re.escape(c) for c in (key, key.upper())}))
        keyed.append((chars, "(?:" + "|".join(pats) + ")"))
    branches = [_dispatch(keyed)] if keyed else []
    if "" in buckets:
        branches.append("(?:" + "|".join(buckets[""]) + ")")
    return "(?:" + "|".join(branches) + ")"


_GROUP = 5  # first-character buckets behind one shared lookahead


def _dispatch(keyed: Sequence[tuple[str, str]]) -> str:
    """Alternation of ``(?=[chars])branch`` items, in order, as a two-level tree: runs of
    `_GROUP` consecutive buckets sit behind one lookahead on the union of their characters,
    so at a word start the engine tests a few group lookaheads and the buckets of one group
    instead of every bucket. Same matches: a skipped group is one none of whose buckets
    could start at this character, and the order of the buckets is kept."""
    out: list[str] = []
    for i in range(0, len(keyed), _GROUP):
        run = keyed[i : i + _GROUP]
        inner = "|".join(f"(?=[{chars}]){body}" for chars, body in run)
        if len(run) == 1:
            out.append(inner)
        else:
            union = "".join(chars for chars, _ in run)
            out.append(f"(?=[{union}])(?:{inner})")
    return "|".join(out)


def _word(body: str, *, word_end: bool) -> str:
    return rf"(?<!\w){body}" + (r"(?!\w)" if word_end else "")


def _named_alternation(
    groups: Sequence[tuple[str, Sequence[str]]], *, word_end: bool
) -> tuple[re.Pattern[str], list[str]]:
    """Compile labelled pattern groups into one regex; return the label of each named group.

    At a position, earlier groups win, and within a group longer fragments win.  Fragments
    are bucketed by their (case-folded) first character across all groups, so the engine
    tests one bucket per word start instead of every group; fragments without a literal
    first character join every bucket at their rank (and a catch-all branch)."""
    ranked = [
        (label, pat)
        for label, patterns in groups
        for pat in sorted({p for p in patterns if p}, key=longest_first)
    ]
    fast = _fast_form([(pat, label) for label, pat in ranked], word_end=word_end)
    if fast is not None:
        return fast
    firsts = [_keys(pat) for _, pat in ranked]
    keys = sorted({k for f in firsts if f is not None for k in f})
    labels: list[str] = []
    keyed: list[tuple[str, str]] = []
    branches: list[str] = []
    for key in [*keys, None]:
        parts: list[str] = []
        for (label, pat), first in zip(ranked, firsts, strict=True):
            if first is None or (key is not None and key in first):
                parts.append(f"(?P<g{len(labels)}>{pat})")
                labels.append(label)
        if not parts:
            continue
        if key is None:
            branches.append("(?:" + "|".join(parts) + ")")
        else:
            cls = "".join(sorted({re.escape(c) for c in (key, key.upper())}))
            keyed.append((cls, "(?:" + "|".join(parts) + ")"))
    if keyed:
        branches.insert(0, _dispatch(keyed))
    body = "|".join(branches) if branches else "(?!)"
    return re.compile(_word(f"(?:{body})", word_end=word_end), _FLAGS), labels


def _labelled(match: re.Match[str], labels: Sequence[str]) -> str:
    name = match.lastgroup
    assert name is not None
    return labels[int(name[1:])]


@dataclass(frozen=True, slots=True)
class NumberSyntax:
    """Everything the number finder needs for one language."""

    language: str
    text2num_lang: str | None
    decimal_separator: str
    digit_re: re.Pattern[str]
    scales: Mapping[str, int]
    compound_units: Mapping[str, int]
    approx_suffix_re: re.Pattern[str]
    vague_re: re.Pattern[str]
    vague_values: Sequence[tuple[int, str]]
    word_run_re: re.Pattern[str] | None
    word_table: Mapping[str, float]
    word_scales: frozenset[str]
    articles: frozenset[str]
    # "около тысячи" is "about a thousand", not "about thousands": a qualifier before a
    # one-word vague quantity makes it a count
    vague_takes_qualifier: bool = False


@dataclass(frozen=True, slots=True)
class LanguageLexicon:
    language: str
    numbers: NumberSyntax
    word_end: bool
    token_re: re.Pattern[str]
    trigger_re: re.Pattern[str]
    trigger_labels: list[str]
    deploy_context_re: re.Pattern[str]
    people_re: re.Pattern[str]
    people_attached_re: re.Pattern[str]
    civilian_re: re.Pattern[str]
    reject_after_re: re.Pattern[str]
    reject_before_re: re.Pattern[str]
    ordinal_after_re: re.Pattern[str]
    attached_ok_re: re.Pattern[str]
    function_words: frozenset[str]
    np_links: frozenset[str]
    subject_re: re.Pattern[str]
    subject_labels: list[str]
    location_before_re: re.Pattern[str]
    location_after_re: re.Pattern[str]
    place_before_re: re.Pattern[str]
    coordination_re: re.Pattern[str]
    self_anchoring: bool
    verb_final: bool  # the reporting verb closes the clause (Korean): it may follow the figure
    qual_before_re: re.Pattern[str]
    qual_before_labels: list[str]
    qual_after_re: re.Pattern[str]
    qual_after_labels: list[str]
    range_join_re: re.Pattern[str]
    range_weak_join_re: re.Pattern[str]
    coordinator_re: re.Pattern[str]
    subject_prefer_before: bool
    after_window: int
    before_window: int
    scope_barrier_re: re.Pattern[str]
    range_prefix_re: re.Pattern[str]
    total_anaphor_re: re.Pattern[str]
    modality_re: re.Pattern[str]
    modality_labels: list[str]
    scope_re: re.Pattern[str]
    scope_labels: list[str]
    continuation_re: re.Pattern[str]
    abbreviations: frozenset[str]
    starters_re: re.Pattern[str] | None
    starters: frozenset[str]
    ordinal_dot: bool
    time: TimeSyntax
    recall_re: re.Pattern[str]
    increment_before_re: re.Pattern[str]
    increment_after_re: re.Pattern[str]
    part_before_re: re.Pattern[str]
    part_after_re: re.Pattern[str]
    subset_after_re: re.Pattern[str]
    anaphor_re: re.Pattern[str]
    part_lead_re: re.Pattern[str]
    origin_before_re: re.Pattern[str]
    contrast_re: re.Pattern[str]
    clause_break_re: re.Pattern[str]
    earlier_conflict_re: re.Pattern[str]
    count_of_re: re.Pattern[str]
    now_re: re.Pattern[str]
    rate_after_re: re.Pattern[str]
    population_before_re: re.Pattern[str]
    share_before_re: re.Pattern[str]
    unnumbered_before_re: re.Pattern[str]
    population_after_re: re.Pattern[str]
    forward_re: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Lexicons:
    languages: Mapping[str, LanguageLexicon]
    claimants: ClaimantRegistry
    sources: tuple[Path, ...] = field(default=())

    def get(self, language: str) -> LanguageLexicon | None:
        return self.languages.get(language.lower()[:2]) if language else None


def _list(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _compile(
    patterns: Iterable[str], *, word_end: bool, prefix: str = "", suffix: str = ""
) -> re.Pattern[str]:
    """``prefix (?<!\\w)(?:p1|p2|...)`` (longest first) ``(?!\\w)`` (when ``word_end``)
    ``suffix``, case-insensitive; in the fast form when there is no prefix."""
    items = sorted({p for p in patterns if p}, key=longest_first)
    if not prefix:
        fast = _fast_form([(p, None) for p in items], word_end=word_end, suffix=suffix)
        if fast is not None:
            return fast[0]
    return re.compile(prefix + _word(_alt(items), word_end=word_end) + suffix, _FLAGS)


# FAST_FORM off compiles every lexicon regex in its plain form (the speed-equivalence test
# compares the two)
FAST_FORM = True


def _fast_form(
    items: Sequence[tuple[str, str | None]], *, word_end: bool, suffix: str = ""
) -> tuple[re.Pattern[str], list[str]] | None:
    """`scan.word_start_form` compiled (it is case-insensitive inside), or None."""
    if not FAST_FORM:
        return None
    form = word_start_form(items, word_end=word_end, suffix=suffix)
    if form is None:
        return None
    return re.compile(form[0], re.UNICODE), form[1]


def _build_numbers(lang: str, data: Mapping[str, Any]) -> NumberSyntax:
    num = data.get("numbers", {})
    scales: dict[str, int] = {str(k): int(v) for k, v in num.get("scales", {}).items()}
    units: dict[str, int] = {str(k): int(v) for k, v in num.get("compound_units", {}).items()}
    # thousands grouped by a space (plain, no-break, narrow no-break, thin), comma, dot or
    # apostrophe ("12'000", Swiss usage)
    plain = (
        r"\d{1,3}(?:(?:[ \u00a0\u202f\u2009'’]|,|\.)\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    )
    scale_alt = "|".join(f"(?P<s{i}>{k})" for i, k in enumerate(scales)) or "(?!)"
    if units:
        unit_alt = _alt(re.escape(u) for u in units)
        n = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
        compound = rf"{n}\s?{unit_alt}(?:\s?{n}\s?{unit_alt})*(?:\s?\d+(?![.,]\d))?"
        core = f"(?P<compound>{compound})|(?P<plain>{plain})"
    else:
        core = f"(?P<plain>{plain})"
    digit = (
        rf"(?=\d)(?<![\w.,/:])(?<![^\W\d]-)(?:{core})"
        rf"(?:[ \u00a0\u202f\u2009-]?(?P<scale>{scale_alt})(?!\w))?"
    )
    vague_entries: list[tuple[str, int, str]] = []
    for entry in num.get("vague", []):
        vague_entries.append(
            (str(entry[0]), int(entry[1]), str(entry[2]) if len(entry) > 2 else "vague")
        )
    vague_parts = [f"(?P<v{i}>{pat})" for i, (pat, _, _) in enumerate(vague_entries)]
    end = r"(?!\w)" if data.get("word_end", True) else ""
    vague_values = [(v, q) for _, v, q in vague_entries]
    vague_fast = _fast_form(
        [(pat, str(i)) for i, (pat, _, _) in enumerate(vague_entries)],
        word_end=bool(data.get("word_end", True)),
    )
    if vague_fast is not None:
        # group g<j> is the entry its label names
        vague_re = vague_fast[0]
        vague_values = [vague_values[int(label)] for label in vague_fast[1]]
    else:
        vague_re = re.compile(
            r"(?<!\w)"
            + _guard(v[0] for v in vague_entries)
            + "(?:"
            + ("|".join(vague_parts) if vague_parts else "(?!)")
            + ")"
            + end,
            _FLAGS,
        )
    words = _list(num, "words")
    table = {str(k).lower(): float(v) for k, v in num.get("table", {}).items()}
    word_alt_items = list(words) + [re.escape(k).replace("'", "['’ʼ]") for k in table]
    word_run_re: re.Pattern[str] | None = None
    if word_alt_items:
        w = _alt(word_alt_items)
        joiners = _alt(_list(num, "joiners")) if num.get("joiners") else "(?!)"
        word_run_re = _compile(
            word_alt_items,
            word_end=False,
            suffix=rf"(?:(?:\s+|-)(?:{joiners}(?:\s+|-))?{w})*(?![\w'’ʼ])",
        )
    return NumberSyntax(
        language=lang,
        text2num_lang=str(num["text2num"]) if num.get("text2num") else None,
        decimal_separator=str(num.get("decimal_separator", ".")),
        digit_re=re.compile(digit, _FLAGS),
        scales=scales,
        compound_units=units,
        approx_suffix_re=re.compile(_alt(_list(num, "approx_suffix")), _FLAGS),
        vague_re=vague_re,
        vague_values=vague_values,
        word_run_re=word_run_re,
        word_table=table,
        word_scales=frozenset(s.lower() for s in _list(num, "word_scales")),
        articles=frozenset(s.lower() for s in _list(num, "articles")),
        vague_takes_qualifier=bool(num.get("vague_takes_qualifier", False)),
    )


def _build_language(lang: str, data: Mapping[str, Any]) -> LanguageLexicon:
    word_end = bool(data.get("word_end", True))
    metrics = data.get("metrics", {})
    order = _list(metrics, "order")
    trigger_groups = [
        (key.split("_")[0] + (":weak" if key.endswith("_weak") else ""), _list(metrics, key))
        for key in order
    ]
    trigger_re, trigger_labels = _named_alternation(trigger_groups, word_end=word_end)
    subjects = data.get("subjects", {})
    subject_groups: list[tuple[str, Sequence[str]]] = []
    for strength in ("strong", "weak"):
        for code, pats in subjects.get(strength, {}).items():
            subject_groups.append((f"{code}:{strength}", [str(p) for p in pats]))
    subject_re, subject_labels = _named_alternation(subject_groups, word_end=word_end)
    quals = data.get("qualifiers", {})
    before_groups = [
        (k.removesuffix("_before"), _list(quals, k)) for k in quals if k.endswith("_before")
    ]
    after_groups = [
        (k.removesuffix("_after"), _list(quals, k)) for k in quals if k.endswith("_after")
    ]
    qb_parts = [f"(?P<g{i}>{_alt(p)})" for i, (_, p) in enumerate(before_groups)]
    qa_parts = [f"(?P<g{i}>{_alt(p)})" for i, (_, p) in enumerate(after_groups)]
    qb_fast = _fast_form(
        [(pat, k) for k, p in before_groups for pat in sorted(set(p), key=longest_first) if pat],
        word_end=False,
        suffix=r"[\s\u00a0\u202f]*$",
    )
    qual_before_re, qual_before_labels = qb_fast or (
        re.compile(
            r"(?<!\w)(?:" + ("|".join(qb_parts) or "(?!)") + r")[\s\u00a0\u202f]*$", _FLAGS
        ),
        [k for k, _ in before_groups],
    )
    qual_after_re = re.compile(
        r"[\s\u00a0\u202f]*(?:" + ("|".join(qa_parts) or "(?!)") + ")", _FLAGS
    )
    mod = data.get("modality", {})
    # one scan for all modality cues; earlier groups win when cues overlap
    modality_re, modality_labels = _named_alternation(
        [
            (k, _list(mod, k))
            for k in ("negated", "possible", "hedge", "source", "attribution", "speaker")
        ],
        word_end=word_end,
    )
    scope = data.get("scope", {})
    scope_re, scope_labels = _named_alternation(
        [("cumulative", _list(scope, "cumulative")), ("incident", _list(scope, "incident"))],
        word_end=word_end,
    )
    rng = data.get("ranges", {})
    rej = data.get("reject", {})
    sent = data.get("sentences", {})
    rel = data.get("relations", {})
    starters = _list(sent, "starters")
    starters_re = (
        # whitespace after a lower-case letter, before a starter: opening with the space lets
        # the regex engine skip to spaces ("(?<=[a-z...])([ \t]+)(?=...)" tried everywhere)
        re.compile(
            r"([ \t](?<=[a-zß-ÿа-яёіїєґ][ \t])[ \t]*)(?=(?:" + "|".join(starters) + r")\b)"
        )
        if starters
        else None
    )
    return LanguageLexicon(
        language=lang,
        numbers=_build_numbers(lang, data),
        word_end=word_end,
        # digit groups stay one token: the comma of "1,000" is no clause comma
        token_re=re.compile(r"\d+(?:[.,]\d+)+|\w+(?:[-‐]\w+)*|[^\w\s]"),
        trigger_re=trigger_re,
        trigger_labels=trigger_labels,
        deploy_context_re=_compile(
            _list(metrics, "deployed") + _list(metrics, "deployed_weak"), word_end=word_end
        ),
        people_re=_compile(_list(data.get("people", {}), "nouns"), word_end=word_end),
        civilian_re=re.compile(
            _alt(_list(data.get("people", {}), "civilian")) + ("(?!\\w)" if word_end else ""),
            _FLAGS,
        ),
        people_attached_re=re.compile(_alt(_list(data.get("people", {}), "nouns")), _FLAGS),
        reject_after_re=re.compile(
            _alt(_list(rej, "after")) + ("(?!\\w)" if word_end else ""), _FLAGS
        ),
        reject_before_re=_compile(_list(rej, "before"), word_end=False, suffix=r"[\s\u00a0]*$"),
        ordinal_after_re=re.compile(_alt(_list(rej, "ordinal_after")), _FLAGS),
        attached_ok_re=re.compile(_alt(_list(rej, "attached_ok")) + r"(?!\w)", _FLAGS),
        function_words=frozenset(w.lower() for w in _list(data.get("people", {}), "function")),
        np_links=frozenset(w.lower() for w in _list(data.get("people", {}), "links")),
        subject_re=subject_re,
        subject_labels=subject_labels,
        location_before_re=_compile(
            _list(subjects, "location_before"), word_end=False, suffix=r"\s+$"
        ),
        place_before_re=_compile(_list(subjects, "place_before"), word_end=False, suffix=r"\s+$"),
        location_after_re=re.compile(_alt(_list(subjects, "location_after")), _FLAGS),
        coordination_re=re.compile(
            r"[\s,]*" + _alt(_list(subjects, "coordination")) + r"[\s,]*", _FLAGS
        ),
        self_anchoring=bool(subjects.get("self_anchoring", False)),
        verb_final=bool(rel.get("verb_final", False)),
        qual_before_re=qual_before_re,
        qual_before_labels=qual_before_labels,
        qual_after_re=qual_after_re,
        qual_after_labels=[k for k, _ in after_groups],
        range_join_re=re.compile(
            r"[\s\u00a0]*" + _alt(_list(rng, "join")) + r"[\s\u00a0]*", _FLAGS
        ),
        range_weak_join_re=re.compile(
            r"[\s\u00a0]*" + _alt(_list(rng, "weak_join")) + r"[\s\u00a0]*", _FLAGS
        ),
        coordinator_re=_compile(_list(rng, "weak_join") + _list(rng, "compare"), word_end=word_end),
        subject_prefer_before=str(subjects.get("prefer", "after")) == "before",
        after_window=int(data.get("windows", {}).get("after", 12)),
        before_window=int(data.get("windows", {}).get("before", 12)),
        scope_barrier_re=_compile(_list(scope, "barrier"), word_end=word_end),
        range_prefix_re=re.compile(
            r"(?<!\w)" + _alt(_list(rng, "prefix")) + r"[\s\u00a0]*$", _FLAGS
        ),
        total_anaphor_re=_compile(_list(rng, "total_anaphor"), word_end=word_end),
        modality_re=modality_re,
        modality_labels=modality_labels,
        scope_re=scope_re,
        scope_labels=scope_labels,
        continuation_re=_compile(_list(scope, "continuation"), word_end=word_end),
        abbreviations=frozenset(a.lower() for a in _list(sent, "abbreviations")),
        starters_re=starters_re,
        starters=frozenset(starters),
        ordinal_dot=bool(sent.get("ordinal_dot", False)),
        time=build_time(data.get("time", {})),
        recall_re=_compile(_list(rel, "recall"), word_end=word_end),
        # cue just before the number, qualifiers allowed between ("another roughly 1,000")
        increment_before_re=re.compile(
            r"(?<!\w)"
            + _alt(_list(rel, "increment_before"))
            + r"(?:[\s\u00a0]+\w+){0,2}[\s\u00a0]*$",
            _FLAGS,
        ),
        # cue just after the number or its noun ("3,000 more troops", "3 000 soldats
        # supplémentaires")
        increment_after_re=re.compile(
            r"[\s\u00a0]*(?:[^\W\d]+[\s\u00a0]+)?(?:명\s*)?" + _alt(_list(rel, "increment_after"))
            + ("(?!\\w)" if word_end else ""),
            _FLAGS,
        ),
        part_before_re=re.compile(
            r"(?<!\w)" + _alt(_list(rel, "part_before")) + r"[\s\u00a0,:]*(?:\w+[\s\u00a0]+){0,2}$",
            _FLAGS,
        ),
        part_after_re=re.compile(
            r"[\s\u00a0]*(?:명\s*)?" + _alt(_list(rel, "part_after")), _FLAGS
        ),
        subset_after_re=_compile(_list(rel, "subset_after"), word_end=word_end),
        anaphor_re=_compile(_list(rel, "anaphor"), word_end=word_end),
        part_lead_re=_compile(_list(rel, "part_before"), word_end=word_end),
        contrast_re=_compile(_list(rel, "contrast"), word_end=word_end),
        earlier_conflict_re=_compile(_list(rel, "earlier_conflict"), word_end=False),
        count_of_re=_compile(_list(rel, "count_of"), word_end=word_end),
        now_re=_compile(_list(rel, "now"), word_end=word_end),
        # right after the number and its noun: "80 men a day", "70 bajas diarias"
        rate_after_re=re.compile(
            r"[\s\u00a0]*(?:[^\W\d]+[\s\u00a0]+){0,2}?"
            + _alt(_list(rel, "rate_after"))
            + ("(?!\\w)" if word_end else ""),
            _FLAGS,
        ),
        # "a third of the estimated 10,000 ...", "la moitié des 11 000 ...": the number counts
        # the troops the share is taken from
        share_before_re=_compile(
            _list(rel, "share_before"),
            word_end=word_end,
            suffix=r"[\s\u00a0]+"
            + _alt(_list(rel, "population_before"))
            + r"(?:[\s\u00a0]+[^\W\d]+\.?){0,2}[\s\u00a0]*$",
        ),
        # "subissent de lourdes pertes", "pour compenser les pertes": right before a casualty
        # word, these make it no predicate of a number
        unnumbered_before_re=_compile(
            _list(rel, "unnumbered_before"),
            word_end=word_end,
            suffix=r"(?:[\s\u00a0]+[^\W\d]+){0,2}[\s\u00a0]+$",
        ),
        # "1만 3000명가량 가운데 ... 5100여 명": the number before these words is the population
        population_after_re=re.compile(
            r"[\s\u00a0]*(?:[^\W\d]{1,3}[\s\u00a0]*)?" + _alt(_list(rel, "population_after")),
            _FLAGS,
        ),
        population_before_re=re.compile(
            r"[\s\u00a0]*(?:[^\W\d]+[\s\u00a0]+){0,3}?"
            + _alt(_list(rel, "population_before"))
            + r"(?:[\s\u00a0]+[^\W\d]+){0,2}[\s\u00a0]*$",
            _FLAGS,
        ),
        # clause breaks of the relation pass: the scope barriers, also inside a word where
        # particles attach (Korean "정도지만")
        clause_break_re=(
            _compile(_list(scope, "barrier"), word_end=word_end)
            if word_end
            else re.compile(_alt(_list(scope, "barrier")), _FLAGS)
        ),
        # a people noun and "from" before a country: the country says whose people
        origin_before_re=_compile(
            _list(data.get("people", {}), "nouns"),
            word_end=word_end,
            suffix=r"[\s\u00a0]+"
            + _alt(_list(subjects, "origin_before") or ["(?!)"])
            + r"[\s\u00a0]+$",
        ),
        forward_re=_compile(_list(rel, "forward"), word_end=word_end),
    )


def _read_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def match_label(match: re.Match[str], labels: Sequence[str]) -> str:
    """Label of the named group that matched in a regex built by ``_named_alternation``."""
    return _labelled(match, labels)


def _load(claimants_path: Path, lexicon_dir: Path) -> Lexicons:
    languages: dict[str, LanguageLexicon] = {}
    sources: list[Path] = [claimants_path]
    for path in sorted(lexicon_dir.glob("*.toml")):
        data = _read_toml(path)
        lang = str(data.get("language", path.stem))
        languages[lang] = _build_language(lang, data)
        sources.append(path)
    return Lexicons(
        languages=languages, claimants=load_claimants(claimants_path), sources=tuple(sources)
    )


@functools.lru_cache(maxsize=1)
def _load_default() -> Lexicons:
    return _load(DEFAULT_CLAIMANTS, LEXICON_DIR)


def load_lexicons(config_dir: Path | None = None, *,
                  claimants_file: Path | None = None) -> Lexicons:
    """Load the language lexicons and the claimant registry: ``claimants_file``, else
    ``<config_dir>/claimants.toml``.

    With no argument the packaged ``worker/data/claimants.toml`` is used and the result is
    cached.
    """
    if claimants_file is not None and Path(claimants_file) != DEFAULT_CLAIMANTS:
        return _load(Path(claimants_file), LEXICON_DIR)
    if config_dir is None:
        return _load_default()
    return _load(Path(config_dir) / CLAIMANTS, LEXICON_DIR)
