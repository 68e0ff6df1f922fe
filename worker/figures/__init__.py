"""Figure extraction: casualty, capture, missing and deployment figures stated in news text.

``extract_claims(text, language, published=None, *, lexicons=None)`` is a pure function (it
only reads its data files, once) returning :class:`Claim` objects sorted by ``start``:

* ``metric``: killed | wounded | casualties (killed+wounded totals, "losses") | captured |
  missing | deployed (troops sent).
* ``subject``: ISO alpha-2 code of whose people are counted (KP, RU, UA, ...) taken from the
  sentence, else from the previous sentence(s) of the paragraph; ``None`` when not said or
  ambiguous ("Russian and Ukrainian losses").
* ``value`` / ``low`` / ``high`` / ``qualifier``: exact and approx give ``low == high == value``;
  at_least / more_than give ``low = value, high = None``; at_most / less_than give
  ``low = None, high = value``; range gives ``value = low``; vague quantities ("hundreds",
  "des centaines", "수백") give ``value = low`` = 100 / 10 / 1000 (200 / 2000 for "several
  hundred/thousand") with ``high = None``.
* ``modality``: negated (explicit denial) > possible (could/may/future) > reported (attributed
  or hedged: "auraient été tués", "sollen", "reportedly", "것으로 추정") > asserted.
* ``claimant``: canonical id from ``worker/data/claimants.toml`` (KR-NIS, UA-GENSTAFF, ...) of the
  nearest source named in the sentence, ``claimant_raw`` the text matched.  A hedged or
  attributed figure whose sentence names no source inherits the most recent claimant of the
  previous 1-2 sentences of the same paragraph.
* ``scope``: cumulative ("since", "in total") | incident ("in a single strike") | ``None``.
* ``sentence``, ``start``, ``end``: ``text[start:end]`` is the number exactly as printed
  ("4 700", "six hundred", "1만8천", "600여", "4,7 тыс.", "des centaines").

Relay rule: a South Korean lawmaker of the National Assembly intelligence committee relaying an
NIS briefing is not the source of the figure, the NIS is.  This lives in the data: the
``KR-INTEL-COMMITTEE`` entry of ``claimants.toml`` has ``relays = "KR-NIS"`` and aliases such as
"Lee Seong-kweun", "commission parlementaire du renseignement", "정보위원회", "이성권", so
``claimant`` is ``KR-NIS`` while ``claimant_raw`` keeps the lawmaker text.

Language knowledge lives in ``worker/figures/lexicons/<lang>.toml`` (en, fr, de, es, ru, uk,
ko); the code is language-agnostic.
"""

from __future__ import annotations

from worker.figures import native

# before the first module of the extractor loads: the compiled build, or the sources when the
# build is stale or switched off (see worker/figures/native.py)
COMPILED, COMPILED_WHY = native.select()

from worker.figures.extract import extract_claims  # noqa: E402
from worker.figures.lexicon import Lexicons, load_lexicons  # noqa: E402
from worker.figures.model import Claim  # noqa: E402
from worker.figures.numbers import parse_number  # noqa: E402

__all__ = ["COMPILED", "COMPILED_WHY", "Claim", "Lexicons", "extract_claims", "load_lexicons",
           "parse_number"]
