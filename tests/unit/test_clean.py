from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.paths import SEED
from worker.clean import clean_text, extract_html, load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged

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


BODY = "Seoul said about 600 North Korean soldiers had died in the Kursk region."


def test_bulleted_headlines_closing_the_text_go_with_their_topic_header() -> None:
    text = "\n".join([BODY, "North Korean troops abroad", "- Kim meets the families of the dead",
                      "- Pyongyang confirms the deployment for the first time"])
    assert strip_boilerplate(text, RULES) == BODY


@pytest.mark.parametrize("tail", [
    ["The agency listed what the units had received:", "- drones and radios",
     "- winter uniforms and boots"],                       # a list of the article's own
    ["Casualties by month", "- 300 killed in January", "- 600 killed by April"],  # figures
    ["- only one bulleted line"],
])
def test_an_article_list_at_the_end_survives(tail: list[str]) -> None:
    text = "\n".join([BODY, *tail])
    assert strip_boilerplate(text, RULES) == text


def test_a_caption_printed_twice_or_cut_off_before_its_full_text_goes() -> None:
    caption = "Soldiers at a parade in Pyongyang"
    cut = "North Korean soldiers march"
    text = "\n".join([BODY, caption, caption, "Kim watched from a stand.",
                      cut, f"{cut} in a parade (AFP)", "The parade lasted two hours."])
    assert strip_boilerplate(text, RULES) == "\n".join(
        [BODY, "Kim watched from a stand.", "The parade lasted two hours."])


def test_a_sentence_paragraph_repeated_in_a_row_is_kept_as_the_page_has_it() -> None:
    text = "\n".join([BODY, BODY, "Lawmakers were briefed on Wednesday."])
    assert strip_boilerplate(text, RULES) == text


def test_an_end_marker_at_the_very_start_removes_only_itself() -> None:
    text = "\n".join(["Latest news", BODY, "Lawmakers were briefed on Wednesday."])
    assert strip_boilerplate(text, RULES) == "\n".join(
        [BODY, "Lawmakers were briefed on Wednesday."])


def test_a_link_header_at_the_start_keeps_the_single_title_under_it() -> None:
    title = "First North Korean prisoner dies of his wounds"
    text = "\n".join(["Related articles", title, BODY])
    assert strip_boilerplate(text, RULES) == "\n".join([title, BODY])


@pytest.mark.parametrize("body", [
    "Видео с дрона показывает, как северокорейцы идут в атаку.",
    "Foto von der Front: Das Ministerium veröffentlichte am Montag neue Bilder.",
    "Zelensky said the footage showed two wounded soldiers (AFP).",
    "The video was shared on Telegram... and then deleted, officials said.",
])
def test_look_alikes_of_the_new_kinds_survive(body: str) -> None:
    text = f"{BODY}\n{body}\nLawmakers were briefed on Wednesday."
    assert strip_boilerplate(text, RULES) == text
