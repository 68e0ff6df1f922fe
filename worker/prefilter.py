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
- the page's *haystack* is the title(s) and what trafilatura can read of the page's source:
  its text nodes (tags removed, entities decoded), the bodies of raw-text elements such as
  scripts (JSON-LD, with its escapes decoded), and the two attributes trafilatura reads text
  from (``content``: meta tags such as og:title and description; Discourse's
  ``data-preloaded``) — lower-cased, with all whitespace and category-C characters removed, in
  its NFC form too when that differs (see `_split`);
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
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.topic import TopicRule

# any number of backslashes: JSON inside a JSON string (Discourse) escapes its escapes
_JSON_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})")
# elements whose content the HTML parser reads as text, never as markup (unclosed: to the end)
_RAW_OPEN = re.compile(r"<(script|style|title|textarea|xmp|iframe|noembed|noframes)\b[^>]*>",
                       re.IGNORECASE)
# the attributes trafilatura reads text from
_ATTRIBUTE_CUES = ("data-preloaded", "content")
# a quoted value left open runs to the end of the page, as the HTML parser reads it
_ATTRIBUTE_VALUE = re.compile(r"""\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s"'=<>`]+))""")
# a tag as an HTML tokenizer opens one: "<" then a letter, "/", "!" or "?" ("a < b" is text)
_TAG = re.compile(r"<[a-zA-Z/!?][^>]*>")
# escapes that stand for one literal character
_LITERAL_ESCAPES = frozenset(".^$*+?{}[]()|\\/-'\"#&~!%,:;<=>@`")
_QUANTIFIERS = frozenset("?*+{")
# escapes followed by a code or a number: they stand for a character the term does not spell
_CODED_ESCAPES = frozenset("xuUN0123456789")


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
            if token in _CODED_ESCAPES:  # \x41, \u0041, \N{...}, \1, \012: skip the argument
                if token == "N" and i < n and term[i] == "{":
                    i = term.find("}", i) + 1 or n
                else:
                    i += {"x": 2, "u": 4, "U": 8}.get(token, 0)
                    while token.isdigit() and i < n and term[i].isdigit():
                        i += 1
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
    """For each required group of a topic rule, its terms as piece tuples: first those spelt
    in Latin-1 only, then (from `wide_from[i]` on) those with a wider character (Cyrillic,
    Hangul), which `wide` finds any of."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    wide_from: tuple[int, ...] = ()
    wide: re.Pattern[str] | None = None

    def could_match(self, haystack: str) -> bool:
        """False only when some required group has no term whose pieces all occur.

        A term with a character above U+00FF occurs only where some such character of a
        piece does: a page with none of them (most pages not in Russian, Ukrainian or
        Korean) is searched once for them instead of once for each of those terms."""
        wide_from = self.wide_from or tuple(len(terms) for terms in self.groups)
        has_wide: bool | None = None
        for terms, split in zip(self.groups, wide_from, strict=True):
            if any(all(piece in haystack for piece in term) for term in terms[:split]):
                continue
            if split < len(terms):
                if has_wide is None:
                    has_wide = self.wide is None or self.wide.search(haystack) is not None
                if has_wide and any(all(piece in haystack for piece in term)
                                    for term in terms[split:]):
                    continue
            return False
        return True


def _wide(term: tuple[str, ...]) -> bool:
    return any(c > "\xff" for piece in term for c in piece)


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
            if any(c in piece for t in terms for piece in t for c in "<>"):
                continue  # a piece the source split could cut (see `_split`): never rules out
            # a term whose pieces include all of another term's decides nothing the other does
            # not: keep the minimal piece sets only (fewer substring searches per page)
            sets = {frozenset(t) for t in terms}
            minimal = [s for s in sets if not any(o < s for o in sets)]
            groups.append(tuple(sorted((tuple(sorted(s)) for s in minimal),
                                       key=lambda t: (_wide(t), t))))
    wide_chars = sorted({c for terms in groups for t in terms for p in t for c in p
                         if c > "\xff"})
    return Screen(tuple(groups),
                  tuple(sum(not _wide(t) for t in terms) for terms in groups),
                  re.compile("[" + "".join(re.escape(c) for c in wide_chars) + "]")
                  if wide_chars else None)


@lru_cache(maxsize=8)
def cached_screen(topics_path: str) -> Screen:
    from worker import topic

    return build_screen(topic.cached_topic(topics_path))


def normalise(text: str) -> str:
    """Lower-case, every whitespace and category-C character removed; with its NFC form
    appended when that differs (trafilatura normalises some text to NFC)."""
    text = "".join(text.lower().split()).replace("\x00", "")
    if not text.isprintable():  # only category C and Z characters make a split text unprintable
        drop = "".join(c for c in set(text) if not c.isprintable())
        text = re.sub(f"[{re.escape(drop)}]+", "", text)
    if not unicodedata.is_normalized("NFC", text):
        text += "\x00" + unicodedata.normalize("NFC", text)
    return text


def _json_char(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return "" if 0xD800 <= code <= 0xDFFF else chr(code)  # a half pair holds no letter of a term


def _decoded(raw: str) -> str:
    """`raw` as trafilatura reads an embedded JSON value: escapes decoded, entities decoded,
    and its markup removed as well as kept."""
    if "\\u" in raw:
        raw = _JSON_ESCAPE.sub(_json_char, raw)
    raw = html.unescape(raw)
    return raw + "\x00" + _TAG.sub("", raw) if "<" in raw else raw


def _raw_bodies(source: str) -> Iterator[str]:
    """The bodies of the raw-text elements (to their end tag, or the end of the page)."""
    at = 0
    while (m := _RAW_OPEN.search(source, at)) is not None:
        close = _raw_close(m.group(1)).search(source, m.end())
        end = close.start() if close else len(source)
        yield source[m.end():end]
        at = close.end() if close else end


@lru_cache(maxsize=16)
def _raw_close(name: str) -> re.Pattern[str]:
    return re.compile(f"</{re.escape(name)}", re.IGNORECASE)


def _read_attributes(source: str) -> Iterator[str]:
    """The value of each attribute that trafilatura reads text from (the name met anywhere,
    case-insensitively, followed by ``=``)."""
    low = source.lower()
    if len(low) != len(source):  # lower-casing moved offsets (a dotted capital I)
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in source)
    for cue in _ATTRIBUTE_CUES:
        at = low.find(cue)
        while at >= 0:
            at += len(cue)
            m = _ATTRIBUTE_VALUE.match(source, at)
            if m:
                yield m.group(m.lastindex or 0)
                at = m.end()
            at = low.find(cue, at)


def _split(source: str) -> str:
    """What of the source trafilatura can turn into text or a title, entities decoded:

    - its text: tags removed, text nodes joined; when decoding made tags of escaped markup
      (``&lt;wbr&gt;``), also with those removed;
    - the bodies of raw-text elements (script, style, title, ...) as they are, when they hold
      a ``<`` (the tag pattern may take ``a<b`` in a script for a tag and cut it from the
      text) or JSON escapes (JSON-LD, which trafilatura decodes and renders);
    - the values of the attributes trafilatura reads: ``content`` (meta tags: og:title,
      description; itemprop) and ``data-preloaded`` (Discourse posts), decoded the same way.

    A piece contains no ``<`` or ``>`` (`build_screen` checks), so an occurrence in a text node
    lies in one run of text or spans tags that the first part removes."""
    text = html.unescape(_TAG.sub("", source))
    parts = [text]
    if "<" in text and _TAG.search(text):
        parts.append(_TAG.sub("", text))
    parts.extend(_decoded(body) for body in _raw_bodies(source)
                 if "<" in body or "\\u" in body)
    parts.append(_decoded("\x00".join(_read_attributes(source))))
    return "\x00".join(parts)


def haystack(page: str, *titles: str | None) -> str:
    """What the screen searches: the titles and what trafilatura can read of the page's source
    (see `_split`), normalised. Read from the source, not from a parse tree, so a page the
    HTML parser gives up on (too deep, malformed) is searched whole all the same."""
    return normalise("".join(t for t in titles if t) + "\x00" + _split(page))
