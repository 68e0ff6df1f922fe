"""Mechanisms that make the figure extractor generalise beyond its development set.

Each test names the mechanism it pins down; the second development set
(tests/data/figures_dev2) is scored at the end, like tests/data/figures_eval.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import figures_eval as scoring
from worker.figures import Claim, extract_claims, load_lexicons
from worker.figures.alternation import _alt
from worker.figures.numbers import _PHONE_RE
from worker.figures.scan import first_chars

ROOT = Path(__file__).resolve().parents[2]
DEV2_DIR = ROOT / "tests" / "data" / "figures_dev2"


def _one(text: str, lang: str) -> Claim:
    claims = extract_claims(text, lang)
    assert len(claims) == 1, claims
    return claims[0]


# -- number traps ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Relatives of missing soldiers can call 0 800 50 12 70 around the clock.", "en"),
        ("Soldiers who want to surrender can call +38 066 580 34 98.", "en"),
        ("Les familles de disparus peuvent appeler le 0 800 50 12 70.", "fr"),
        ("Angehörige vermisster Soldaten erreichen die Hotline unter (044) 123-45-67.", "de"),
        ("Пленные могут позвонить по номеру +38 066 580 34 98.", "ru"),
        ("실종자 가족 상담은 080-123-4567 또는 02-1234-5678로 문의하면 된다.", "ko"),
    ],
)
def test_telephone_numbers_are_not_figures(text: str, lang: str) -> None:
    assert extract_claims(text, lang) == []


def test_large_grouped_numbers_are_not_mistaken_for_telephone_numbers() -> None:
    assert _PHONE_RE.search("a budget of 1 050 000 000 roubles") is None
    assert _one("Russia has lost 1 050 300 soldiers, Kyiv says.", "en").value == 1_050_300
    assert _one("Ukraine says Russia lost 950 000 soldiers.", "en").value == 950_000


# -- who speaks vs whose people are counted ---------------------------------------------


def test_unregistered_speaker_stops_claimant_inheritance_and_is_not_the_subject() -> None:
    text = (
        "Zelensky said on Monday that 3,000 North Korean troops had been killed or wounded. "
        "Another 200 were captured in the past week, a Ukrainian commander said."
    )
    captured = [c for c in extract_claims(text, "en") if c.metric == "captured"][0]
    assert captured.claimant is None
    assert captured.subject == "KP"
    es = (
        "El servicio de inteligencia surcoreano cifró en 600 los norcoreanos muertos. "
        "Otros 20 fueron capturados, dijo un comandante ucraniano."
    )
    later = extract_claims(es, "es")[-1]
    assert (later.metric, later.claimant, later.subject) == ("captured", None, "KP")


def test_pronoun_speaker_still_inherits() -> None:
    text = (
        "Ukraine's HUR said 300 North Korean soldiers were killed. "
        "Another 40 were reportedly captured, he added."
    )
    assert extract_claims(text, "en")[-1].claimant == "UA-HUR"


def test_korean_army_noun_before_the_count_wins() -> None:
    claims = extract_claims("이번 공격으로 러시아군 40명과 북한군 15명이 숨졌다.", "ko")
    assert [(c.value, c.subject) for c in claims] == [(40, "RU"), (15, "KP")]


def test_parenthesis_is_transparent_for_the_subject() -> None:
    claims = extract_claims("Le bilan nord-coréen (environ 600 morts) a été publié.", "fr")
    assert [(c.value, c.subject) for c in claims] == [(600, "KP")]


# -- clause-aware modality and scope -------------------------------------------------------


def test_possible_cue_two_clauses_later_does_not_apply() -> None:
    text = (
        "More than 600 North Korean troops have died, NATO said, "
        "adding that Pyongyang could send more."
    )
    claim = _one(text, "en")
    assert (claim.modality, claim.claimant) == ("reported", "NATO")


def test_denial_in_a_relative_clause_does_not_negate() -> None:
    text = (
        "Dass Nordkorea, das seine Beteiligung lange bestritten hatte, inzwischen mehr als "
        "14.000 Soldaten nach Russland entsandt hat, ist unstrittig."
    )
    assert _one(text, "de").modality != "negated"


def test_denial_reaches_the_figure_only_through_its_own_clause() -> None:
    text = (
        "Moscow denied that any North Korean troops had been killed, "
        "while Kyiv said the toll exceeded 4,000."
    )
    assert _one(text, "en").modality == "reported"
    assert _one(
        "The Kremlin denied that 500 North Korean soldiers had been killed.", "en"
    ).modality == ("negated")


def test_scope_cue_stops_at_a_contrastive_clause() -> None:
    text = (
        "In total, 1,100 North Korean soldiers have been confirmed dead, while the number of "
        "missing stands at around 1,000."
    )
    scopes = {c.metric: c.scope for c in extract_claims(text, "en")}
    assert scopes == {"killed": "cumulative", "missing": None}


def test_german_future_with_a_long_middle_field_is_possible() -> None:
    text = (
        "Pjöngjang wird nach Einschätzung des NIS im Sommer weitere 3.000 Soldaten "
        "nach Russland schicken."
    )
    claim = _one(text, "de")
    assert (claim.metric, claim.modality, claim.claimant) == ("deployed", "possible", "KR-NIS")


# -- attachment, sentences, number words ---------------------------------------------------


def test_german_verb_final_participle_is_reached() -> None:
    text = (
        "Tausende nordkoreanische Soldaten wurden nach Angaben Kiews in den vergangenen Monaten "
        "in der Region Kursk getötet oder verwundet."
    )
    claim = _one(text, "de")
    assert (claim.metric, claim.value, claim.qualifier) == ("casualties", 1000, "vague")


def test_german_number_before_sentence_starter_ends_the_sentence() -> None:
    text = (
        "Der NIS bezifferte die Zahl der Toten auf etwa 600. "
        "Weitere 30 Soldaten seien verwundet worden."
    )
    got = [(c.metric, c.value) for c in extract_claims(text, "de")]
    assert got == [("killed", 600), ("wounded", 30)]
    # an ordinal before a month or a noun stays an ordinal
    assert extract_claims("Am 9. Januar wurde die 47. Brigade verlegt.", "de") == []


@pytest.mark.parametrize(
    ("text", "lang", "value", "qualifier", "printed"),
    [
        (
            "В докладе говорится о восьми тысячах северокорейских военных, переброшенных в Россию.",
            "ru",
            8000,
            "exact",
            "восьми тысячах",
        ),
        (
            "Разведка сообщила о более чем двух тысячах раненых северокорейцах.",
            "ru",
            2000,
            "more_than",
            "двух тысячах",
        ),
        (
            "По оценкам экспертов, погибли около тысячи северокорейских военных.",
            "ru",
            1000,
            "approx",
            "тысячи",
        ),
        ("Тысячи северокорейских военных погибли.", "ru", 1000, "vague", "Тысячи"),
        (
            "За даними ГУР, загинули близько трьох тисяч північнокорейських військових.",
            "uk",
            3000,
            "approx",
            "трьох тисяч",
        ),
        ("Загинули близько тисячі північнокорейських військових.", "uk", 1000, "approx", "тисячі"),
    ],
)
def test_inflected_thousands(
    text: str, lang: str, value: int, qualifier: str, printed: str
) -> None:
    claim = _one(text, lang)
    assert (claim.value, claim.qualifier) == (value, qualifier)
    assert text[claim.start : claim.end] == printed


def test_comparison_shares_the_metric() -> None:
    text = "Les forces russes ont perdu près de 1 500 hommes, contre une centaine côté ukrainien."
    got = [(c.metric, c.value, c.subject) for c in extract_claims(text, "fr")]
    assert got == [("casualties", 1500, "RU"), ("casualties", 100, "UA")]


@pytest.mark.parametrize(
    ("text", "lang", "value", "qualifier"),
    [
        ("정보위 의원들은 북한군 전사자가 2천 명에 육박한다고 전했다.", "ko", 2000, "approx"),
        ("북한군 사망자가 1천명을 넘어섰다.", "ko", 1000, "more_than"),
        ("Une quinzaine de soldats nord-coréens sont portés disparus.", "fr", 15, "approx"),
        ("Medio centenar de militares ucranianos fueron hechos prisioneros.", "es", 50, "approx"),
        (
            "Les pertes nord-coréennes dépasseraient désormais les 4 000 hommes.",
            "fr",
            4000,
            "more_than",
        ),
    ],
)
def test_quantity_phrasings(text: str, lang: str, value: int, qualifier: str) -> None:
    claim = _one(text, lang)
    assert (claim.value, claim.qualifier) == (value, qualifier)


@pytest.mark.parametrize(
    ("text", "lang", "claimant"),
    [
        ("UK Defence Intelligence said 3,000 North Korean soldiers were killed.", "en", "UK-MOD"),
        (
            "About 3,000 North Koreans were killed, according to British military intelligence.",
            "en",
            "UK-MOD",
        ),
        ("Laut britischem Militärgeheimdienst wurden 3.000 Nordkoreaner getötet.", "de", "UK-MOD"),
        ("По оценке британской военной разведки, погибли 3 тыс. северокорейцев.", "ru", "UK-MOD"),
        ("영국 국방정보국은 북한군 3천 명이 사망했다고 밝혔다.", "ko", "UK-MOD"),
        (
            "Budanow zufolge kämpfen derzeit rund 11.000 Nordkoreaner an der Seite der "
            "russischen Armee.",
            "de",
            "UA-HUR",
        ),
        ("Selon Boudanov, 12 000 soldats nord-coréens ont été déployés.", "fr", "UA-HUR"),
        ("부다노프 국장은 북한군 1만2천 명이 쿠르스크에 주둔하고 있다고 말했다.", "ko", "UA-HUR"),
        ("KIRBY: We assess that over 1,200 North Korean soldiers have been killed.", "en", "US-WH"),
    ],
)
def test_new_claimant_aliases(text: str, lang: str, claimant: str) -> None:
    assert _one(text, lang).claimant == claimant


# -- regex bucketing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "chars"),
    [
        ("killed", {"k"}),
        ("(?:killed|dead|died)(?: or)? wounded", {"k", "d"}),
        ("[ву] Росії", {"в", "у"}),
        ("(?-i:may)", {"m"}),
        ("w(?:ird|erden) schicken", {"w"}),
        ("\\$", {"$"}),
        ("(?:a|(?:b|c)d)e", {"a", "b", "c"}),
        ("\\w*angriff", None),
        ("(?:on )?Monday", None),
        ("e?x", None),
        ("[a-z]x", None),
        ("(?:a|)b", None),
        ("\\d{1,2} May", None),
    ],
)
def test_first_chars(pattern: str, chars: set[str] | None) -> None:
    assert first_chars(pattern) == (None if chars is None else frozenset(chars))


def test_bucketed_alternation_matches_like_a_plain_one() -> None:
    patterns = [
        "(?:killed|dead|died)(?: or)? wounded",
        "killed",
        "dead",
        "[ву] Росії",
        "в Курской",
        "(?:past|last) 24 hours",
        "\\w*angriff",
        "e?xample",
        "strike",
        "sent",
        "send(?:s|ing)?",
    ]
    text = (
        "killed or wounded; dead wounded; в Росії у Росії; past 24 hours Drohnenangriff xample "
        "example strike sending sent KILLED Dead wounded"
    )
    plain = re.compile(
        "(?<!\\w)(?:" + "|".join(sorted(set(patterns), key=len, reverse=True)) + ")", re.I
    )
    bucketed = re.compile("(?<!\\w)" + _alt(patterns), re.I)
    assert [m.span() for m in bucketed.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_every_lexicon_compiles_and_speakers_are_known() -> None:
    lexicons = load_lexicons()
    for lang in ("en", "fr", "de", "es", "ru", "uk", "ko"):
        lex = lexicons.get(lang)
        assert lex is not None
        assert "speaker" in lex.modality_labels


# -- the second development set and the benchmark ------------------------------------------


@pytest.fixture(scope="module")
def dev2() -> dict[str, Any]:
    if not DEV2_DIR.is_dir() or not any(DEV2_DIR.glob("*.jsonl")):
        pytest.skip(f"no labelled data in {DEV2_DIR}")
    out: dict[str, Any] = scoring.evaluate(scoring.load_items(DEV2_DIR))
    return out


@pytest.mark.parametrize("lang", ["en", "fr", "de", "es", "ru", "uk", "ko"])
def test_dev2_precision_and_recall(dev2: dict[str, Any], lang: str) -> None:
    stats = dev2["languages"][lang]
    errors = [e for e in dev2["errors"] if e["id"].startswith(lang) and e["kind"] != "FIELD"]
    assert stats["precision"] >= 0.95, errors
    assert stats["recall"] >= 0.90, errors


def test_dev2_items_follow_the_schema() -> None:
    qualifiers = {
        "exact",
        "approx",
        "at_least",
        "more_than",
        "at_most",
        "less_than",
        "range",
        "vague",
    }
    for path in sorted(DEV2_DIR.glob("*.jsonl")):
        lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        assert 20 <= len(lines) <= 30, path
        for item in lines:
            assert item["lang"] == path.stem
            for exp in item["expected"]:
                assert exp["number_text"] in item["text"], item["id"]
                assert exp["qualifier"] in qualifiers
                low, high, value = exp["low"], exp["high"], exp["value"]
                if exp["qualifier"] in ("exact", "approx"):
                    assert low == high == value, item["id"]
                elif exp["qualifier"] in ("at_least", "more_than", "vague"):
                    assert (low, high) == (value, None), item["id"]
                elif exp["qualifier"] in ("at_most", "less_than"):
                    assert (low, high) == (None, value), item["id"]
                else:
                    assert low == value and high is not None and high > low, item["id"]


def test_benchmark_scores_the_selected_sets_only() -> None:
    """The benchmark run as a program (a test imports no benchmark)."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_figures", "--set", "eval", "--set", "dev2",
         "--json", "--no-speed"], cwd=ROOT, capture_output=True, text=True, timeout=300,
        check=False)
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert payload["set"] == "eval"
    assert set(payload["sets"]) == {"dev2"}
    assert "languages" in payload and "languages" in payload["sets"]["dev2"]
    assert "errors" not in payload["sets"]["dev2"]
