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
* **Sentences and pieces are capped.** The extractor's work per sentence grows faster than
  the sentence, so a stretch without a sentence end longer than `MAX_SENTENCE` characters is
  cut at whitespace (or, with none, hard) and each part is extracted on its own, and the text
  is extracted in pieces of at most `MAX_PIECE` characters cut at sentence ends (preferably at
  paragraph breaks). A real article is one piece of ordinary sentences, so its claims are
  exactly those of the unguarded extractor.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

MAX_SENTENCE = 500  # characters between two sentence ends: 45 of 18,445 real ones are longer
MAX_PIECE = 20_000  # characters given to one extractor call; a long article is ~15,000
MAX_DIGITS = 18  # digits in one number run: "1 000 000 000" has 10; a figure is < 10**9

# every Cf character of Unicode 15 lies in these ranges; the class is checked per character
_CF_CANDIDATES = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
# A number run: digits, each pair joined by at most one of the separators found inside
# numbers ("1 000 000", "1.234,5", "18'000"). Matched from its first digit, only when it has
# more than MAX_DIGITS digits (a run with fewer fails within 2 * MAX_DIGITS characters).
_LONG_RUN = re.compile(rf"\d(?:[ \u00a0\u2009\u202f.,'\u2019]?\d){{{MAX_DIGITS},}}")
_SENTENCE_END = re.compile(r"[.!?。？！]+[\"'»”’)\]]*(?=\s)|\n")

C = TypeVar("C")


def guarded(text: str, extract: Callable[[str], Sequence[C]]) -> list[C]:
    """`extract` applied to the visible, bounded form of `text`; offsets mapped back.

    Claims are dataclasses with `start` and `end` (see worker.figures.model.Claim)."""
    clean, origin = visible(text)
    clean = blank_number_runs(clean)
    spans = pieces(clean)
    out: list[C] = []
    for lo, hi in spans:
        found = extract(clean[lo:hi] if len(spans) > 1 else clean)
        if origin is None and lo == 0:
            out.extend(found)
            continue
        for claim in found:
            c: Any = claim
            start, end = lo + c.start, lo + c.end
            if origin is not None:  # the last character's origin, plus one
                start, end = origin[start], origin[end - 1] + 1 if end > start else origin[start]
            out.append(replace(c, start=start, end=end))
    return out


def visible(text: str) -> tuple[str, list[int] | None]:
    """`text` without its format (Cf) characters, and for each kept character (plus one past
    the end) its offset in `text`; None for the offsets when nothing was removed."""
    if _CF_CANDIDATES.search(text) is None:
        return text, None
    kept: list[str] = []
    origin: list[int] = []
    pos = 0
    for m in _CF_CANDIDATES.finditer(text):
        if unicodedata.category(m.group()) != "Cf":
            continue
        kept.append(text[pos:m.start()])
        origin.extend(range(pos, m.start()))
        pos = m.end()
    if not origin and pos == 0:
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
    """(start, end) spans covering `text` in order: runs of whole sentences of at most
    MAX_PIECE characters (cut after a line break when one is in the piece), and each part of
    a sentence longer than MAX_SENTENCE on its own."""
    ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    ends.append(len(text))
    starts = [0, *ends[:-1]]
    if len(text) <= MAX_PIECE and max(map(operator.sub, ends, starts)) <= MAX_SENTENCE:
        return [(0, len(text))]  # an ordinary article
    units: list[tuple[int, int, bool]] = []  # (start, end, part of a cut sentence)
    for a, b in zip(starts, ends, strict=True):
        if b > a:
            units.extend(_cut(a, b, text))
    out: list[tuple[int, int]] = []
    lo = hi = 0
    line_end: int | None = None  # the latest unit end in the current piece after a "\n"
    for a, b, part in units:
        if part:
            if hi > lo:
                out.append((lo, hi))
            out.append((a, b))
            lo = hi = b
            line_end = None
            continue
        if b - lo > MAX_PIECE and hi > lo:
            cut = line_end if line_end is not None else hi
            out.append((lo, cut))
            lo = cut
            line_end = None
        hi = b
        if text[b - 1] == "\n":
            line_end = b
    if hi > lo:
        out.append((lo, hi))
    return out or [(0, len(text))]


def _cut(start: int, end: int, text: str) -> list[tuple[int, int, bool]]:
    """[start, end) as one unit, or, when longer than MAX_SENTENCE, cut into parts of at
    most that, each ending after a whitespace character of its second half if it has one."""
    if end - start <= MAX_SENTENCE:
        return [(start, end, False)]
    out: list[tuple[int, int, bool]] = []
    while start < end:
        cut = min(end, start + MAX_SENTENCE)
        if cut < end:
            half = start + MAX_SENTENCE // 2
            space = max(text.rfind(" ", half, cut), text.rfind("\u00a0", half, cut))
            if space >= 0:
                cut = space + 1
        out.append((start, cut, True))
        start = cut
    return out
