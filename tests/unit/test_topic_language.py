from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.paths import SEED
from worker.data import TOPICS, packaged
from worker.language import detect_language
from worker.topic import load_topic, relevance

RULE = load_topic(packaged(TOPICS))


@pytest.mark.parametrize("text", [
    SEED.read_text(encoding="utf-8"),
    "North Korean troops deployed to Russia's Kursk region have suffered heavy losses, "
    "Ukraine's military intelligence said. Pyongyang sent soldiers to fight Ukraine.",
    "Nordkoreanische Soldaten kämpfen in der russischen Region Kursk gegen die Ukraine. "
    "Nordkorea hat Truppen entsandt.",
    "Soldados norcoreanos combaten junto a Rusia en Kursk contra Ucrania; Corea del Norte "
    "envió tropas.",
    "Северокорейские военные воюют в Курской области на стороне России. КНДР направила войска.",
    "Північнокорейські солдати воюють на Курщині на боці Росії проти України. КНДР відправила "
    "війська.",
    "북한군이 러시아 쿠르스크에 파병돼 우크라이나군과 교전 중이다. 북한은 병력을 추가 파병했다.",
])
def test_dprk_russia_coverage_is_relevant_in_every_language(text: str) -> None:
    assert relevance(text, RULE).relevant


@pytest.mark.parametrize("text", [
    "North Korea fired a ballistic missile into the East Sea on Monday, Seoul said.",
    "Russia's central bank raised its key rate to 21% on Friday to fight inflation.",
    "Le Real Madrid a battu le FC Barcelone 3-1 dimanche soir.",
])
def test_unrelated_stories_are_not(text: str) -> None:
    assert not relevance(text, RULE).relevant


@pytest.mark.parametrize(("text", "lang"), [
    ("Environ 600 soldats nord-coréens auraient été tués en Ukraine", "fr"),
    ("About 600 North Korean soldiers have been killed in Ukraine", "en"),
    ("Etwa 600 nordkoreanische Soldaten sollen getötet worden sein", "de"),
    ("Unos 600 soldados norcoreanos habrían muerto en Ucrania", "es"),
    ("Около 600 северокорейских военных погибли на Украине", "ru"),
    ("Близько 600 північнокорейських військових загинули в Україні", "uk"),
    ("북한군 약 600명이 우크라이나에서 사망한 것으로 추정된다", "ko"),
])
def test_language_detection(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_a_hint_wins_over_detection() -> None:
    assert detect_language("Environ 600 soldats", "en-GB") == "en"


def test_terms_written_in_capitals_with_escapes_match_any_case(tmp_path: Path) -> None:
    """Terms are lower-cased for matching on the lower-cased text; their escapes are kept."""
    rule_file = tmp_path / "topics.toml"
    rule_file.write_text(
        'threshold = 2.0\ncap = 3\n'
        '[groups.leader]\nweight = 1.0\nrequired = true\nterms = ["Kim\\\\W?Jong[ -]?Un"]\n'
        '[groups.place]\nweight = 1.0\nrequired = true\nterms = ["KURSK", "\\\\d+ troops"]\n',
        encoding="utf-8")
    rule = load_topic(rule_file)
    assert relevance("KIM JONG UN visited kursk.", rule).relevant
    assert relevance("Kim-Jong-Un said 300 TROOPS were sent.", rule).hits == {
        "leader": 1, "place": 1}
    # \W stayed an escape: lower-casing it to \w would have broken this match
    assert relevance("kim.jong un, Kursk", rule).relevant
    assert not relevance("Kimberly Jones visited Kursk.", rule).relevant


def test_a_term_with_a_named_group_still_compiles_and_matches_any_case(tmp_path: Path) -> None:
    rule_file = tmp_path / "topics.toml"
    rule_file.write_text(
        'threshold = 1.0\n[groups.place]\nterms = ["(?P<Town>KURSK)\\\\W(?P=Town)"]\n',
        encoding="utf-8")
    rule = load_topic(rule_file)
    assert relevance("Kursk-KURSK", rule).hits == {"place": 1}
    assert not relevance("Kursk Belgorod", rule).relevant
