"""The compacted langid model (`worker.language._compact`) answers exactly as py3langid's own:
same language and same probability, bit for bit, over the corpus pages' text, the seeds and
random strings of many scripts; and its per-state tables hold no Python int objects."""

from __future__ import annotations

import random
import re
from array import array
from functools import lru_cache
from typing import Any

import pytest

from tests.helpers.paths import CORPUS, SEEDS, read_page
from worker import language

_TAG = re.compile(r"<[^>]*>")
_ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz      ,.",
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ     ,.",
    "가나다라마바사아자차카타파하한국어     ",
    "äöüßéèêàçñ¿¡ abcdefghij ,.",
    "0123456789 %$€-:/",
    "αβγδεζηθικλμνξοπρστυφχψω 中文日本語ひらがなカタカナ ",
]


@lru_cache(maxsize=1)
def _stock() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _texts() -> list[str]:
    pages = sorted((CORPUS / "pages").glob("*.html")) if CORPUS.is_dir() else []
    # each page's text with the markup removed, from its start (langid's cost grows with length)
    texts = [" ".join(_TAG.sub(" ", read_page(p)).split())[:4000] for p in pages]
    texts += [p.read_text(encoding="utf-8", errors="replace")
              for p in sorted(SEEDS.glob("*")) if p.suffix in (".txt", ".html")]
    rng = random.Random(15)
    for _ in range(300):
        alphabet = "".join(rng.sample(_ALPHABETS, rng.randint(1, 3)))
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))))
    texts += ["", " ", "\n", "1 000", "KURSK", "ы", "ї"]
    return texts


def test_compact_tables_are_arrays_with_the_same_values() -> None:
    stock, compact = _stock(), language._identifier()
    for name in language._STATE_TABLES:
        assert isinstance(getattr(stock, name), list)  # the layout _compact expects (0.4)
        table = getattr(compact, name)
        assert isinstance(table, array)
        assert table.tolist() == getattr(stock, name)
    # nothing else of the model is a large container of Python objects
    for slot in type(compact).__slots__:
        value = getattr(compact, slot, None)
        if isinstance(value, list | tuple | dict):
            assert len(value) < 1000, slot


@pytest.mark.slow  # 4 s: every text twice through both models
def test_same_language_and_probability_as_py3langid() -> None:
    stock, compact = _stock(), language._identifier()
    texts = _texts()
    # the 300 random strings and the seeds always; the corpus pages where the corpus is
    assert len(texts) > 300 + (200 if CORPUS.is_dir() else 0)
    differ = [t[:60] for t in texts
              for sample in (t, t[:language.SAMPLE_CHARS])
              if stock.classify(sample) != compact.classify(sample)]
    assert not differ


def test_detect_language_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _texts()
    new = [language.detect_language(t) for t in texts]
    monkeypatch.setattr(language, "_identifier", _stock)
    old = [language.detect_language(t) for t in texts]
    assert new == old
    assert len(set(new)) > 5  # many languages met, not one answer for all
