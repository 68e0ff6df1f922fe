"""The speed-ups of the figure extractor change nothing it finds.

Each shortcut is switched off in turn (the plain form it replaces is kept for that) and the
extractor's output over every committed figure set, claim by claim with its ``why``, must be
the same as with the shortcut on.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from worker import figures
from worker.figures import alternation, extract_claims, lexicon, native, scan, triggers
from worker.figures.lexicon import DEFAULT_CLAIMANTS, LEXICON_DIR, Lexicons, load_lexicons

DATA = Path(__file__).resolve().parents[1] / "data"


def _items() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for path in sorted(DATA.glob("figures_*/*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if "text" in item:
                    out.append(item)
    return out


ITEMS = _items()


def _run(lexicons: Lexicons) -> list[list[dict[str, Any]]]:
    out = []
    for item in ITEMS:
        day = dt.date.fromisoformat(item["published"]) if item.get("published") else None
        claims = extract_claims(item["text"], item["lang"], day, lexicons=lexicons)
        out.append([c.to_dict() for c in claims])
    return out


@pytest.fixture(scope="module")
def reference() -> list[list[dict[str, Any]]]:
    assert len(ITEMS) > 500
    found = _run(load_lexicons())
    assert sum(len(c) for c in found) > 500
    return found


# compiled code binds its calls of a class's methods when it is built: patching a method
# (below) changes nothing there, so that test runs on the sources, in a process of its own
patches_methods = pytest.mark.skipif(
    figures.COMPILED, reason="runs on the sources: test_patched_tests_on_the_sources")


@patches_methods
def test_trigger_index_changes_nothing(
    reference: list[list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the index each number scores every trigger of its sentence (no reach
    bounds, no walking outwards and stopping early)."""
    monkeypatch.setattr(triggers.TriggerIndex, "build", classmethod(lambda cls, t, k: None))
    assert _run(load_lexicons()) == reference


def test_grouped_lookaheads_change_nothing(
    reference: list[list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One lookahead per first-character bucket, as before the grouping."""
    monkeypatch.setattr(alternation, "_GROUP", 1)
    monkeypatch.setattr(alternation, "FAST_FORM", False)
    plain = lexicon._load(DEFAULT_CLAIMANTS, LEXICON_DIR)
    assert "(?=[" in plain.get("en").trigger_re.pattern  # type: ignore[union-attr]
    assert _run(plain) == reference


def test_claimant_word_starts_change_nothing(reference: list[list[dict[str, Any]]]) -> None:
    """The claimant scan visits only the word starts that open a bucket; visiting every word
    start finds the same mentions."""
    registry = load_lexicons().claimants
    dispatcher = registry._dispatcher
    text = "\n".join(item["text"] for item in ITEMS)
    fast = dispatcher.scan(text)
    assert fast
    saved = dispatcher._starts
    try:
        dispatcher._starts = scan._WORD_START
        assert dispatcher.scan(text) == fast
    finally:
        dispatcher._starts = saved


def test_word_start_form_changes_nothing(
    reference: list[list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every lexicon regex in its plain form (a lookbehind, then the case-insensitive
    alternation) finds what the fast form finds."""
    monkeypatch.setattr(alternation, "FAST_FORM", False)
    plain = lexicon._load(DEFAULT_CLAIMANTS, LEXICON_DIR)
    assert plain.get("en").trigger_re.pattern.startswith("(?<!")  # type: ignore[union-attr]
    assert _run(plain) == reference



def test_patched_tests_on_the_sources() -> None:
    """With the compiled extractor loaded here, the method-patching tests of this file run in
    a process that loads the sources (WORKER_FIGURES_PURE=1), where a patch takes effect."""
    if not figures.COMPILED:
        pytest.skip("the extractor runs from its sources here: the tests above ran as they are")
    env = {**os.environ, native.PURE_ENV: "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
         "-k", "trigger_index"],
        env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "1 passed" in run.stdout
