"""What the figure extractor is given: visible characters only, in pieces of bounded size.

Pure. `guarded(text, extract)` runs `extract` (the extractor proper, text -> claims) on a
prepared copy of `text` and returns its claims with `start`/`end` pointing back into `text`
itself, so `text[start:end]` is still the number as stored (invisible characters included).

Three things happen to the copy, all in linear time:

* **Invisible characters go.** Every format character (Unicode category Cf: zero-width space
  and joiners, the bidi marks, embeddings, overrides and isolates, the soft hyphen, the BOM,
  the word joiner) is removed, so "6\\u200b000" reads as 6000 and a bidi override inside "1200"
  cannot split it into 1 and 200. None of them is part of the wording of our seven languages.
* **Number runs are capped.** A run of digits joined by single separators ("1 000 000") with
  more than `MAX_DIGITS` digits states no figure - it is a table, a serial, an ID or an
  attack ("1 1 1 1 ...") - and is blanked (spaces, same length), so the number grammar never
  parses it.
* **Pieces are capped.** The extractor's work on a sentence grows with its numbers times its
  metric words, so the text is extracted in pieces of at most `MAX_PIECE` characters and
  `MAX_PIECE_NUMBERS` numbers, cut after a line break (paragraphs are independent for the
  extractor), else after a sentence end, else at a space; runs of more than three whitespace
  characters are shortened (the sentence splitter walks them at every line break); and only
  the first `MAX_NUMBERS` numbers of a text are read. A real article is one piece or a few cut
  at paragraphs, so its claims are those of the unguarded extractor.

Whitespace shortened and format characters removed are the only deletions; `origin` maps
each kept character back to the stored text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

MAX_PIECE = 8_000  # characters given to one extractor call
MAX_PIECE_NUMBERS = 12  # numbers (digit runs) in one extractor call
MAX_NUMBERS = 3_000  # numbers read in one text: the most in 989 real ones is 2,761
MAX_DIGITS = 18  # digits in one number run: "1 000 000 000" has 10; a figure is < 10**9

# every Cf character of Unicode 15 lies in these ranges (the class is checked per character),
# and runs of whitespace the extractor would walk again at every line break
_CF = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# "[Cf]|\s{4,}", opening with the set of its first characters so the regex engine skips in C
# to them (no Cf character is whitespace)
_REMOVABLE = re.compile(f"[{_CF}\\s](?:(?<=[{_CF}])|(?<=\\s)\\s{{3,}})")
# A number run: digits, each pair joined by at most one of the separators found inside
# numbers ("1 000 000", "1.234,5", "18'000"). Matched from its first digit, only when it has
# more than MAX_DIGITS digits (a run with fewer fails within 2 * MAX_DIGITS characters).
_LONG_RUN = re.compile(rf"\d(?:[ \u00a0\u2009\u202f.,'\u2019]?\d){{{MAX_DIGITS},}}")
_SENTENCE_END = re.compile(r"[.!?。？！]+[\"'»”’)\]]*(?=\s)")
_NUMBER = re.compile(r"\d+(?:[ \u00a0\u2009\u202f.,'\u2019]\d+)*")

C = TypeVar("C")


def guarded(text: str, extract: Callable[[str, int], Sequence[C]]) -> list[C]:
    """`extract(piece, offset)` applied to each piece of the visible, bounded form of `text`,
    where `offset` is where the piece starts in that form (the extractor adds it to the
    offsets of its claims); offsets mapped back to `text` when characters were removed.

    Claims are dataclasses with `start` and `end` (see worker.figures.model.Claim)."""
    clean, origin = visible(text)
    clean = blank_number_runs(clean)
    spans = pieces(clean)
    out: list[C] = []
    for lo, hi in spans:
        found = extract(clean[lo:hi] if len(spans) > 1 else clean, lo)
        if origin is None:
            out.extend(found)
            continue
        for claim in found:
            c: Any = claim
            start, end = c.start, c.end  # the end: the last character's origin, plus one
            out.append(replace(c, start=origin[start],
                               end=origin[end - 1] + 1 if end > start else origin[start]))
    return out


def visible(text: str) -> tuple[str, list[int] | None]:
    """`text` without its format (Cf) characters and with each run of more than three
    whitespace characters shortened to its first character and first two line breaks, and
    for each kept character (plus one past the end) its offset in `text`; None for the
    offsets when nothing was removed."""
    if _REMOVABLE.search(text) is None:
        return text, None
    kept: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _REMOVABLE.finditer(text):
        found = m.group()
        if len(found) == 1 and unicodedata.category(found) != "Cf":
            continue
        kept.append(text[pos:m.start()])
        origin.extend(range(pos, m.start()))
        if len(found) > 1:  # a whitespace run: its first character and first two breaks
            first = found.find("\n")
            second = found.find("\n", first + 1) if first >= 0 else -1
            for i in sorted({0, first, second} - {-1}):
                kept.append(found[i])
                origin.append(m.start() + i)
        pos = m.end()
    if pos == 0:
        return text, None
    kept.append(text[pos:])
    origin.extend(range(pos, len(text) + 1))
    return "".join(kept), origin


def blank_number_runs(text: str) -> str:
    """Over-long number runs replaced by spaces (lengths unchanged)."""
    parts: list[str] = []
    pos = 0
    for m in _LONG_RUN.finditer(text):
        parts.append(text[pos:m.start()])
        parts.append(" " * (m.end() - m.start()))
        pos = m.end()
    if not parts:
        return text
    parts.append(text[pos:])
    return "".join(parts)


def pieces(text: str) -> list[tuple[int, int]]:
    """(start, end) spans covering `text` in order (up to its MAX_NUMBERS-th number), each of
    at most MAX_PIECE characters and MAX_PIECE_NUMBERS numbers, cut after a line break when
    the span has one, else after a sentence end, else after a space (else at the cap)."""
    n = len(text)
    numbers = [m.start() for m in _NUMBER.finditer(text)]
    if n <= MAX_PIECE and len(numbers) <= MAX_PIECE_NUMBERS:
        return [(0, n)]  # an ordinary article
    if len(numbers) > MAX_NUMBERS:  # the rest is not read
        n = _last_cut(text, numbers[MAX_NUMBERS - 1], numbers[MAX_NUMBERS])
    out: list[tuple[int, int]] = []
    lo = 0
    while n - lo > 0:
        limit = min(n, lo + MAX_PIECE)
        first = bisect.bisect_left(numbers, lo)
        if first + MAX_PIECE_NUMBERS < len(numbers):
            limit = min(limit, numbers[first + MAX_PIECE_NUMBERS])
        if limit >= n:
            out.append((lo, n))
            break
        cut = _last_cut(text, lo, limit)
        out.append((lo, cut))
        lo = cut
    return out


def _last_cut(text: str, lo: int, limit: int) -> int:
    """The best place in (lo, limit] to end a piece: after the last line break, else after
    the last sentence end, else after the last space; else `limit` itself."""
    at = text.rfind("\n", lo, limit)
    if at >= lo:
        return at + 1
    window = text[lo:limit]
    end = None
    for m in _SENTENCE_END.finditer(window):
        end = m.end()
    if end:
        return lo + end
    at = max(window.rfind(" "), window.rfind("\u00a0"), window.rfind("\t"))
    return lo + at + 1 if at >= 0 else limit
