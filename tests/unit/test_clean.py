from __future__ import annotations

from pathlib import Path

import pytest

from worker.clean import clean_text, extract_html, load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged

from ..conftest import SEED

RULES = load_rules(packaged(BOILERPLATE))


def test_seed_promo_is_stripped_and_the_article_kept() -> None:
    text = clean_text(SEED.read_text(encoding="utf-8"), RULES)
    assert "Que se passe-t-il en Tunisie" not in text
    assert "YouTube" not in text
    assert text.startswith("Environ 600 soldats nord-coréens")
    assert text.endswith("nouvel axe Moscou-Pyongyang.")


@pytest.mark.parametrize("body", [
    "Kim's video was posted on YouTube on Monday, officials said.",
    "Que se passe-t-il en Tunisie? Le pays vote dimanche.",
    "The channel asked viewers to subscribe to its YouTube channel, the report said.",
])
def test_a_sentence_that_merely_mentions_a_platform_survives(body: str) -> None:
    text = f"North Korean troops were deployed to Kursk.\n\n{body}"
    assert clean_text(text, RULES) == text.replace("\n\n", "\n")


@pytest.mark.parametrize(("tail", "lang"), [
    ("Follow us on Telegram.", "en"),
    ("Sign up for our newsletter to get the latest news.", "en"),
    ("Lesen Sie auch: Nordkorea schickt weitere Truppen", "de"),
    ("Подписывайтесь на наш канал в Telegram.", "ru"),
    ("Abonnez-vous à notre newsletter.", "fr"),
    ("Síguenos en Twitter.", "es"),
])
def test_trailing_calls_to_action_are_removed(tail: str, lang: str) -> None:
    body = "Pyongyang sent 11,000 troops to Russia."
    assert strip_boilerplate(f"{body}\n{tail}", RULES) == body


def test_share_bar_paragraph_is_removed_anywhere() -> None:
    text = "First paragraph.\nShare on Facebook Twitter Email\nSecond paragraph."
    assert strip_boilerplate(text, RULES) == "First paragraph.\nSecond paragraph."


def test_teaser_alone_is_kept() -> None:
    text = "Body sentence. Que se passe-t-il en Tunisie?"
    assert strip_boilerplate(text, RULES) == text


def test_html_extraction_returns_title_and_text() -> None:
    html = ("<html><head><title>NK troops</title></head><body><nav>Home | World</nav>"
            "<article><h1>North Korean troops in Kursk</h1>"
            + "".join(f"<p>Paragraph {i} about North Korean soldiers fighting for Russia in "
                      "the Kursk region, according to officials.</p>" for i in range(6))
            + "</article><footer>© 2025 Outlet</footer></body></html>")
    ext = extract_html(html)
    assert "Paragraph 3 about North Korean soldiers" in ext.text
    assert "Home | World" not in ext.text
    assert ext.title


def test_rules_file_with_a_bad_pattern_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text("[rules.en.promo]\ntail = ['(unclosed']\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules\.en\.promo.*unclosed"):
        load_rules(bad)


@pytest.mark.parametrize(("body", "message"), [
    ("[rules.en]\ntail = ['x']\n", "table of placements"),
    ("[rules.en.promo]\nsomewhere = ['x']\n", "unknown placement 'somewhere'"),
    ("[rules.en.promo]\nblock = [['only start']]\n", r"\[start, end\]"),
    ("[rules.en.promo]\nline = [3]\n", "string pattern"),
])
def test_rules_file_of_the_wrong_shape_is_reported(tmp_path: Path, body: str, message: str
                                                   ) -> None:
    bad = tmp_path / "b.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_rules(bad)
