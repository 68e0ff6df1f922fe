"""The figure claim: one number stated in a text, with what it counts and who says so."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

METRICS = ("killed", "wounded", "casualties", "captured", "missing", "deployed")
QUALIFIERS = ("exact", "approx", "at_least", "more_than", "at_most", "less_than", "range", "vague")
MODALITIES = ("asserted", "reported", "possible", "negated")
SCOPES = ("cumulative", "incident", "increment")


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """One stated figure. ``text[start:end]`` is the number as printed in the cleaned text.

    ``refers_to`` is the date or period the figure is about ("YYYY-MM-DD", "YYYY-MM" or
    "YYYY": the precision is the length), resolved against the publication date; ``recalled``
    is true when the sentence restates an earlier statement ("up from 300 in January");
    ``part_of`` is the index, in the list ``extract_claims`` returns, of the total this figure
    is a part of ("18,000 troops, including 11,000 sent last autumn"); ``partial`` is true for a
    part and for a sub-population without a stated total ("2,000 wounded were flown home").
    ``why`` says which rule or cue decided each field (``{"metric": "trigger 'killed'", ...}``).
    """

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
    refers_to: str | None = None
    recalled: bool = False
    part_of: int | None = None
    partial: bool = False
    why: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def in_series(self) -> bool:
        """Whether the figure can move its (subject, metric, claimant) series: a recalled
        figure, an increment and a part of a breakdown cannot."""
        return not (self.recalled or self.partial or self.scope == "increment")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
