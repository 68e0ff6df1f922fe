"""Regular-expression alternations of lexicon fragments, compiled so the engine tries few
of them at each position (pure; used by lexicon.py and numsyntax.py).

`_alt` buckets a list's fragments by first character behind grouped lookaheads;
`_named_alternation` does the same for labelled groups (earlier groups win at a position, then
longer fragments); `_compile` and `_fast_form` give the word-start form of `scan.word_start_form`
where every fragment's first character is known (``FAST_FORM = False`` compiles the plain form,
for the speed-equivalence tests)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from worker.figures.scan import first_chars, longest_first, word_start_form

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


def _list(section: Mapping[str, Any], key: str) -> list[str]:
    value = section.get(key, [])
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]
