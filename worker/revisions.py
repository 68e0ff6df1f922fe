"""Pure: what changed between two versions of an article — sentences added, removed and
edited, characters added and removed, and figure claims added, removed or changed."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_SPLIT = re.compile(r"(?<=[.!?…])\s+|\n+")
_CORRECTION = re.compile(
    r"\b(this article (has been|was) (removed|withdrawn|retracted)|correction|retraction|"
    r"cet article a été (retiré|supprimé|corrigé)|rectificatif|"
    r"dieser artikel wurde (entfernt|zurückgezogen|korrigiert)|korrektur|"
    r"este artículo ha sido (retirado|corregido)|fe de erratas|"
    r"статья (удалена|исправлена)|опровержение|статтю (видалено|виправлено)|спростування|"
    r"정정 ?보도|기사를 삭제|바로잡습니다)",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SPLIT.split(text) if s.strip()]


@dataclass(frozen=True, slots=True)
class FigureKey:
    metric: str
    subject: str | None
    claimant: str | None


def _claim_key(c: Any) -> FigureKey:
    return FigureKey(c.metric, c.subject, c.claimant)


def figure_changes(old: Iterable[Any], new: Iterable[Any]) -> dict[str, list[dict[str, Any]]]:
    """Claims (anything with metric, subject, claimant, value) compared as sets of values per
    (metric, subject, claimant): a key whose values differ is `changed`."""
    def group(claims: Iterable[Any]) -> dict[FigureKey, list[int]]:
        out: dict[FigureKey, list[int]] = {}
        for c in claims:
            values = out.setdefault(_claim_key(c), [])
            if c.value not in values:
                values.append(c.value)
        return out

    before, after = group(old), group(new)
    result: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for key in sorted(set(before) | set(after), key=lambda k: (k.metric, str(k.subject),
                                                                 str(k.claimant))):
        row = {"metric": key.metric, "subject": key.subject, "claimant": key.claimant}
        if key not in before:
            result["added"].append({**row, "values": after[key]})
        elif key not in after:
            result["removed"].append({**row, "values": before[key]})
        elif sorted(before[key]) != sorted(after[key]):
            result["changed"].append({**row, "from": before[key], "to": after[key]})
    return result


def compare_texts(old: str, new: str) -> dict[str, int]:
    """Sentence- and character-level change counts between two texts."""
    a, b = sentences(old), sentences(new)
    added = removed = edited = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "insert":
            added += j2 - j1
        elif tag == "delete":
            removed += i2 - i1
        elif tag == "replace":
            paired = min(i2 - i1, j2 - j1)
            edited += paired
            removed += (i2 - i1) - paired
            added += (j2 - j1) - paired
    chars_added = chars_removed = 0
    cm = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in cm.get_opcodes():
        if tag in ("replace", "delete"):
            chars_removed += i2 - i1
        if tag in ("replace", "insert"):
            chars_added += j2 - j1
    return {
        "sentences_added": added,
        "sentences_removed": removed,
        "sentences_edited": edited,
        "chars_added": chars_added,
        "chars_removed": chars_removed,
    }


def compare_versions(old_text: str, new_text: str, old_claims: Sequence[Any],
                     new_claims: Sequence[Any]) -> dict[str, Any]:
    return {**compare_texts(old_text, new_text),
            "figures": figure_changes(old_claims, new_claims)}


def is_correction_note(old_text: str, new_text: str) -> bool:
    """A page replaced by a short correction or retraction notice."""
    return len(new_text) < 0.4 * len(old_text) and bool(_CORRECTION.search(new_text))


def unified_diff(old_text: str, new_text: str, *, old_label: str, new_label: str) -> str:
    """A readable sentence-per-line diff."""
    return "\n".join(difflib.unified_diff(
        sentences(old_text), sentences(new_text), fromfile=old_label, tofile=new_label,
        lineterm="", n=1,
    ))
