"""Claimant registry: maps source mentions in any language to canonical claimant ids.

``config/claimants.toml`` holds one table per claimant::

    [claimants.KR-NIS]
    name = "National Intelligence Service (South Korea)"
    aliases = ["National Intelligence Service", "NIS", "국정원", ...]   # literal text
    patterns = ['Национальн\\w+ разведывательн\\w+ служб\\w+']           # regex, for inflection

An entry may say ``relays = "KR-NIS"``: its mentions (e.g. a lawmaker of the parliamentary
intelligence committee) are normalised to the relayed claimant, while ``claimant_raw`` keeps the
text that was matched.  Aliases written entirely in capitals (acronyms such as NIS, HUR, ГУР) are
matched case-sensitively; everything else case-insensitively.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ClaimantMatch:
    start: int
    end: int
    claimant: str
    raw: str


def _is_acronym(alias: str) -> bool:
    letters = [c for c in alias if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(alias) <= 6


def _alias_regex(alias: str) -> str:
    body = re.escape(alias).replace(r"\ ", r"[\s\u00a0]+")
    if alias[-1:].isalpha() and not ("\uac00" <= alias[-1] <= "\ud7a3"):
        return body + r"(?!\w)"
    return body


@dataclass(frozen=True, slots=True)
class ClaimantRegistry:
    names: Mapping[str, str]
    relays: Mapping[str, str]
    _regex: re.Pattern[str]
    _labels: tuple[str, ...]

    def canonical(self, entry_id: str) -> str:
        return self.relays.get(entry_id, entry_id)

    def find(self, text: str) -> list[ClaimantMatch]:
        """All claimant mentions in ``text`` (leftmost-longest, sorted by position)."""
        labels = self._labels
        return [
            ClaimantMatch(
                m.start(), m.end(), self.canonical(labels[int(m.lastgroup[1:])]), m.group()
            )
            for m in self._regex.finditer(text)
            if m.lastgroup
        ]


def _first_char(pat: str) -> str | None:
    if pat.startswith("\\") and len(pat) > 1 and not pat[1].isalnum():
        return pat[1]
    return pat[0] if pat[:1].isalnum() else None


def _group_regex(groups: list[tuple[str, list[str], bool]]) -> tuple[str, tuple[str, ...]]:
    """One named group per alias, longest first so the longest alias wins at a position.

    ``groups`` holds (entry, patterns, case_sensitive).  Aliases are bucketed by first
    character behind a lookahead, so the engine only tries the few aliases that can start at a
    given position; case-insensitive aliases are wrapped in ``(?i:...)``."""
    flat = sorted(
        ((pat, entry, sensitive) for entry, pats, sensitive in groups for pat in pats),
        key=lambda item: len(item[0]),
        reverse=True,
    )
    buckets: dict[str, list[str]] = {}
    for i, (pat, _, sensitive) in enumerate(flat):
        first = _first_char(pat)
        key = "" if first is None else first.lower()
        body = f"(?P<g{i}>{pat})" if sensitive else f"(?i:(?P<g{i}>{pat}))"
        buckets.setdefault(key, []).append(body)
    branches: list[str] = []
    for key, parts in buckets.items():
        if not key:
            branches.append("(?:" + "|".join(parts) + ")")
            continue
        cls = "".join(sorted(re.escape(c) for c in {key, key.upper()}))
        branches.append(f"(?=[{cls}])(?:" + "|".join(parts) + ")")
    body = "|".join(branches) or "(?!)"
    return rf"(?<!\w)(?:{body})", tuple(e for _, e, _ in flat)


def build_registry(data: Mapping[str, Mapping[str, object]]) -> ClaimantRegistry:
    names: dict[str, str] = {}
    relays: dict[str, str] = {}
    groups: list[tuple[str, list[str], bool]] = []
    for entry, spec in data.items():
        names[entry] = str(spec.get("name", entry))
        relay = spec.get("relays")
        if isinstance(relay, str) and relay:
            relays[entry] = relay
        aliases = [str(a) for a in spec.get("aliases", []) or []]  # type: ignore[attr-defined]
        patterns = [str(p) for p in spec.get("patterns", []) or []]  # type: ignore[attr-defined]
        groups.append((entry, [_alias_regex(a) for a in aliases if _is_acronym(a)], True))
        groups.append(
            (entry, [_alias_regex(a) for a in aliases if not _is_acronym(a)] + patterns, False)
        )
    regex, labels = _group_regex(groups)
    return ClaimantRegistry(names=names, relays=relays, _regex=re.compile(regex), _labels=labels)


def load_claimants(path: Path) -> ClaimantRegistry:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return build_registry(data.get("claimants", {}))
