"""Pure: HTML or plain text -> clean article text.

trafilatura extracts the main text of a page (options in `TRAFILATURA_OPTIONS`, chosen by
`benchmarks/bench_cleaning.py --options`); a second pass then strips what it leaves behind, by
rules from `worker/data/boilerplate.toml` (read by `worker.boilerplate`, whose doc lists the
placements: where in the text each pattern may act). Besides the rules, three shapes are removed
by structure alone: a caption printed twice or cut off and followed by its full text (an image's
alt text beside its caption), and a run of bulleted headlines closing the text (a related-links
list without a header word, or under a topic header).

Cost is linear in the text: a paragraph longer than `MAX_LINE` characters, or a sentence longer
than `MAX_SENTENCE`, is article text and is not matched at all, so each match runs on bounded
input whatever the patterns; `suffix` patterns start with a literal cue and end in `.*` or a
bounded run, so a search is one pass; `prefix` patterns meet the first `MAX_PREFIX` characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape

from worker.boilerplate import (
    MAX_LINE,
    MAX_PREFIX,
    MAX_SENTENCE,
    PLACEMENTS,
    BoilerplateRules,
    Tiered,
    cached_rules,
    load_rules,
)
from worker.charset import decode_page

__all__ = ["MAX_LINE", "MAX_SENTENCE", "PLACEMENTS", "TRAFILATURA_OPTIONS", "BoilerplateRules",
           "Extracted", "cached_rules", "clean_text", "clear_text_caches", "extract_html",
           "html_title", "load_rules", "normalise_plain", "page_date", "page_str",
           "strip_boilerplate"]

# Options of the pipeline's trafilatura call (the benchmark compares them with bare
# `trafilatura.extract`, default options): comments off (+0.9 point of precision on the corpus,
# no recall lost, 20 % faster); tables on; precision/recall modes, deduplication and the fast
# mode (no fallback extractors) all lose recall or F1 there (README, "Cleaning").
TRAFILATURA_OPTIONS: dict[str, object] = {
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "favor_precision": False,
    "favor_recall": False,
}

# trafilatura memoises three text helpers (trim, line_processing: 1,024 entries each;
# return_printables_and_spaces: 16,384), keyed by the strings of the pages it has cleaned: a
# pool process filled them within a few hundred pages, with about 4 MB of strings nothing
# reads again (the next page's strings are its own). `clear_text_caches` empties them.
_TEXT_CACHES = ("trim", "line_processing", "return_printables_and_spaces")


def clear_text_caches() -> None:
    """Empty trafilatura's memoised text helpers (those it has; pure functions, so only the
    time of a later call can change, and measured it does not: 10.3 against 11.1 ms a page)."""
    from trafilatura import utils

    for name in _TEXT_CACHES:
        clear = getattr(getattr(utils, name, None), "cache_clear", None)
        if clear is not None:
            clear()


MAX_HEADLINE = 160     # a link under a `header` paragraph: at most this long, no sentence end
MAX_BLOCK = 8          # paragraphs a `block` spans at most
HEAD_SPAN = 3          # `edge` patterns act on the first kept paragraphs (and at the end)
MIN_BULLETS = 2        # bulleted headlines closing the text: a link list from this many on

_SENTENCE_END = re.compile(
    r"(?<=[.!?…»\"”])\s+|(?<=[.!?])(?=[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ])")
_HEADLINE_END = re.compile(r"[.!?:;…]\s*$")
_BULLET = re.compile(r"[-–•·▪■▶►]\s")
_TOPIC_HEADER = 60     # a header over closing bullets: at most this long, no sentence end


@dataclass(frozen=True)
class Extracted:
    """The main text of a page and what trafilatura found about it."""

    text: str
    title: str | None
    date: str | None


def _full(pattern: Tiered | re.Pattern[str], text: str, cap: int = MAX_LINE) -> bool:
    text = text.strip()
    if len(text) > cap:
        return False
    if isinstance(pattern, Tiered):
        return pattern.fullmatch(text)
    return pattern.fullmatch(text) is not None


def _sentence_starts(paragraph: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END.finditer(paragraph))
    return [s for s in starts if s < len(paragraph)]


def _headline(paragraph: str) -> bool:
    """A link title under a `header`: short and without a sentence end."""
    return len(paragraph) <= MAX_HEADLINE and not _HEADLINE_END.search(paragraph)


def _cut_suffix(paragraph: str, rules: BoilerplateRules) -> str:
    """The paragraph without the credits and calls glued to its end (a few in a row: a credit
    before a keyword list)."""
    for _ in range(3):
        n = len(paragraph)
        m = rules.suffix.search(paragraph, max(0, n - rules.suffix_width))
        if m is None or m.end() != n:
            m = rules.suffix_open.search(paragraph)
            if m is None or m.end() != n:
                return paragraph
        paragraph = paragraph[:m.start()].rstrip()
    return paragraph


def _cut_prefix(paragraph: str, rules: BoilerplateRules) -> str:
    """The paragraph without a byline or label glued to its start ("" if that is all)."""
    m = rules.prefix.match(paragraph[:MAX_PREFIX])
    return paragraph[m.end():].lstrip() if m else paragraph


def _block_end(paragraphs: list[str], i: int, rules: BoilerplateRules) -> tuple[int, str] | None:
    """If a `block` starts at paragraph i: the index of its last paragraph and what of that
    paragraph follows the block's end (the article may go on in the same paragraph)."""
    for start, stop in rules.blocks:
        if not _full(start, paragraphs[i]):
            continue
        for j in range(i, min(i + MAX_BLOCK, len(paragraphs))):
            m = stop.match(paragraphs[j][:MAX_LINE])
            if m is not None:
                return j, paragraphs[j][m.end():].strip()
    return None


def _verdict(p: str, rules: BoilerplateRules) -> str:
    """What the paragraph is on its own: "end", "header", "line", "block" (may start a block)
    or "" (article text, after its suffix is cut)."""
    if len(p) > MAX_LINE:
        return ""
    if _full(rules.end, p):
        return "end"
    if any(_full(start, p) for start, _stop in rules.blocks):
        return "block"
    if _full(rules.header, p):
        return "header"
    if _full(rules.line, p):
        return "line"
    return ""


def _echo(paragraphs: list[str], i: int) -> int:
    """How many paragraphs from i are an image's text printed beside its caption: 2 for a short
    paragraph without a sentence end printed twice in a row, 1 for one cut off and followed by
    its whole text, else 0 (a sentence printed twice is the page's own text, kept as it is)."""
    p = paragraphs[i]
    if i + 1 >= len(paragraphs) or not _headline(p):
        return 0
    nxt = paragraphs[i + 1]
    if nxt == p:
        return 2
    if nxt.startswith(p + " ") and len(p.split()) >= 3:
        return 1
    return 0


def _paragraph_pass(paragraphs: list[str], rules: BoilerplateRules) -> list[str]:
    kept: list[str] = []
    verdicts: dict[str, str] = {}  # a paragraph seen again costs a lookup, not a match
    i = 0
    while i < len(paragraphs):
        echo = _echo(paragraphs, i)
        if echo:
            i += echo
            continue
        p = paragraphs[i]
        verdict = verdicts.get(p)
        if verdict is None:
            verdict = verdicts[p] = _verdict(p, rules)
        if verdict == "end":
            if kept:
                break
            verdict = "line"  # nothing of the article before it: not the article's end
        if verdict == "block":
            block = _block_end(paragraphs, i, rules)
            if block is not None:
                j, rest = block
                if rest:
                    kept.append(rest)
                i = j + 1
                continue
            verdict = "line" if _full(rules.line, p) else ""
        if verdict == "header":
            j = i + 1
            while (j < len(paragraphs) and _headline(paragraphs[j])
                   and not _full(rules.line, paragraphs[j])):  # a caption ends the list
                j += 1
            # at the very start a single headline under it is the article's own title
            i = j if kept or j - i > 2 else i + 1
            continue
        if verdict == "line" or (len(kept) < HEAD_SPAN and _full(rules.edge, p)):
            i += 1
            continue
        cut = _cut_prefix(_cut_suffix(p, rules), rules)
        if cut and (cut == p or not _full(rules.line, cut)):
            kept.append(cut)
        i += 1
    return kept


def _closing_bullets(paragraphs: list[str]) -> int:
    """How many paragraphs at the end are a list of links: at least `MIN_BULLETS` bulleted
    headlines without a digit, with the short header above them unless it opens a list of the
    article's own (ends with ":")."""
    n = 0
    while n < len(paragraphs):
        p = paragraphs[-1 - n]
        if not (_BULLET.match(p) and _headline(p) and not any(c.isdigit() for c in p)):
            break
        n += 1
    if n < MIN_BULLETS or n == len(paragraphs):
        return 0
    above = paragraphs[-1 - n]
    if above.rstrip().endswith(":"):
        return 0
    if len(above) <= _TOPIC_HEADER and _headline(above) and n + 1 < len(paragraphs):
        n += 1
    return n


def _tail_pass(paragraphs: list[str], rules: BoilerplateRules) -> None:
    while paragraphs:
        last = paragraphs[-1]
        alone = len(paragraphs) == 1  # a title-like text alone is the text
        if _full(rules.line, last) or (not alone and (_full(rules.last, last)
                                                        or _full(rules.edge, last))):
            paragraphs.pop()
            continue
        bullets = _closing_bullets(paragraphs)
        if bullets:
            del paragraphs[-bullets:]
            continue
        starts = _sentence_starts(last)
        cut = len(last)
        removed_tail = False
        for start in reversed(starts):
            sentence = last[start:cut]
            if _full(rules.tail, sentence, MAX_SENTENCE):
                removed_tail = True
            elif removed_tail and _full(rules.teaser, sentence, MAX_SENTENCE):
                pass
            else:
                break
            cut = start
        if cut == len(last):
            break
        kept = last[:cut].rstrip()
        if kept:
            paragraphs[-1] = kept
            break
        paragraphs.pop()


def strip_boilerplate(text: str, rules: BoilerplateRules) -> str:
    """Remove what is not the article: boilerplate paragraphs anywhere, labels at the text's
    edges, link lists under their header or closing the text, appeals spanning paragraphs,
    bylines and credits glued to a paragraph's start or end, captions printed twice, everything
    from a comments or press-contact header on, and calls to action at the end of the text."""
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    paragraphs = _paragraph_pass(paragraphs, rules)
    _tail_pass(paragraphs, rules)
    return "\n".join(paragraphs).strip()


_TITLE = re.compile(
    r"<meta[^>]+property=[\"']og:title[\"'][^>]+content=[\"']([^\"']+)[\"']"
    r"|<title[^>]*>([^<]+)</title>|<h1[^>]*>([^<]+)</h1>",
    re.IGNORECASE,
)


def html_title(html: str) -> str | None:
    """og:title, else <title>, else the first <h1>: cheap, and good enough for a title."""
    m = _TITLE.search(html[:200_000])
    if not m:
        return None
    title = next(g for g in m.groups() if g)
    return unescape(" ".join(title.split())) or None


def page_str(html: str | bytes) -> str:
    """The page as the cleaner reads it (the topic pre-filter must read the same): the declared
    charset if it reads as text, else the detected one."""
    return decode_page(html) if isinstance(html, bytes) else html


def extract_html(html: str | bytes, url: str | None = None, *, want_date: bool = False
                 ) -> Extracted:
    """Main text of an HTML page with trafilatura (empty text if none found). The date is only
    searched for (htmldate, costly) when `want_date`, i.e. when no feed or sidecar gave one."""
    import trafilatura  # on first use: a third of a second, which off-topic pages never need

    html = page_str(html)
    text = trafilatura.extract(html, url=url, **TRAFILATURA_OPTIONS) or ""  # type: ignore[arg-type]
    return Extracted(text=text, title=html_title(html), date=page_date(html) if want_date else None)


def page_date(html: str) -> str | None:
    """The page's publication date as htmldate reads it from the markup (costly: the pipeline
    asks only for a relevant page that no feed or sidecar gave a date)."""
    from htmldate import find_date

    found: str | None = find_date(html, extensive_search=False, original_date=True)
    return found


def normalise_plain(text: str) -> str:
    """Plain text as stored: unified newlines, paragraphs on one line each, no blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    paragraphs = re.split(r"\n\s*\n", text)
    out = [" ".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs]
    return "\n".join(p for p in out if p)


def clean_text(text: str, rules: BoilerplateRules) -> str:
    return strip_boilerplate(normalise_plain(text), rules)
