"""Pure: HTML or plain text -> clean article text.

trafilatura extracts the main text of a page; a second pass then strips what it leaves behind,
by rules from `worker/data/boilerplate.toml`:

- `line` rules remove a whole paragraph anywhere when the rule matches all of it ("Share on
  Facebook", "Lesen Sie auch: ...");
- `tail` rules remove sentences from the end of the text while they match ("Abonnez-vous!");
  a `teaser` rule removes a sentence only when it stands right before a removed tail sentence
  ("Que se passe-t-il en Tunisie?"), so a question in the body is safe.

Rules are matched against the *whole* sentence or paragraph, never inside one: a sentence that
merely mentions YouTube survives.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from pathlib import Path
from typing import Any

import trafilatura

# Options shared by the pipeline and the benchmark's "bare trafilatura" baseline.
TRAFILATURA_OPTIONS: dict[str, object] = {
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "favor_precision": False,
}

_SENTENCE_END = re.compile(r"(?<=[.!?…»\"”])\s+|(?<=[.!?])(?=[A-ZÀ-ÖØ-Þ])")


@dataclass(frozen=True)
class BoilerplateRules:
    """Each kind's patterns joined into one alternation: one fullmatch per paragraph or
    sentence instead of one per pattern (five times faster, same answers)."""

    line: re.Pattern[str]
    tail: re.Pattern[str]
    teaser: re.Pattern[str]


def _any_of(patterns: list[re.Pattern[str]]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p.pattern})" for p in patterns) or "(?!)", re.IGNORECASE)


@dataclass(frozen=True)
class Extracted:
    """The main text of a page and what trafilatura found about it."""

    text: str
    title: str | None
    date: str | None


def load_rules(path: Path) -> BoilerplateRules:
    """Read boilerplate rules; every pattern is compiled case-insensitively as a full match."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    groups: dict[str, list[re.Pattern[str]]] = {"line": [], "tail": [], "teaser": []}
    for lang, kinds in data.get("rules", {}).items():
        for kind, patterns in kinds.items():
            if kind not in groups:
                raise ValueError(f"{path}: [rules.{lang}] unknown kind {kind!r}")
            for pattern in patterns:
                try:
                    groups[kind].append(re.compile(pattern, re.IGNORECASE))
                except re.error as exc:
                    raise ValueError(f"{path}: [rules.{lang}] {kind}: {pattern!r}: {exc}") from exc
    return BoilerplateRules(
        line=_any_of(groups["line"]), tail=_any_of(groups["tail"]),
        teaser=_any_of(groups["teaser"]),
    )


@lru_cache(maxsize=8)
def cached_rules(path: str) -> BoilerplateRules:
    return load_rules(Path(path))


def _full(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.fullmatch(text.strip()) is not None


def _sentence_starts(paragraph: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END.finditer(paragraph))
    return [s for s in starts if s < len(paragraph)]


def strip_boilerplate(text: str, rules: BoilerplateRules) -> str:
    """Remove promo paragraphs anywhere and promo sentences at the end of the text."""
    paragraphs = [p for p in text.split("\n") if p.strip() and not _full(rules.line, p)]
    while paragraphs:
        last = paragraphs[-1]
        starts = _sentence_starts(last)
        cut = len(last)
        removed_tail = False
        for start in reversed(starts):
            sentence = last[start:cut]
            if _full(rules.tail, sentence):
                removed_tail = True
            elif removed_tail and _full(rules.teaser, sentence):
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
    return "\n".join(p.rstrip() for p in paragraphs).strip()


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
    """The page as the cleaner reads it (the topic pre-filter must read the same)."""
    if isinstance(html, bytes):
        return html.decode("utf-8", errors="replace")
    return html


def parse_html(html: str) -> Any:
    """The page parsed exactly as `trafilatura.extract` parses it, or None if it is no HTML."""
    from trafilatura.utils import load_html

    return load_html(html)


def extract_html(html: str | bytes, url: str | None = None, *, want_date: bool = False,
                 tree: Any = None) -> Extracted:
    """Main text of an HTML page with trafilatura (empty text if none found). The date is only
    searched for (htmldate, costly) when `want_date`, i.e. when no feed or sidecar gave one.
    `tree`, when given, is the page already parsed by `trafilatura.utils.load_html` (the
    topic pre-filter's parse): trafilatura then skips its own, with the same result."""
    html = page_str(html)
    source = html if tree is None else tree
    text = trafilatura.extract(source, url=url, **TRAFILATURA_OPTIONS) or ""  # type: ignore[arg-type]
    found_date = None
    if want_date:
        from htmldate import find_date

        found_date = find_date(html, extensive_search=False, original_date=True)
    return Extracted(text=text, title=html_title(html), date=found_date)


def normalise_plain(text: str) -> str:
    """Plain text as stored: unified newlines, paragraphs on one line each, no blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    paragraphs = re.split(r"\n\s*\n", text)
    out = [" ".join(line.strip() for line in p.split("\n") if line.strip()) for p in paragraphs]
    return "\n".join(p for p in out if p)


def clean_text(text: str, rules: BoilerplateRules) -> str:
    return strip_boilerplate(normalise_plain(text), rules)
