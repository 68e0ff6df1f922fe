"""Claimant registry: maps source mentions in any language to canonical claimant ids.

``worker/data/claimants.toml`` holds one table per claimant::

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

from worker.figures.scan import Dispatcher


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
    # typographic apostrophes and quotes match their plain forms and each other
    body = re.escape(alias).replace(r"\ ", r"[\s\u00a0]+").replace("'", "['’‘ʼ]")
    body = body.replace('"', '["“”„«»]')
    if alias[-1:].isalpha() and not ("\uac00" <= alias[-1] <= "\ud7a3"):
        return body + r"(?!\w)"
    return body


@dataclass(frozen=True, slots=True)
class ClaimantRegistry:
    names: Mapping[str, str]
    relays: Mapping[str, str]
    _dispatcher: Dispatcher

    def canonical(self, entry_id: str) -> str:
        return self.relays.get(entry_id, entry_id)

    def find(self, text: str) -> list[ClaimantMatch]:
        """All claimant mentions in ``text`` (leftmost-longest, sorted by position)."""
        out: list[ClaimantMatch] = []
        for a, b, entry in self._dispatcher.scan(text):
            match = ClaimantMatch(a, b, self.canonical(entry), text[a:b])
            if out and out[-1].claimant == match.claimant and not text[out[-1].end : a].strip(
                " \u00a0,"
            ):
                out[-1] = match  # "le député sud-coréen Lee Seong-kweun": the name is the raw
                continue
            out.append(match)
        return out


def build_registry(data: Mapping[str, Mapping[str, object]]) -> ClaimantRegistry:
    names: dict[str, str] = {}
    relays: dict[str, str] = {}
    items: list[tuple[str, str, bool]] = []
    for entry, spec in data.items():
        names[entry] = str(spec.get("name", entry))
        relay = spec.get("relays")
        if isinstance(relay, str) and relay:
            relays[entry] = relay
        aliases = [str(a) for a in spec.get("aliases", []) or []]  # type: ignore[attr-defined]
        patterns = [str(p) for p in spec.get("patterns", []) or []]  # type: ignore[attr-defined]
        items.extend((_alias_regex(a), entry, _is_acronym(a)) for a in aliases)
        items.extend((p, entry, False) for p in patterns)
    items.sort(key=lambda item: len(item[0]), reverse=True)  # longest alias wins
    return ClaimantRegistry(
        names=names, relays=relays, _dispatcher=Dispatcher(items, word_end=False)
    )


def load_claimants(path: Path) -> ClaimantRegistry:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return build_registry(data.get("claimants", {}))
