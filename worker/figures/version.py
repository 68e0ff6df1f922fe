"""Which extractor made a claim: `EXTRACTOR_VERSION`, recorded on every stored claim, changes
whenever the extraction can change: `EXTRACTOR_CODE` (a name for people, raised with a release
of new rules), a hash of the extraction code (the modules of worker/figures/, so a change
nobody remembered to announce still counts) and a hash of the rules in data (the language
lexicons and the claimants file). `worker reanalyse` re-extracts the versions whose claims
came from another one; an edit that changes no claim (a comment) costs a re-analysis that
writes nothing.

`analysis_version` adds the cleaning and topic rules, in data and in code: a stored version is
up to date when its `analysed_with` equals it. Pure: reads the files once."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from worker.data import CLAIMANTS, packaged
from worker.figures.lexicon import LEXICON_DIR

# Raise with every release of new extraction rules (the hashes below change by themselves).
EXTRACTOR_CODE = "fig-2026.12.1"

_FIGURES = Path(__file__).resolve().parent
_WORKER = _FIGURES.parent
# the code between a page and its clean text and topic verdict
_CLEANING_CODE = ("clean.py", "boilerplate.py", "topic.py", "pipeline.py", "language.py",
                  "dates.py")


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for path in paths:
        h.update(path.name.encode("utf-8") + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()[:12]


@lru_cache(maxsize=8)
def extractor_version(claimants_file: str | None = None) -> str:
    """`EXTRACTOR_CODE` + hashes of the extraction code and of its data (the lexicons and
    the claimants file, the packaged one by default): "fig-2026.12.1+3f2a9c0d41be.0b5e…"."""
    claimants = Path(claimants_file) if claimants_file else packaged(CLAIMANTS)
    code = _digest(sorted(_FIGURES.glob("*.py")))
    data = _digest([*sorted(LEXICON_DIR.glob("*.toml")), claimants])
    return f"{EXTRACTOR_CODE}+{code}.{data}"


@lru_cache(maxsize=8)
def analysis_version(claimants_file: str, boilerplate_file: str, topics_file: str) -> str:
    """The extractor version plus a hash of the cleaning and topic rules, data and code."""
    code = [p for p in (_WORKER / name for name in _CLEANING_CODE) if p.exists()]
    rules = _digest([Path(boilerplate_file), Path(topics_file), *code])
    return f"{extractor_version(claimants_file)}/{rules}"


EXTRACTOR_VERSION = extractor_version()
