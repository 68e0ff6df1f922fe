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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worker.data import CLAIMANTS, packaged
from worker.figures.alternation import (
    _FLAGS,
    _alt,
    _compile,
    _fast_form,
    _labelled,
    _list,
    _named_alternation,
)
from worker.figures.claimants import ClaimantRegistry, load_claimants
from worker.figures.numsyntax import NumberSyntax, _build_numbers
from worker.figures.scan import longest_first
from worker.figures.timing import TimeSyntax, build_time

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
DEFAULT_CLAIMANTS = packaged(CLAIMANTS)
LANGUAGES = ("en", "fr", "de", "es", "ru", "uk", "ko")

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
