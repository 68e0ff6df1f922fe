"""Sentence splitting that keeps character offsets.

Besides terminal punctuation and line breaks, it splits a headline that was glued to the next
sentence without punctuation ("... en deux phases Toujours selon ...") when a lower-case word is
followed by a capitalised sentence starter listed in the language lexicon.  Such headline
sentences are flagged, so the extractor can drop a headline figure repeated by the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.figures.lexicon import LanguageLexicon

# Each regex here opens with the character it must start with (then looks behind at it), so
# the regex engine skips to those characters in C instead of trying the pattern at every one.
# "[.!?。？！]+[\"'»”’)\]]*(?=\s)|\n", opening with its first character:
_BOUNDARY_RE = re.compile(
    r"[.!?。？！\n](?:(?<=\n)|(?<=[.!?。？！])[.!?。？！]*[\"'»”’)\]]*(?=\s))"
)
_PARAGRAPH_RE = re.compile(r"\n[ \t\u00a0]*\n")
# a period glued to the next sentence: "... war effort.On Monday", "... verwundet.Das schrieb",
# "추산하고 있다.종합 사망자는" (a word of 3+ letters, the period, a capitalised word)
_GLUED_RE = re.compile(
    r"\.(?:(?<=[^\W\d_]{3}\.)(?=[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ][a-zß-öø-ÿа-яёіїєґ])|(?<=[다요]\.)(?=[가-힣]))"
)
_WORD_BEFORE_RE = re.compile(r"(\w+(?:\.\w+)*)\W*$")
_WORD_AFTER_RE = re.compile(r"\s*(\w+)")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    paragraph: int
    heading: bool


def _is_abbreviation(text: str, dot: int, lex: LanguageLexicon) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an ordinal, not a sentence."""
    m = _WORD_BEFORE_RE.search(text, max(0, dot - 24), dot)
    if not m:
        return False
    word = m.group(1)
    if word.lower() in lex.abbreviations:
        return True
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # initials: "J. Kirby"
    if not (lex.ordinal_dot and word.isdigit() and len(word) <= 3):
        return False
    # "am 9. Januar" is an ordinal; "auf etwa 600. Weitere 30 ..." ends a sentence: an
    # ordinal is never followed by a sentence starter (article, pronoun, "Weitere")
    nxt = _WORD_AFTER_RE.match(text, dot + 1)
    return nxt is None or nxt.group(1) not in lex.starters


def _next_starts_sentence(text: str, pos: int) -> bool:
    n = len(text)
    while pos < n and text[pos].isspace():
        pos += 1
    if pos >= n:
        return True
    ch = text[pos]
    return not ch.islower()


def split_sentences(text: str, lex: LanguageLexicon) -> list[Sentence]:
    cuts: list[tuple[int, bool]] = []  # (end offset, previous piece is a glued headline)
    for m in _BOUNDARY_RE.finditer(text):
        if m.group() == "\n":
            if _next_starts_sentence(text, m.end()):  # not a hard-wrapped sentence
                cuts.append((m.end(), False))
            continue
        end = m.end()
        if m.group()[0] == "." and _is_abbreviation(text, m.start(), lex):
            continue
        if not _next_starts_sentence(text, end):
            continue
        cuts.append((end, False))
    for m in _GLUED_RE.finditer(text):
        cuts.append((m.end(), False))
    if lex.starters_re is not None:
        for m in lex.starters_re.finditer(text):
            cuts.append((m.start(), True))
    cuts.sort()
    # every line break that ends a sentence also ends a paragraph (stored texts keep one
    # paragraph per line)
    para_breaks = sorted(
        {cut - 1 for cut, _ in cuts if cut and text[cut - 1] == "\n"}
        | {m.start() for m in _PARAGRAPH_RE.finditer(text)}
    )
    sentences: list[Sentence] = []
    pos = 0
    para = 0
    pb = 0
    for cut, glued in [*cuts, (len(text), False)]:
        if cut <= pos:
            continue
        start, end = pos, cut
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        while pb < len(para_breaks) and para_breaks[pb] < start:
            para += 1
            pb += 1
        if end > start:
            heading = glued or (
                cut < len(text) and text[cut - 1] == "\n" and text[end - 1] not in '.!?:;"»”'
            )
            sentences.append(Sentence(start, end, para, heading))
        pos = cut
    return sentences
