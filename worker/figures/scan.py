"""Fast matching of large sets of labelled phrases at word starts.

One big alternation (hundreds of aliases, trigger stems, cues) makes Python's regex engine try
every alternative at every word start.  :class:`Dispatcher` instead buckets the patterns by
their first character and, at each word start, runs only the small regex of that bucket.  The
result equals ``finditer`` of ``(?<!\\w)(?:p1|p2|...)`` where earlier patterns win at a position
(pass them in priority order, e.g. longest first).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD_START = re.compile(r"(?<!\w)\w")
_WORD = re.compile(r"\w")


def first_char(pattern: str) -> str | None:
    """The literal first character of a regex fragment, or None if it is not a literal."""
    if pattern.startswith("\\") and len(pattern) > 1 and not pattern[1].isalnum():
        return pattern[1]
    return pattern[0] if pattern[:1].isalnum() else None


_GROUP_OPENERS = ("(?:", "(?-i:", "(?i:")


def _skip_class(pattern: str, i: int) -> int:
    """Index just after the character class opening at ``pattern[i] == "["``."""
    j = i + 1
    if pattern[j : j + 1] == "^":
        j += 1
    if pattern[j : j + 1] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


def _optional_after(pattern: str, j: int) -> bool:
    nxt = pattern[j : j + 1]
    return nxt in ("?", "*") or pattern.startswith("{0", j)


def first_chars(pattern: str) -> frozenset[str] | None:
    """Every character a match of the regex fragment can start with, or None if unknown.

    Understands a leading literal, escaped punctuation, a simple character class ("[ву]")
    and a leading group of alternatives ("(?:killed|dead|died)"), so such fragments are
    only tried at word starts that can begin them."""
    if not pattern:
        return None
    head = pattern[0]
    if head.isalnum() or (head == "\\" and len(pattern) > 1 and not pattern[1].isalnum()):
        width = 1 if head.isalnum() else 2
        if _optional_after(pattern, width):
            return None
        return frozenset(pattern[width - 1])
    if head == "[":
        end = _skip_class(pattern, 0)
        body = pattern[1 : end - 1]
        if not body or body.startswith("^") or "\\" in body or "-" in body[1:-1]:
            return None
        if _optional_after(pattern, end):
            return None
        return frozenset(body)
    opener = next((o for o in _GROUP_OPENERS if pattern.startswith(o)), None)
    if opener is None:
        return None
    depth, i, start = 1, len(opener), len(opener)
    alternatives: list[str] = []
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _skip_class(pattern, i)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                alternatives.append(pattern[start:i])
                break
        elif c == "|" and depth == 1:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    else:
        return None  # unbalanced
    if _optional_after(pattern, i + 1):
        return None
    chars: set[str] = set()
    for alt in alternatives:
        sub = first_chars(alt)
        if sub is None:
            return None
        chars |= sub
    return frozenset(chars)


class Dispatcher:
    """Labelled patterns matched at word starts, bucketed by first character."""

    __slots__ = ("_buckets", "_fallback", "_starts")

    def __init__(self, items: Iterable[tuple[str, str, bool]], *, word_end: bool) -> None:
        """``items``: (regex fragment, label, case_sensitive), highest priority first."""
        end = r"(?!\w)" if word_end else ""
        entries = list(items)
        keys_of: list[list[str | None]] = []
        for pat, _, sensitive in entries:
            firsts = first_chars(pat)
            if firsts is None:
                keys_of.append([None])
                continue
            cased = [
                k for c in sorted(firsts) for k in ((c,) if sensitive else (c.lower(), c.upper()))
            ]
            keys_of.append(list(dict.fromkeys(cased)))
        all_keys = {k for keys in keys_of for k in keys if k is not None}
        keyed: dict[str | None, list[tuple[str, str, bool]]] = {}
        for entry, keys in zip(entries, keys_of, strict=True):
            # a pattern without a literal first character may start anywhere: it joins every
            # bucket at its priority position, and the fallback for other characters
            targets = [*all_keys, None] if keys == [None] else keys
            for key in targets:
                keyed.setdefault(key, []).append(entry)
        self._buckets: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {}
        self._fallback: tuple[re.Pattern[str], tuple[str, ...]] | None = None
        self._starts = _WORD_START
        for key, group in keyed.items():
            parts = [
                f"(?P<g{i}>{pat})" if sensitive else f"(?i:(?P<g{i}>{pat}))"
                for i, (pat, _, sensitive) in enumerate(group)
            ]
            compiled = (re.compile("(?:" + "|".join(parts) + ")" + end), tuple(g[1] for g in group))
            if key is None:
                self._fallback = compiled
            else:
                self._buckets[key] = compiled
        if self._fallback is None:
            # only word starts that open a bucket: the engine skips the other characters
            opening = sorted(k for k in self._buckets if len(k) == 1 and _WORD.match(k))
            if opening:
                cls = "".join(re.escape(k) for k in opening)
                self._starts = re.compile(f"[{cls}](?<!\\w.)")

    def scan(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, label) matches in ``text[start:end]``."""
        stop = len(text) if end is None else end
        out: list[tuple[int, int, str]] = []
        limit = start
        get = self._buckets.get
        fallback = self._fallback
        for ws in self._starts.finditer(text, start, stop):
            pos = ws.start()
            if pos < limit:
                continue
            bucket = get(text[pos], fallback)
            if bucket is None:
                continue
            regex, labels = bucket
            m = regex.match(text, pos, stop)
            if m is not None and m.end() > pos:
                out.append((pos, m.end(), labels[int(str(m.lastgroup)[1:])]))
                limit = m.end()
        return out


def longest_first(pattern: str) -> tuple[int, str]:
    """Sort key of an alternation's patterns: the longest first (a longer spelling wins over a
    prefix of it), then alphabetical, so the order never depends on a set's (hash-seeded)
    iteration order and every process builds the same regular expression."""
    return -len(pattern), pattern
