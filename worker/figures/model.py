"""The figure claim: one number stated in a text, with what it counts and who says so."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

METRICS = ("killed", "wounded", "casualties", "captured", "missing", "deployed")
QUALIFIERS = ("exact", "approx", "at_least", "more_than", "at_most", "less_than", "range", "vague")
MODALITIES = ("asserted", "reported", "possible", "negated")
SCOPES = ("cumulative", "incident")


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One stated figure. ``text[start:end]`` is the number as printed in the cleaned text."""

    metric: str
    subject: str | None
    value: int
    low: int | None
    high: int | None
    qualifier: str
    modality: str
    claimant: str | None
    claimant_raw: str | None
    scope: str | None
    sentence: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
