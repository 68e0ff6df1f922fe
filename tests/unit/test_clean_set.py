"""The committed cleaning set (tests/data/cleaning, written for the project): in every language
each page loses every leftover and keeps every article paragraph and look-alike sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.paths import ROOT
from worker.clean import load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged

RULES = load_rules(packaged(BOILERPLATE))
SET = ROOT / "tests" / "data" / "cleaning"
LANGUAGES = ("en", "fr", "de", "es", "ru", "uk", "ko")
WHERE = ("head", "lead", "inline", "end", "glued")


def _articles(lang: str) -> list[dict[str, Any]]:
    path = SET / f"{lang}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def page(article: dict[str, Any]) -> tuple[str, str]:
    """The page as trafilatura would leave it, and the article it must clean to."""
    left: dict[str, list[str]] = {w: [] for w in WHERE}
    for _kind, where, text in article["l"]:
        left[where].append(text)
    kept = [*article["b"], *article["k"]]
    first = " ".join([*left["lead"], kept[0]])
    paragraphs = [*left["head"], first, *left["inline"], *kept[1:]]
    if left["glued"]:
        paragraphs[-1] = " ".join([paragraphs[-1], *left["glued"]])
    paragraphs.extend(left["end"])
    return "\n".join(paragraphs), "\n".join(kept)


CASES = [pytest.param(lang, i, a, id=f"{lang}-{i:02d}")
         for lang in LANGUAGES for i, a in enumerate(_articles(lang))]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_set_has_fifteen_articles_per_language_with_leftovers_and_look_alikes(
        lang: str) -> None:
    articles = _articles(lang)
    assert len(articles) >= 15
    assert all(a["l"] and a["b"] for a in articles)
    assert sum(len(a["k"]) for a in articles) >= 15
    assert all(where in WHERE for a in articles for _k, where, _t in a["l"])
    assert len({kind for a in articles for kind, _w, _t in a["l"]}) >= 8


@pytest.mark.parametrize(("lang", "i", "article"), CASES)
def test_every_leftover_goes_and_every_article_sentence_stays(
        lang: str, i: int, article: dict[str, Any]) -> None:
    text, expected = page(article)
    assert strip_boilerplate(text, RULES) == expected


def test_the_set_is_our_own_writing_and_names_no_page() -> None:
    """Guard against pasting real pages in: no URL outside example domains."""
    for path in SET.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            for word in line.split():
                if "://" in word:
                    assert "example." in word, (path.name, word)


def test_page_builder_places_leftovers_where_they_say(tmp_path: Path) -> None:
    article = {"b": ["A one.", "A two."], "k": ["K."],
               "l": [["x", "head", "H"], ["x", "lead", "L"], ["x", "inline", "I"],
                     ["x", "glued", "G."], ["x", "end", "E"]]}
    text, expected = page(article)
    assert text == "H\nL A one.\nI\nA two.\nK. G.\nE"
    assert expected == "A one.\nA two.\nK."
