"""Pure: HTML or plain text -> clean article text.

trafilatura extracts the main text of a page (options in `TRAFILATURA_OPTIONS`, chosen by
`benchmarks/bench_cleaning.py --options`); a second pass then strips what it leaves behind, by
rules from `worker/data/boilerplate.toml`. The file groups rules by *kind* of leftover (read-also
teasers, subscription and messenger pitches, photo credits, bylines, timestamps, copyright,
paywall and cookie notices, ...) and, inside a kind, by *placement*, which says where a pattern
may act:

- `line`: a whole paragraph, wherever it stands ("Share on Facebook", "Lesen Sie auch: ...");
- `tail`: a sentence at the end of the text, repeatedly ("Abonnez-vous!");
- `both`: as `line` and as `tail` (calls to action that stand alone or close the article);
- `teaser`: a sentence right before a removed tail sentence ("Que se passe-t-il en Tunisie?"),
  so a question in the body is safe;
- `last`: a whole paragraph at the end of the text, repeatedly (a teaser cut off with "...");
- `suffix`: the end of a paragraph from a cue on ("... 2024.12.27/뉴스1", a credit glued to a
  caption); a pattern must start with its cue and run to the paragraph's end;
- `header`: a paragraph that heads a list of links ("Related articles"), removed with the
  headline-like paragraphs (short, no sentence end) that follow it;
- `end`: a paragraph that opens what follows the article ("Comments", "Pressekontakt:"): it and
  everything after it go;
- `block`: `[start, end]` pairs: a donation appeal of several paragraphs, from a paragraph that
  fully matches `start` to the one that begins with `end` (at most eight paragraphs on).

Every pattern is matched against the *whole* paragraph or sentence (a `suffix` against the
paragraph's end), never somewhere inside: a sentence that merely mentions YouTube survives.

Cost is linear in the text: a paragraph longer than `MAX_LINE` characters, or a sentence longer
than `MAX_SENTENCE`, is article text and is not matched at all, so each match runs on bounded
input whatever the patterns; `suffix` patterns start with a literal cue and end in `.*` or a
bounded run, so a search is one pass.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from html import unescape
from pathlib import Path
from re import _parser  # type: ignore[attr-defined]  # pattern widths (stable since 3.11)

from worker.charset import decode_page

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

MAX_LINE = 1000        # a longer paragraph is never boilerplate
MAX_SENTENCE = 600     # nor a longer sentence
MAX_HEADLINE = 160     # a link under a `header` paragraph: at most this long, no sentence end
MAX_BLOCK = 8          # paragraphs a `block` spans at most

# A paragraph of n characters is matched only against the patterns that can match n characters:
# patterns are kept in tiers by the lengths they can match (exact; prose meets a few long
# patterns, a one-word line a few short ones).
_TIERS = (8, 30, 120, 300, MAX_LINE)
_UNBOUNDED = int(_parser.MAXREPEAT)

PLACEMENTS = ("line", "tail", "both", "teaser", "last", "suffix", "header", "end", "block")

_SENTENCE_END = re.compile(
    r"(?<=[.!?…»\"”])\s+|(?<=[.!?])(?=[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ])")
_HEADLINE_END = re.compile(r"[.!?:;…]\s*$")


@dataclass(frozen=True)
class Tiered:
    """One placement's patterns joined into alternations (one match per paragraph instead of
    one per pattern), one alternation per tier: `sources[k]` holds the patterns that can match
    some length in (`_TIERS[k - 1]`, `_TIERS[k]`], so a paragraph meets only those.

    Every pattern is compiled on its own when the rules are loaded (that is the check at start);
    the alternations are compiled on first use, so a process that never cleans a page (one that
    only screens off-topic pages, or answers queries) does not pay for them."""

    sources: tuple[str, ...]

    @cached_property
    def tiers(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(source, re.IGNORECASE) for source in self.sources)

    def fullmatch(self, text: str) -> bool:
        n = len(text)
        tiers = self.tiers
        for limit, pattern in zip(_TIERS, tiers, strict=True):
            if n <= limit:
                return pattern.fullmatch(text) is not None
        return tiers[-1].fullmatch(text) is not None


def _widths(pattern: str) -> tuple[int, int]:
    lo, hi = _parser.parse(pattern, re.IGNORECASE).getwidth()
    return int(lo), int(hi)


def _tiered(patterns: list[str]) -> Tiered:
    widths = [(p, *_widths(p)) for p in patterns]
    tiers = []
    lower = 0
    for limit in _TIERS:
        tiers.append(_alternation([p for p, lo, hi in widths if hi > lower and lo <= limit]))
        lower = limit
    return Tiered(tuple(tiers))


@dataclass(frozen=True)
class BoilerplateRules:
    """The patterns of each placement, tiered (see `Tiered`); `suffix` patterns are searched,
    the bounded ones only near the paragraph's end (a match that ends the paragraph starts
    there)."""

    line: Tiered
    tail: Tiered
    teaser: Tiered
    last: Tiered
    suffix: re.Pattern[str]        # bounded suffixes: searched in the last `suffix_width` chars
    suffix_width: int
    suffix_open: re.Pattern[str]   # open-ended ones (`cue.*$`): searched, cue first
    header: Tiered
    end: Tiered
    blocks: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    kinds: tuple[str, ...]  # "lang.kind" of every rule table, for reports


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns) or "(?!)"


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(_alternation(patterns), re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """The main text of a page and what trafilatura found about it."""

    text: str
    title: str | None
    date: str | None


def _check(path: Path, where: str, pattern: object) -> str:
    if not isinstance(pattern, str):
        raise ValueError(f"{path}: [{where}] expected a string pattern, got {pattern!r}")
    try:
        re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"{path}: [{where}] {pattern!r}: {exc}") from exc
    return pattern


def load_rules(path: Path) -> BoilerplateRules:
    """Read boilerplate rules (`[rules.LANG.KIND]` tables of placements, see the module doc);
    every pattern is compiled case-insensitively. A bad pattern or placement is reported with
    the table it is in."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, list[str]] = {p: [] for p in PLACEMENTS if p not in ("both", "block")}
    blocks: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
    kinds: list[str] = []
    for lang, tables in data.get("rules", {}).items():
        if not isinstance(tables, dict):
            raise ValueError(f"{path}: [rules.{lang}] must be a table of kinds")
        for kind, placements in tables.items():
            where = f"rules.{lang}.{kind}"
            if not isinstance(placements, dict):
                raise ValueError(f"{path}: [{where}] must be a table of placements")
            kinds.append(f"{lang}.{kind}")
            for placement, patterns in placements.items():
                if placement not in PLACEMENTS:
                    raise ValueError(f"{path}: [{where}] unknown placement {placement!r}")
                for pattern in patterns:
                    if placement == "block":
                        if not (isinstance(pattern, list) and len(pattern) == 2):
                            raise ValueError(f"{path}: [{where}] block must be [start, end]")
                        start, stop = (_check(path, where, p) for p in pattern)
                        blocks.append((re.compile(start, re.IGNORECASE),
                                       re.compile(stop, re.IGNORECASE)))
                        continue
                    pattern = _check(path, where, pattern)
                    for target in (("line", "tail") if placement == "both" else (placement,)):
                        groups[target].append(pattern)
    suffix_widths = [(p, _widths(p)[1]) for p in groups["suffix"]]
    bounded = [p for p, w in suffix_widths if w < _UNBOUNDED]
    return BoilerplateRules(
        line=_tiered(groups["line"]), tail=_tiered(groups["tail"]),
        teaser=_tiered(groups["teaser"]), last=_tiered(groups["last"]),
        suffix=_any_of(bounded), suffix_width=max((w for _p, w in suffix_widths
                                                   if w < _UNBOUNDED), default=0),
        suffix_open=_any_of([p for p, w in suffix_widths if w >= _UNBOUNDED]),
        header=_tiered(groups["header"]),
        end=_tiered(groups["end"]), blocks=tuple(blocks), kinds=tuple(kinds),
    )


@lru_cache(maxsize=8)
def cached_rules(path: str) -> BoilerplateRules:
    return load_rules(Path(path))


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
    n = len(paragraph)
    m = rules.suffix.search(paragraph, max(0, n - rules.suffix_width))
    if m is None or m.end() != n:
        m = rules.suffix_open.search(paragraph)
        if m is None or m.end() != n:
            return paragraph
    return paragraph[:m.start()].rstrip()


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


def _paragraph_pass(paragraphs: list[str], rules: BoilerplateRules) -> list[str]:
    kept: list[str] = []
    verdicts: dict[str, str] = {}  # a paragraph seen again costs a lookup, not a match
    i = 0
    while i < len(paragraphs):
        p = paragraphs[i]
        verdict = verdicts.get(p)
        if verdict is None:
            verdict = verdicts[p] = _verdict(p, rules)
        if verdict == "end":
            break
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
            i += 1
            while i < len(paragraphs) and _headline(paragraphs[i]):
                i += 1
            continue
        if verdict == "line":
            i += 1
            continue
        cut = _cut_suffix(p, rules)
        if cut and (cut == p or not _full(rules.line, cut)):
            kept.append(cut)
        i += 1
    return kept


def _tail_pass(paragraphs: list[str], rules: BoilerplateRules) -> None:
    while paragraphs:
        last = paragraphs[-1]
        if _full(rules.last, last) or _full(rules.line, last):
            paragraphs.pop()
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
    """Remove what is not the article: boilerplate paragraphs anywhere, link lists under their
    header, appeals spanning paragraphs, credits glued to a paragraph's end, everything from a
    comments or press-contact header on, and calls to action at the end of the text."""
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
