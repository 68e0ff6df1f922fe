"""Pure: the boilerplate rules file (`worker/data/boilerplate.toml`) read and compiled.

The file groups rules by *kind* of leftover (read-also teasers, subscription and messenger
pitches, photo credits, bylines, timestamps, copyright, paywall and cookie notices, ...) and,
inside a kind, by *placement*, which says where a pattern may act (`worker.clean` applies them):

- `line`: a whole paragraph, wherever it stands ("Share on Facebook", "Lesen Sie auch: ...");
- `edge`: a whole paragraph among the first `HEAD_SPAN` kept ones or at the end of the text
  (a section label or a bare author name: "World", "Maria Sandu");
- `tail`: a sentence at the end of the text, repeatedly ("Abonnez-vous!");
- `both`: as `line` and as `tail` (calls to action that stand alone or close the article);
- `teaser`: a sentence right before a removed tail sentence ("Que se passe-t-il en Tunisie?"),
  so a question in the body is safe;
- `last`: a whole paragraph at the end of the text, repeatedly (a teaser cut off with "...");
- `prefix`: the start of a paragraph, up to where the article begins ("By A. Name, CNN ",
  "【 기자 】"); the rest of the paragraph stays;
- `suffix`: the end of a paragraph from a cue on ("... 2024.12.27/뉴스1", a credit glued to a
  caption); a pattern must start with its cue and run to the paragraph's end;
- `header`: a paragraph that heads a list of links ("Related articles"), removed with the
  headline-like paragraphs (short, no sentence end) that follow it;
- `end`: a paragraph that opens what follows the article ("Comments", "Pressekontakt:"): it and
  everything after it go;
- `block`: `[start, end]` pairs: a donation appeal of several paragraphs, from a paragraph that
  fully matches `start` to the one that begins with `end` (at most `MAX_BLOCK` paragraphs on).

Every pattern is matched against the *whole* paragraph or sentence (a `suffix` against the
paragraph's end, a `prefix` from its start), never somewhere inside: a sentence that merely
mentions YouTube survives. Patterns are compiled case-insensitively and, per placement, joined
into one alternation per length tier (`Tiered`), so a paragraph costs one match per placement.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from re import _parser  # type: ignore[attr-defined]  # pattern widths (stable since 3.11)

MAX_LINE = 1000        # a longer paragraph is never boilerplate
MAX_SENTENCE = 600     # nor a longer sentence
MAX_PREFIX = 200       # a `prefix` is looked for in a paragraph's first characters only

# A paragraph of n characters is matched only against the patterns that can match n characters:
# patterns are kept in tiers by the lengths they can match (exact; prose meets a few long
# patterns, a one-word line a few short ones).
_TIERS = (8, 30, 120, 300, MAX_LINE)
_UNBOUNDED = int(_parser.MAXREPEAT)

PLACEMENTS = ("line", "edge", "tail", "both", "teaser", "last", "prefix", "suffix", "header",
              "end", "block")


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
    there); `prefix` patterns are matched at the paragraph's start."""

    line: Tiered
    edge: Tiered
    tail: Tiered
    teaser: Tiered
    last: Tiered
    prefix: re.Pattern[str]
    suffix: re.Pattern[str]        # bounded suffixes: searched in the last `suffix_width` chars
    suffix_width: int
    suffix_open: re.Pattern[str]   # open-ended ones (`cue.*$`): searched, cue first
    header: Tiered
    end: Tiered
    blocks: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]
    kinds: tuple[str, ...]  # "lang.kind" of every rule table, for reports

    def compile_tiers(self) -> None:
        """Compile every placement's alternations now instead of on first use: the fork server
        (`worker.preload`) and a command about to fork its pool (`procs.warm_for_fork`) do it
        once for the processes they start."""
        for tiered in (self.line, self.edge, self.tail, self.teaser, self.last, self.header,
                       self.end):
            tiered.tiers  # noqa: B018 - the cached property compiles them


def _alternation(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns) or "(?!)"


def _any_of(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(_alternation(patterns), re.IGNORECASE)


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
        line=_tiered(groups["line"]), edge=_tiered(groups["edge"]),
        tail=_tiered(groups["tail"]), teaser=_tiered(groups["teaser"]),
        last=_tiered(groups["last"]), prefix=_any_of(groups["prefix"]),
        suffix=_any_of(bounded), suffix_width=max((w for _p, w in suffix_widths
                                                   if w < _UNBOUNDED), default=0),
        suffix_open=_any_of([p for p, w in suffix_widths if w >= _UNBOUNDED]),
        header=_tiered(groups["header"]),
        end=_tiered(groups["end"]), blocks=tuple(blocks), kinds=tuple(kinds),
    )


@lru_cache(maxsize=8)
def cached_rules(path: str) -> BoilerplateRules:
    return load_rules(Path(path))
