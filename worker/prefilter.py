"""Pure: the lossless topic pre-filter, which spares trafilatura the pages that cannot be relevant.

The topic rule (`worker/topic.py`) calls a text relevant only when every *required* group has a
term in the title or the cleaned text. The cleaned text is made of the page's text nodes:
trafilatura keeps or drops whole elements, joins what it keeps with or without whitespace,
removes control and format characters (Unicode category C: soft hyphens, zero-width and bidi
marks) and applies NFC; the boilerplate pass only removes whole paragraphs and sentences. None
of this creates a letter that was not in the page. So:

- every term is reduced to its *pieces*: the runs of literal characters that any match of the
  term must contain (``'kim jong[ -]un'`` -> ``kim``, ``jong``, ``un``; a term with a top-level
  ``|`` or without literals has no pieces and can never be ruled out);
- the page's *haystack* is the title(s) and the page's source, entities and JSON escapes decoded,
  once with its tags removed and once as it is (so attribute values such as ``<meta content>``
  count too), lower-cased, with all whitespace and category-C characters removed, in its NFC
  form too when that differs;
- if some required group has no term whose pieces all occur in the haystack, no text trafilatura
  can make of the page matches that group, and the page is irrelevant without being extracted.

Removing characters from the haystack never hides a piece (pieces contain none of them), and
removing tags without a separator keeps every piece that lies in one text node or spans a tag
boundary (``Nord<wbr>korea``). The test suite checks the guarantee against the full pipeline on
real pages, the fixture feed and adversarial pages.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.topic import TopicRule

_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# a tag as an HTML tokenizer opens one: "<" then a letter, "/", "!" or "?" ("a < b" is text)
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")
# escapes that stand for one literal character
_LITERAL_ESCAPES = frozenset(".^$*+?{}[]()|\\/-'\"#&~!%,:;<=>@`")
_QUANTIFIERS = frozenset("?*+{")


def term_pieces(term: str) -> tuple[str, ...] | None:
    """The literal runs every match of the regular expression `term` contains, or None when the
    term cannot be reduced (a top-level alternation): such a term can never rule a page out.

    Conservative by construction: only characters at nesting depth 0 that are plain or escaped
    literals and carry no quantifier count; a group, a class, ``.``, a class escape (``\\w``) or a
    space ends the current piece."""
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    i, n = 0, len(term)

    def end_piece() -> None:
        if current:
            pieces.append("".join(current))
            current.clear()

    while i < n:
        c = term[i]
        if c == "\\" and i + 1 < n:
            token, literal, i = term[i + 1], term[i + 1] in _LITERAL_ESCAPES, i + 2
        elif c == "[":
            j = i + 1
            if j < n and term[j] == "^":
                j += 1
            if j < n and term[j] == "]":
                j += 1
            while j < n and term[j] != "]":
                j += 2 if term[j] == "\\" else 1
            token, literal, i = "", False, j + 1
        else:
            token, literal, i = c, c not in "().|^$" and not c.isspace(), i + 1
            if c == "(":
                depth += 1
            elif c == ")":
                depth = max(depth - 1, 0)
            elif c == "|" and depth == 0:
                return None
        quantified = i < n and term[i] in _QUANTIFIERS
        if quantified:  # skip the quantifier (and a lazy/possessive mark)
            if term[i] == "{":
                i = term.find("}", i) + 1 or n
            else:
                i += 1
            if i < n and term[i] in "?+":
                i += 1
        if literal and depth == 0 and not quantified:
            current.append(token)
        else:
            end_piece()
    end_piece()
    return tuple(pieces)


@dataclass(frozen=True)
class Screen:
    """For each required group of a topic rule, its terms as piece tuples."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]

    def could_match(self, haystack: str) -> bool:
        """False only when some required group has no term whose pieces all occur."""
        return all(
            any(all(piece in haystack for piece in term) for term in terms)
            for terms in self.groups)


def build_screen(rule: TopicRule) -> Screen:
    groups: list[tuple[tuple[str, ...], ...]] = []
    for group in rule.groups:
        if not group.required:
            continue
        terms: list[tuple[str, ...]] = []
        for term in group.terms:
            pieces = term_pieces(term)
            if not pieces:  # irreducible: this group can never rule a page out
                break
            terms.append(pieces)
        else:
            # a term whose pieces include all of another term's decides nothing the other does
            # not: keep the minimal piece sets only (fewer substring searches per page)
            sets = {frozenset(t) for t in terms}
            minimal = [s for s in sets if not any(o < s for o in sets)]
            groups.append(tuple(sorted(tuple(sorted(s)) for s in minimal)))
    return Screen(tuple(groups))


@lru_cache(maxsize=8)
def cached_screen(topics_path: str) -> Screen:
    from worker import topic

    return build_screen(topic.cached_topic(topics_path))


def normalise(text: str) -> str:
    """Lower-case, every whitespace and category-C character removed; with its NFC form
    appended when that differs (trafilatura normalises some text to NFC)."""
    text = "".join(text.lower().split())
    if not text.isprintable():  # only category C and Z characters make a split text unprintable
        drop = "".join(c for c in set(text) if not c.isprintable())
        text = re.sub(f"[{re.escape(drop)}]+", "", text)
    if not unicodedata.is_normalized("NFC", text):
        text += "\x00" + unicodedata.normalize("NFC", text)
    return text


def _json_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return "" if 0xD800 <= code <= 0xDFFF else chr(code)  # a half pair holds no letter of a term


def haystack(page: str, *titles: str | None) -> str:
    """What the screen searches: the titles, and the page's source twice, JSON escapes (for
    JSON-LD) and entities decoded: once with its tags removed (text nodes joined, terms split
    by inline tags rejoined) and once as it is (attribute values: meta content, embedded JSON).
    Read from the source, not from a parse tree, so a page the HTML parser gives up on (too
    deep, malformed) is searched whole all the same."""
    source = page
    if "\\u" in source:
        source += _JSON_ESCAPE.sub(_json_char, source)
    source = html.unescape(source)
    return normalise("".join(t for t in titles if t) + "\x00" + _TAG.sub("", source)
                     + "\x00" + source)
