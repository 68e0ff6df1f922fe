"""The fast form of a lexicon regex (`scan.word_start_form`) matches exactly what its plain
form matches: on every committed sentence, on hostile texts, and on random texts built from
the lexicon's own words in random cases, with the characters that fold case in unusual ways
(the Kelvin sign, the long s, dotted and dotless i, the old Cyrillic letter forms)."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from worker.figures import alternation, lexicon, scan
from worker.figures.lexicon import DEFAULT_CLAIMANTS, LANGUAGES, LEXICON_DIR

DATA = Path(__file__).resolve().parents[1] / "data"
ODD = "\u212a\u017f\u0130\u0131\u1c80\u1c82\u1c83\u1c84\u1e9e\u212b\u00df"


def _texts(lang: str) -> list[str]:
    out: list[str] = []
    for path in sorted(DATA.glob(f"figures_*/{lang}.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if "text" in item:
                    out.append(item["text"])
    return out


@pytest.fixture(scope="module")
def both() -> tuple[lexicon.Lexicons, lexicon.Lexicons]:
    """The lexicons with and without the fast form."""
    fast = lexicon._load(DEFAULT_CLAIMANTS, LEXICON_DIR)
    saved = alternation.FAST_FORM
    alternation.FAST_FORM = False
    try:
        plain = lexicon._load(DEFAULT_CLAIMANTS, LEXICON_DIR)
    finally:
        alternation.FAST_FORM = saved
    return fast, plain


def _pairs(
    fast: lexicon.LanguageLexicon, plain: lexicon.LanguageLexicon
) -> Iterator[tuple[str, re.Pattern[str], re.Pattern[str]]]:
    for a_obj, b_obj in ((fast, plain), (fast.numbers, plain.numbers)):
        for f in dataclasses.fields(a_obj):
            a, b = getattr(a_obj, f.name), getattr(b_obj, f.name)
            if isinstance(a, re.Pattern) and a.pattern != b.pattern:
                yield f.name, a, b


def _random_texts(plain: lexicon.LanguageLexicon, rng: random.Random) -> list[str]:
    words = re.findall(r"\w+", " ".join(_texts(plain.language)))
    out = []
    for _ in range(60):
        parts = []
        for _ in range(rng.randint(3, 25)):
            w = rng.choice(words)
            w = rng.choice([w, w.upper(), w.lower(), w.title()])
            if rng.random() < 0.1:
                i = rng.randrange(len(w) + 1)
                w = w[:i] + rng.choice(ODD) + w[i:]
            parts.append(w)
            parts.append(rng.choice([" ", " ", ", ", ". ", "\n", "-", "", "«", "'"]))
        out.append("".join(parts))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_fast_form_matches_like_plain_form(
    lang: str, both: tuple[lexicon.Lexicons, lexicon.Lexicons]
) -> None:
    fast, plain = (both[0].get(lang), both[1].get(lang))
    assert fast is not None and plain is not None
    pairs = list(_pairs(fast, plain))
    assert len(pairs) >= 15  # most lexicon regexes have a fast form
    texts = _texts(lang) + _random_texts(plain, random.Random(lang))
    for name, a, b in pairs:
        labels_a = _labels(fast, name)
        labels_b = _labels(plain, name)
        for text in texts:
            assert [_span(m, labels_a) for m in a.finditer(text)] == [
                _span(m, labels_b) for m in b.finditer(text)
            ], (name, text)
            for pos in range(0, len(text), 7):
                assert _same(a.match(text, pos), b.match(text, pos)), (name, text, pos)
                assert _same(a.search(text, max(0, pos - 40), pos),
                             b.search(text, max(0, pos - 40), pos)), (name, text, pos)


def _labels(lex: lexicon.LanguageLexicon, name: str) -> list[object] | None:
    """What each named group of a labelled regex stands for (its label, or for the vague
    numbers their value), None for a regex without labels."""
    if name == "vague_re":
        return list(lex.numbers.vague_values)
    labels = getattr(lex, name.replace("_re", "_labels"), None)
    return list(labels) if labels is not None else None


def _span(m: re.Match[str], labels: list[object] | None) -> tuple[int, int, object]:
    """The match and, for a labelled regex, the label of the fragment that matched."""
    label = labels[int(m.lastgroup[1:])] if labels is not None and m.lastgroup else None
    return (m.start(), m.end(), label)


def _same(x: re.Match[str] | None, y: re.Match[str] | None) -> bool:
    """Both no match, or matches of the same span."""
    if x is None or y is None:
        return x is y
    return x.span() == y.span()


@pytest.mark.slow
def test_case_closure_is_every_code_point_that_folds_to_the_key() -> None:
    everything = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    keys = "abcdefghijklmnopqrstuvwxyzßäöüéèçñабвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ"
    keys += keys.upper() + "0123456789"
    for key in keys:
        found = set(re.findall(re.escape(key), everything, re.IGNORECASE))
        assert scan.case_closure(key) == found, key


def test_forms_it_does_not_understand_fall_back() -> None:
    """A fragment that may start anywhere or with a quantified item has no fast form (the
    plain form is used); a case-sensitive group and a lookbehind before the first character
    keep their meaning."""
    assert scan.word_start_form([(r"\w*soldat", None)], word_end=True) is None
    assert scan.word_start_form([("s?oldat", None)], word_end=True) is None
    assert scan.word_start_form([("a+b", None)], word_end=True) is None
    assert scan.word_start_form([("(?-i:N+IS)", None)], word_end=True) is None
    sensitive = scan.word_start_form([("(?-i:NIS)", None), ("(?<=, )but", None)],
                                     word_end=True)
    assert sensitive is not None
    found = [m.span() for m in re.finditer(sensitive[0], "NIS nis Nis, but but")]
    assert found == [(0, 3), (13, 16)]
    form = scan.word_start_form([("killed", "k"), ("(?:missile|drone) strike", "s")],
                                word_end=True)
    assert form is not None and form[1] == ["s", "k", "s"]
    regex = re.compile(form[0])
    text = "KILLED, a Drone strike, unkilled, missile strikes \u212ailled"
    assert [m.span() for m in regex.finditer(text)] == [(0, 6), (10, 22), (50, 56)]
