"""Unit tests for worker.figures: the seed article, number forms, traps, claimants."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from worker.figures import Claim, extract_claims, load_lexicons, parse_number

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_b80b5a2a3a82875b.txt"


def _summary(claims: list[Claim], text: str) -> list[tuple[object, ...]]:
    return [
        (
            c.metric,
            c.value,
            c.low,
            c.high,
            c.qualifier,
            c.subject,
            c.modality,
            c.claimant,
            text[c.start : c.end],
        )
        for c in claims
    ]


# --------------------------------------------------------------------------- seed article


@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_seed_article_exact() -> None:
    text = SEED.read_text(encoding="utf-8")
    claims = extract_claims(text, "fr", dt.date(2025, 4, 30))
    assert _summary(claims, text) == [
        ("killed", 600, 600, 600, "approx", "KP", "reported", "KR-NIS", "600"),
        ("casualties", 4700, 4700, 4700, "approx", "KP", "reported", "KR-NIS", "4700"),
        ("killed", 600, 600, 600, "approx", "KP", "reported", "KR-NIS", "600"),
        ("wounded", 2000, 2000, 2000, "approx", "KP", "reported", "KR-NIS", "2000"),
        ("deployed", 18000, 18000, 18000, "exact", "KP", "reported", "KR-NIS", "18 000"),
    ]
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    # relay rule: the lawmaker is kept as raw text, the NIS is the claimant
    assert claims[0].claimant_raw == "Lee Seong-kweun"
    assert "auraient été tués" in claims[0].sentence
    # the wounded figure inherits the claimant of the previous sentence
    assert claims[3].claimant_raw == "services de renseignement sud-coréens"
    # the glued headline "18 000 soldats ... envoyés en deux phases" is not counted twice
    assert sum(1 for c in claims if c.metric == "deployed") == 1
    assert "Toujours selon le député Lee" in claims[4].sentence


@pytest.mark.skipif(not SEED.exists(), reason="seed article missing")
def test_seed_article_traps_not_extracted() -> None:
    text = SEED.read_text(encoding="utf-8")
    printed = {text[c.start : c.end] for c in extract_claims(text, "fr", dt.date(2025, 4, 30))}
    for trap in ("30", "deux", "six", "2024", "troisième"):
        assert trap not in printed


# --------------------------------------------------------------------------- number forms


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("18,000", "en", 18000),
        ("18 000", "fr", 18000),
        ("18\u00a0000", "fr", 18000),
        ("18\u202f000", "fr", 18000),
        ("18.000", "de", 18000),
        ("18.000", "es", 18000),
        ("1.5 million", "en", 1500000),
        ("1,5 млн", "ru", 1500000),
        ("4,7 тыс.", "ru", 4700),
        ("4,7 тис.", "uk", 4700),
        ("18 тысяч", "ru", 18000),
        ("11 тисяч", "uk", 11000),
        ("1,4 Millionen", "de", 1400000),
        ("1,4 millones", "es", 1400000),
        ("1만8천", "ko", 18000),
        ("1만 8천", "ko", 18000),
        ("4천700", "ko", 4700),
        ("600여", "ko", 600),
        ("1천100여", "ko", 1100),
        ("100만", "ko", 1000000),
        ("2천600만", "ko", 26000000),
        ("3,000", "ko", 3000),
        ("six hundred", "en", 600),
        ("Forty", "en", 40),
        ("one hundred and twenty", "en", 120),
        ("deux mille", "fr", 2000),
        ("trois cents", "fr", 300),
        ("Quarante-cinq", "fr", 45),
        ("un million", "fr", 1000000),
        ("zweitausend", "de", 2000),
        ("dreihundert", "de", 300),
        ("eine Million", "de", 1000000),
        ("quinientos", "es", 500),
        ("Seiscientos", "es", 600),
        ("un millón", "es", 1000000),
        ("двух", "ru", 2),
        ("трехсот", "ru", 300),
        ("сорок", "ru", 40),
        ("двух тысяч", "ru", 2000),
        ("полторы тысячи", "ru", 1500),
        ("п'ятсот", "uk", 500),
        ("п’ятсот", "uk", 500),
        ("двох тисяч", "uk", 2000),
        ("семеро", "uk", 7),
        ("마흔", "ko", 40),
        ("hundreds", "en", 100),
        ("des centaines", "fr", 100),
        ("plusieurs centaines", "fr", 200),
        ("Hunderte", "de", 100),
        ("mehrere hundert", "de", 200),
        ("cientos", "es", 100),
        ("varios miles", "es", 2000),
        ("сотни", "ru", 100),
        ("несколько тысяч", "ru", 2000),
        ("кілька сотень", "uk", 200),
        ("수백", "ko", 100),
        ("수천", "ko", 1000),
        ("dozens", "en", 10),
        ("un millier", "fr", 1000),
    ],
)
def test_parse_number_forms(text: str, lang: str, value: int) -> None:
    assert parse_number(text, lang) == value


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("", "en"),
        ("1,5", "fr"),
        ("abc", "en"),
        ("600 and 700", "en"),
        ("12", "xx"),
        ("4.30", "de"),
        ("0", "en"),
    ],
)
def test_parse_number_rejects(text: str, lang: str) -> None:
    assert parse_number(text, lang) is None


# --------------------------------------------------------------------------- extraction


def _one(text: str, lang: str) -> Claim:
    claims = extract_claims(text, lang)
    assert len(claims) == 1, _summary(claims, text)
    return claims[0]


@pytest.mark.parametrize(
    ("text", "lang", "metric", "value", "printed"),
    [
        (
            "Ukrainian forces killed 250 North Korean soldiers near Sudzha.",
            "en",
            "killed",
            250,
            "250",
        ),
        (
            "Some 1,200 North Korean troops have been wounded so far.",
            "en",
            "wounded",
            1200,
            "1,200",
        ),
        ("Kyiv says its forces took 12 North Korean prisoners.", "en", "captured", 12, "12"),
        ("Pyongyang has dispatched 11,000 soldiers to Kursk.", "en", "deployed", 11000, "11,000"),
        ("Environ 300 soldats nord-coréens ont été blessés.", "fr", "wounded", 300, "300"),
        ("Plus de 1 000 militaires nord-coréens ont été tués.", "fr", "killed", 1000, "1 000"),
        ("Etwa 400 nordkoreanische Soldaten gelten als vermisst.", "de", "missing", 400, "400"),
        (
            "Nordkorea hat 12.000 Soldaten nach Russland geschickt.",
            "de",
            "deployed",
            12000,
            "12.000",
        ),
        ("Unos 200 soldados norcoreanos murieron en Kursk.", "es", "killed", 200, "200"),
        ("Около 500 северокорейских военных получили ранения.", "ru", "wounded", 500, "500"),
        ("В плен попали 3 северокорейских солдата.", "ru", "captured", 3, "3"),
        ("Близько 200 північнокорейських військових загинули.", "uk", "killed", 200, "200"),
        ("북한군 1만5천 명이 파병됐다.", "ko", "deployed", 15000, "1만5천"),
        ("북한군 사망자는 약 300명이다.", "ko", "killed", 300, "300"),
    ],
)
def test_metric_detection(text: str, lang: str, metric: str, value: int, printed: str) -> None:
    claim = _one(text, lang)
    assert (claim.metric, claim.value, text[claim.start : claim.end]) == (metric, value, printed)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The 47th Brigade lost two tanks near Kursk in 2024.", "en"),
        ("North Korea has an army of 1.2 million and a population of 26 million.", "en"),
        ("Russia sent 5 million shells and 200 missiles, killing people.", "en"),
        ("The soldier, aged 26, was captured on 9 January 2025.", "en"),
        ("Troops advanced 30 km; 60% of the soldiers were killed or wounded, it said.", "en"),
        ("Pyongyang earned $20 billion by sending troops.", "en"),
        ("La 47e brigade a perdu deux chars en 2024, selon Kiev.", "fr"),
        ("Le 11e corps d'armée a été envoyé en juin 2024.", "fr"),
        ("Die 47. Brigade wurde am 30. April nach Kursk verlegt.", "de"),
        ("La 47.ª brigada fue enviada a Kursk en 2024.", "es"),
        ("47-я бригада потеряла 3 танка в 2024 году.", "ru"),
        ("47-ма бригада втратила 2 танки.", "uk"),
        ("제11군단 병력이 2024년 10월 파병됐다.", "ko"),
        ("Call the hotline for missing soldiers on 0 800 300 529.", "en"),
    ],
)
def test_traps_give_nothing(text: str, lang: str) -> None:
    assert extract_claims(text, lang) == []


@pytest.mark.parametrize(
    ("text", "lang", "qualifier", "value", "low", "high"),
    [
        ("At least 100 North Korean soldiers were killed.", "en", "at_least", 100, 100, None),
        ("More than 100 North Korean soldiers were killed.", "en", "more_than", 100, 100, None),
        ("Up to 100 North Korean soldiers were killed.", "en", "at_most", 100, None, 100),
        ("Fewer than 100 North Korean soldiers were killed.", "en", "less_than", 100, None, 100),
        ("About 100 North Korean soldiers were killed.", "en", "approx", 100, 100, 100),
        ("Between 100 and 200 North Korean soldiers were killed.", "en", "range", 100, 100, 200),
        ("Hundreds of North Korean soldiers were killed.", "en", "vague", 100, 100, None),
        ("Several thousand North Korean soldiers were killed.", "en", "vague", 2000, 2000, None),
        (
            "De 11 000 à 12 000 soldats nord-coréens ont été envoyés.",
            "fr",
            "range",
            11000,
            11000,
            12000,
        ),
        (
            "Zwischen 300 und 500 nordkoreanische Soldaten wurden getötet.",
            "de",
            "range",
            300,
            300,
            500,
        ),
        ("Entre 300 y 500 soldados norcoreanos murieron.", "es", "range", 300, 300, 500),
        (
            "От 11 до 12 тыс. северокорейских военных направлены в Курск.",
            "ru",
            "range",
            11000,
            11000,
            12000,
        ),
        ("북한군 1만1천~1만2천 명이 파병됐다.", "ko", "range", 11000, 11000, 12000),
        ("북한군 600여 명이 사망했다.", "ko", "approx", 600, 600, 600),
        ("북한군 3천 명 이상이 사망했다.", "ko", "more_than", 3000, 3000, None),
    ],
)
def test_qualifiers(
    text: str, lang: str, qualifier: str, value: int, low: int | None, high: int | None
) -> None:
    claim = _one(text, lang)
    assert (claim.qualifier, claim.value, claim.low, claim.high) == (qualifier, value, low, high)


@pytest.mark.parametrize(
    ("text", "lang", "modality"),
    [
        ("600 North Korean soldiers were killed in Kursk.", "en", "asserted"),
        ("600 North Korean soldiers were reportedly killed.", "en", "reported"),
        ("The Kremlin denied that 600 North Korean soldiers were killed.", "en", "negated"),
        ("North Korea could send 6,000 more troops.", "en", "possible"),
        ("600 soldats nord-coréens auraient été tués.", "fr", "reported"),
        ("600 nordkoreanische Soldaten sollen getötet worden sein.", "de", "reported"),
        ("600 soldados norcoreanos habrían muerto.", "es", "reported"),
        ("Якобы погибли 600 северокорейских военных.", "ru", "reported"),
        ("Нібито загинули 600 північнокорейських військових.", "uk", "reported"),
        ("북한군 600명이 사망한 것으로 추정된다.", "ko", "reported"),
    ],
)
def test_modality(text: str, lang: str, modality: str) -> None:
    assert _one(text, lang).modality == modality


@pytest.mark.parametrize(
    ("text", "lang", "claimant"),
    [
        (
            "South Korea's National Intelligence Service said 600 North Korean soldiers had died.",
            "en",
            "KR-NIS",
        ),
        (
            "Selon les services de renseignement sud-coréens, 600 soldats nord-coréens sont morts.",
            "fr",
            "KR-NIS",
        ),
        ("국정원은 북한군 600명이 사망했다고 밝혔다.", "ko", "KR-NIS"),
        (
            "Lawmaker Lee Seong-kweun of the intelligence committee said 600 soldiers died.",
            "en",
            "KR-NIS",
        ),
        ("국회 정보위원회 이성권 의원은 북한군 600명이 사망했다고 말했다.", "ko", "KR-NIS"),
        ("According to Ukraine's General Staff, Russia lost 1,200 soldiers.", "en", "UA-GENSTAFF"),
        ("По данным ГУР, погибли 200 северокорейских военных.", "ru", "UA-HUR"),
        ("Zelensky said 3,000 North Korean soldiers were killed or wounded.", "en", "UA-PRESIDENT"),
        ("The Pentagon said 10,000 North Korean troops were sent to Russia.", "en", "US-DOD"),
        ("미 국방부는 북한군 1만 명이 파병됐다고 밝혔다.", "ko", "US-DOD"),
        ("Peskov denied that 500 soldiers had been killed.", "en", "RU-KREMLIN"),
        ("Laut ISW wurden 1.000 nordkoreanische Soldaten getötet.", "de", "ISW"),
    ],
)
def test_claimants(text: str, lang: str, claimant: str) -> None:
    claim = _one(text, lang)
    assert claim.claimant == claimant
    assert claim.claimant_raw is not None and claim.claimant_raw in text


def test_unattributed_claim_has_no_claimant() -> None:
    claim = _one("North Korean troops lost 1,000 soldiers in Kursk.", "en")
    assert claim.claimant is None and claim.claimant_raw is None
    assert claim.modality == "asserted"


def test_hedged_claim_inherits_claimant_from_previous_sentence() -> None:
    text = (
        "Ukraine's HUR said North Korean units suffered heavy losses. "
        "About 1,000 soldiers were believed to have been killed."
    )
    claim = _one(text, "en")
    assert (claim.claimant, claim.claimant_raw, claim.subject) == ("UA-HUR", "HUR", "KP")


def test_inheritance_stops_at_paragraph() -> None:
    text = (
        "Ukraine's HUR said North Korean units suffered heavy losses.\n\n"
        "Elsewhere, a local official said. Some 1,000 soldiers were reportedly killed."
    )
    assert _one(text, "en").claimant is None


def test_subject_and_ambiguity() -> None:
    assert _one("Russia lost 1,000 soldiers near Kursk.", "en").subject == "RU"
    assert _one("Ukrainian forces captured 2 North Korean soldiers.", "en").subject == "KP"
    assert _one("Russian and Ukrainian losses reached 1.4 million.", "en").subject is None
    assert _one("Eight civilians were killed in a Russian missile strike.", "en").subject is None


def test_scope() -> None:
    assert _one("North Korea has lost 4,000 soldiers since October.", "en").scope == "cumulative"
    assert _one("A drone strike killed 12 North Korean soldiers.", "en").scope == "incident"
    assert _one("North Korea lost 4,000 soldiers.", "en").scope is None


def test_same_figure_twice_in_a_sentence_counts_once() -> None:
    text = "The NIS said 600 soldiers were killed, a toll of 600 dead."
    assert len(extract_claims(text, "en")) == 1


def test_headline_glued_to_body_counts_once() -> None:
    text = (
        "11 000 soldats nord-coréens envoyés en Russie Selon le Pentagone, 11 000 soldats "
        "nord-coréens ont été envoyés en Russie."
    )
    claims = extract_claims(text, "fr")
    assert [(c.metric, c.value, c.claimant) for c in claims] == [("deployed", 11000, "US-DOD")]


def test_unknown_language_and_empty_text() -> None:
    assert extract_claims("", "en") == []
    assert extract_claims("600 soldiers were killed.", "xx") == []


def test_claims_are_sorted_and_spans_exact() -> None:
    text = (
        "About 600 North Korean soldiers were killed and 2,000 wounded. "
        "Pyongyang sent 11,000 troops."
    )
    claims = extract_claims(text, "en")
    assert [text[c.start : c.end] for c in claims] == ["600", "2,000", "11,000"]
    assert [c.metric for c in claims] == ["killed", "wounded", "deployed"]


def test_load_lexicons_default_is_cached_and_explicit_dir_works(tmp_path: Path) -> None:
    assert load_lexicons() is load_lexicons()
    (tmp_path / "claimants.toml").write_text(
        '[claimants.TEST-SRC]\naliases = ["Test Agency"]\n'
        '[claimants.TEST-RELAY]\nrelays = "TEST-SRC"\naliases = ["Relay Person"]\n',
        encoding="utf-8",
    )
    lexicons = load_lexicons(tmp_path)
    assert set(lexicons.languages) >= {"en", "fr", "de", "es", "ru", "uk", "ko"}
    claim = extract_claims("Relay Person said 600 soldiers were killed.", "en", lexicons=lexicons)[
        0
    ]
    assert (claim.claimant, claim.claimant_raw) == ("TEST-SRC", "Relay Person")


def test_claimants_config_has_required_ids() -> None:
    names = load_lexicons().claimants.names
    for cid in (
        "KR-NIS",
        "UA-GENSTAFF",
        "UA-HUR",
        "UA-PRESIDENT",
        "UA-MOD",
        "US-DOD",
        "US-WH",
        "KR-JCS",
        "KR-MND",
        "KP-KCNA",
        "RU-MOD",
        "RU-KREMLIN",
        "UK-MOD",
        "NATO",
        "ISW",
    ):
        assert cid in names
    assert load_lexicons().claimants.relays.get("KR-INTEL-COMMITTEE") == "KR-NIS"


def test_civilians_are_never_deployed_and_years_need_people() -> None:
    assert extract_claims("Germany is sending 80 million people into isolation.", "en") == []
    assert extract_claims("1992 killed socialism in Britain.", "en") == []
    assert extract_claims("Bei der Wahl 2018 wurden 15 Menschen getötet.", "de")[0].value == 15
    claim = _one("Environ 2000 blessés auraient été rapatriés.", "fr")
    assert (claim.metric, claim.value) == ("wounded", 2000)


def test_scores_times_and_unknown_nouns_are_not_figures() -> None:
    assert extract_claims("The team lost 0:3 at home; the strike came at 04:30.", "en") == []
    assert extract_claims("The answers to 28 questions it sent were killed off.", "en") == []


def test_continuation_of_an_incident_keeps_incident_scope() -> None:
    text = (
        "A missile strike killed at least 30 soldiers, the governor said. "
        "Another 45 were wounded, he added."
    )
    claims = extract_claims(text, "en")
    assert [(c.metric, c.value, c.scope) for c in claims] == [
        ("killed", 30, "incident"),
        ("wounded", 45, "incident"),
    ]


def test_presence_in_russia_is_a_weak_deployment_cue() -> None:
    claim = _one("An estimated 12,000 North Korean troops are believed to be in Russia.", "en")
    assert (claim.metric, claim.value, claim.qualifier) == ("deployed", 12000, "approx")
    # a real metric word nearby wins over the weak cue
    text = (
        "Южнокорейская разведка оценивает потери войск КНДР в России примерно в 4,7 тыс. человек."
    )
    assert _one(text, "ru").metric == "casualties"


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Около трёхсот северокорейцев погибли, ещё около двух тысяч получили ранения.",
            "ru",
            [("killed", 300), ("wounded", 2000)],
        ),
        ("Otros 45 resultaron heridos, añadió.", "es", [("wounded", 45)]),
        (
            "이번 미사일 공격으로 12명이 숨지고 30여 명이 다쳤다.",
            "ko",
            [("killed", 12), ("wounded", 30)],
        ),
        (
            "Russland verlor binnen 24 Stunden 1.500 Soldaten, die Gesamtverluste stiegen auf "
            "780.000.",
            "de",
            [("casualties", 1500), ("casualties", 780000)],
        ),
        (
            "L'Ukraine affirme avoir tué ou blessé 3 800 soldats nord-coréens.",
            "fr",
            [("casualties", 3800)],
        ),
    ],
)
def test_multi_figure_sentences(text: str, lang: str, expected: list[tuple[str, int]]) -> None:
    assert [(c.metric, c.value) for c in extract_claims(text, lang)] == expected


def test_claimant_named_before_a_later_number_belongs_to_it() -> None:
    text = (
        "Zelensky said North Korean losses had surpassed 3,000 killed and wounded, while "
        "Ukraine's military intelligence put the number of North Koreans fighting in Kursk "
        "at about 12,000."
    )
    claims = extract_claims(text, "en")
    assert [(c.metric, c.value, c.qualifier, c.claimant) for c in claims] == [
        ("casualties", 3000, "more_than", "UA-PRESIDENT"),
        ("deployed", 12000, "approx", "UA-HUR"),
    ]


def test_possible_cue_must_be_near_the_figure() -> None:
    text = (
        "The NIS's estimate of the deployment remains at about 11,000 North Korean troops, "
        "though the agency does not rule out additional dispatches, possibly including "
        "artillery operators."
    )
    assert _one(text, "en").modality == "reported"


def test_trigger_in_an_aside_does_not_capture_the_figure() -> None:
    text = "El total de bajas norcoreanas, incluidos los heridos, rondaría las 4.700, según el NIS."
    claim = _one(text, "es")
    assert (claim.metric, claim.value, claim.qualifier) == ("casualties", 4700, "approx")


def test_coordinated_figures_share_the_trigger_and_the_unit() -> None:
    text = (
        "Corea del Norte enviará a Kursk 1.000 zapadores para desminar el territorio y 5.000 "
        "constructores militares, anunció Serguéi Shoigú."
    )
    assert [(c.metric, c.value, c.claimant) for c in extract_claims(text, "es")] == [
        ("deployed", 1000, "RU-KREMLIN"),
        ("deployed", 5000, "RU-KREMLIN"),
    ]
    assert extract_claims("Sie sind 20 und 26 Jahre alt und wurden verletzt.", "de") == []


def test_according_to_a_new_source_does_not_inherit() -> None:
    text = (
        "Президент Украины Владимир Зеленский говорил о 3,8 тысячи убитых и раненых "
        "северокорейцев. По данным Киева, двое военных КНДР взяты в плен."
    )
    claims = extract_claims(text, "ru")
    assert [(c.value, c.claimant) for c in claims] == [(3800, "UA-PRESIDENT"), (2, None)]
