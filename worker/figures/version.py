"""Which extractor made a claim: `EXTRACTOR_VERSION`, recorded on every stored claim, changes
whenever the extraction can change — the code (`EXTRACTOR_CODE`, raised by hand with any change
of the rules in code) or the rules in data (the language lexicons and the claimants file, by
content hash). `worker reanalyse` re-extracts the versions whose claims came from another one.

`analysis_version` adds the cleaning rules (boilerplate and topic files): a stored version is
up to date when its `analysed_with` equals it. Pure: reads the data files once."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from worker.data import CLAIMANTS, packaged
from worker.figures.lexicon import LEXICON_DIR

# Raise with every change of the extraction code that can change a claim.
EXTRACTOR_CODE = "fig-2026.12.1"


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


@lru_cache(maxsize=8)
def extractor_version(claimants_file: str | None = None) -> str:
    """`EXTRACTOR_CODE` + a hash of the lexicons and the claimants file (the packaged one by
    default), e.g. "fig-2026.12.1+3f2a9c0d41be"."""
    claimants = Path(claimants_file) if claimants_file else packaged(CLAIMANTS)
    return f"{EXTRACTOR_CODE}+{_digest([*sorted(LEXICON_DIR.glob('*.toml')), claimants])}"


@lru_cache(maxsize=8)
def analysis_version(claimants_file: str, boilerplate_file: str, topics_file: str) -> str:
    """The extractor version plus a hash of the cleaning and topic rules."""
    rules = _digest([Path(boilerplate_file), Path(topics_file)])
    return f"{extractor_version(claimants_file)}/{rules}"


EXTRACTOR_VERSION = extractor_version()
