"""Fast matching of large sets of labelled phrases at word starts.

One big alternation (hundreds of aliases, trigger stems, cues) makes Python's regex engine try
every alternative at every word start.  :class:`Dispatcher` instead buckets the patterns by
their first character and, at each word start, runs only the small regex of that bucket.  The
result equals ``finditer`` of ``(?<!\\w)(?:p1|p2|...)`` where earlier patterns win at a position
(pass them in priority order, e.g. longest first).
"""

from __future__ import annotations

import functools
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


def _lookbehind(pattern: str) -> str | None:
    """A leading positive lookbehind of plain characters ("(?<=, )"), else None."""
    if not pattern.startswith("(?<="):
        return None
    end = pattern.find(")")
    body = pattern[4:end]
    if end < 0 or any(c in body for c in "\\[](|?*+{.^$"):
        return None
    return pattern[: end + 1]


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
    behind = _lookbehind(pattern)
    if behind is not None:
        return first_chars(pattern[len(behind) :])
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
    split = _split_group(pattern, opener)
    if split is None:
        return None  # unbalanced
    alternatives, after = split
    if _optional_after(pattern, after):
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


# Characters that match another character case-insensitively although neither is the other's
# simple upper, lower or title case (the Kelvin sign and "k", "ſ" and "s", the Cyrillic
# variant letters U+1C80-U+1C88 and their base letters, Greek symbol forms...): with the
# simple cases, every character a case-insensitive first character can match (checked
# against every code point by tests/unit/test_lexicon_fast_form.py).
_CASE_SPECIALS = frozenset(
    chr(c)
    for c in (
        0x49, 0x4B, 0x69, 0x73, 0xB5, 0xC5, 0x130, 0x131, 0x17F, 0x345, 0x390, 0x398, 0x3A9,
        0x3B0, 0x3B2, 0x3B5, 0x3B8, 0x3B9, 0x3BA, 0x3BC, 0x3C0, 0x3C1, 0x3C2, 0x3C3, 0x3C6,
        0x3D0, 0x3D1, 0x3D5, 0x3D6, 0x3F0, 0x3F1, 0x3F4, 0x3F5, 0x432, 0x434, 0x43E, 0x441,
        0x442, 0x44A, 0x463, 0x1C80, 0x1C81, 0x1C82, 0x1C83, 0x1C84, 0x1C85, 0x1C86, 0x1C87,
        0x1C88, 0x1E61, 0x1E9B, 0x1E9E, 0x1FBE, 0x1FD3, 0x1FE3, 0x2126, 0x212A, 0x212B,
        0xA64B, 0xFB05, 0xFB06,
    )
)


@functools.cache
def case_closure(key: str) -> frozenset[str]:
    """Every character that the one-character pattern ``key`` matches case-insensitively."""
    simple = {c for c in (key, key.lower(), key.upper(), key.title()) if len(c) == 1}
    test = re.compile(re.escape(key), re.IGNORECASE).fullmatch
    return frozenset(c for c in simple | _CASE_SPECIALS if test(c))


_QUANTIFIERS = frozenset("?*+{")


def _split_group(pattern: str, opener: str) -> tuple[list[str], int] | None:
    """Top-level alternatives of the group opening ``pattern`` and the index after it."""
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
                return alternatives, i + 1
        elif c == "|" and depth == 1:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    return None


def _can_start(fragment: str, key: str) -> bool:
    chars = first_chars(fragment)
    return chars is not None and key in {c.lower() for c in chars}


def rest_after(pattern: str, key: str) -> str | None:
    """The regex for what follows the first character of a match of ``pattern`` that starts
    with ``key`` (case-folded; the caller checks that one can): ``"illed"`` for ``"killed"``;
    None when the fragment's form is not understood (a quantified or case-sensitive first
    item, a capture or lookaround first...)."""
    if not pattern:
        return None
    behind = _lookbehind(pattern)
    if behind is not None:
        # "(?<=, )but": the lookbehind holds before the first character, so behind the
        # character after it once "." is added
        rest = rest_after(pattern[len(behind) :], key)
        return None if rest is None else f"(?<={behind[4:-1]}.){rest}"
    head = pattern[0]
    if head.isalnum() or (head == "\\" and len(pattern) > 1 and not pattern[1].isalnum()):
        width = 1 if head.isalnum() else 2
        return None if pattern[width : width + 1] in _QUANTIFIERS else pattern[width:]
    if head == "[":
        end = _skip_class(pattern, 0)
        return None if pattern[end : end + 1] in _QUANTIFIERS else pattern[end:]
    if pattern.startswith("(?-i:"):
        return _case_sensitive_rest(pattern, key)
    if not pattern.startswith("(?:"):
        return None  # a capture, a lookahead...
    split = _split_group(pattern, "(?:")
    if split is None:
        return None
    alternatives, after = split
    if pattern[after : after + 1] in _QUANTIFIERS:
        return None
    rests: list[str] = []
    for alt in alternatives:
        if not _can_start(alt, key):
            continue  # this alternative cannot begin here
        rest = rest_after(alt, key)
        if rest is None:
            return None
        rests.append(rest)
    return "(?:" + "|".join(rests) + ")" + pattern[after:] if rests else None


def _case_sensitive_rest(pattern: str, key: str) -> str | None:
    """`rest_after` of a case-sensitive group of literal-first alternatives ("(?-i:may)"):
    each alternative that starts with ``key`` checks its exact first character behind."""
    split = _split_group(pattern, "(?-i:")
    if split is None:
        return None
    alternatives, after = split
    if pattern[after : after + 1] in _QUANTIFIERS:
        return None
    rests: list[str] = []
    for alt in alternatives:
        if not alt[:1].isalnum() or alt[1:2] in _QUANTIFIERS:
            return None
        if alt[0].lower() == key:
            rests.append(f"(?<={re.escape(alt[0])}){alt[1:]}")
    return "(?-i:" + "|".join(rests) + ")" + pattern[after:] if rests else None


def word_start_form(
    items: Iterable[tuple[str, str | None]], *, word_end: bool, suffix: str = ""
) -> tuple[str, list[str]] | None:
    """A regex equal, match for match, to ``(?<!\\w)(?:p1|p2|...)`` (then ``(?!\\w)`` when
    ``word_end``, then ``suffix``) compiled case-insensitively, with the labels of its named
    groups ``g0``, ``g1``... (an item labelled None gets no group); None when some
    fragment's first character is not known or its form not understood: then use the plain
    form.

    Why: a pattern that opens with a lookbehind, or a case-insensitive one, makes Python's
    regex engine enter it at every character of the text (about 80 ns a character for our
    larger lexicons); one that opens with a case-sensitive character set lets it skip in C
    to the characters that can start a match. So this form opens with the set of every
    character that can begin a fragment (in all its cases), checks the word start behind
    it, then dispatches on that character (looking back at it, in runs of five as
    `alternation._dispatch` does) to the fragments that begin with it, each without its first
    character, case-insensitively. At a position the same fragments are tried in the same
    order, so the matches are the same; a group spans its match less the first character."""
    keyed: dict[str, list[tuple[str, str | None]]] = {}
    for pat, label in items:
        chars = first_chars(pat)
        if chars is None:
            return None
        for key in sorted({c.lower() for c in chars}):
            rest = rest_after(pat, key)
            if rest is None or len(key) != 1 or key == "\n":
                return None
            keyed.setdefault(key, []).append((rest, label))
    if not keyed:
        return None
    labels: list[str] = []
    buckets: list[tuple[str, str]] = []
    opening: set[str] = set()
    for key in sorted(keyed):
        # the class the plain form's lookahead uses ("(?=[Kk])", case-insensitive)
        cls = "".join(sorted({re.escape(key), re.escape(key.upper())}))
        opening |= case_closure(key)
        if len(key.upper()) == 1:
            opening |= case_closure(key.upper())
        alts: list[str] = []
        for rest, label in keyed[key]:
            if label is None:
                alts.append(rest)
            else:
                alts.append(f"(?P<g{len(labels)}>{rest})")
                labels.append(label)
        buckets.append((cls, "(?:" + "|".join(alts) + ")"))
    body: list[str] = []
    for i in range(0, len(buckets), 5):
        run = buckets[i : i + 5]
        inner = "|".join(f"(?<=[{cls}]){alts}" for cls, alts in run)
        if len(run) == 1:
            body.append(inner)
        else:
            union = "".join(cls for cls, _ in run)
            body.append(f"(?<=[{union}])(?:{inner})")
    first = "".join(sorted(re.escape(c) for c in opening))
    end = r"(?!\w)" if word_end else ""
    return f"[{first}](?<!\\w.)(?i:(?:{'|'.join(body)}){end}{suffix})", labels
