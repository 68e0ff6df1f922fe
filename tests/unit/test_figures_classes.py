"""The failure classes of real reporting (issue 11), one group of tests each, on sentences
written for these tests: whose figure, which metric, update against recall, number forms,
deployment without a send verb, traps, who claims it, breakdowns; plus the date a figure
refers to, increments and the `why` of each decision."""

from __future__ import annotations

import datetime as dt

import pytest

from worker.figures import Claim, extract_claims, parse_number

D = dt.date(2025, 5, 14)  # a Wednesday


def _claims(text: str, lang: str, published: dt.date | None = D) -> list[Claim]:
    return extract_claims(text, lang, published)


def _by_value(text: str, lang: str, published: dt.date | None = D) -> dict[int, Claim]:
    return {c.value: c for c in _claims(text, lang, published)}


# -- 1. whose figure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Some 1,500 North Korean soldiers sent to aid Russia have been killed, Seoul's spy "
         "agency said.", "en"),
        ("Près de 900 soldats nord-coréens envoyés soutenir la Russie auraient été tués.", "fr"),
        ("Rund 700 nordkoreanische Soldaten, die an der Seite Russlands kämpfen, sollen "
         "getötet worden sein.", "de"),
        ("Unos 800 soldados norcoreanos desplegados en Kursk murieron, según Seúl.", "es"),
        ("Около 500 военных из КНДР, воюющих на стороне России, погибли.", "ru"),
        ("У боях на Курщині полягли близько 400 військовослужбовців із Північної Кореї.",
         "uk"),
    ],
)
def test_the_counted_noun_phrase_gives_the_side(text: str, lang: str) -> None:
    killed = [c for c in _claims(text, lang) if c.metric == "killed"]
    assert [c.subject for c in killed] == ["KP"], killed


def test_a_back_reference_keeps_the_side_of_its_antecedent() -> None:
    text = ("Around 5,200 North Korean troops have been killed or wounded in Kursk. Of them, "
            "roughly 1,300 died, the NIS said.")
    claims = _by_value(text, "en")
    assert claims[1300].metric == "killed" and claims[1300].subject == "KP"


# -- 2. which metric -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("About 2,300 North Korean soldiers have been killed or wounded, Kyiv said.", "en", 2300),
        ("Quelque 2 300 soldats nord-coréens ont été tués ou blessés.", "fr", 2300),
        ("Etwa 2300 nordkoreanische Soldaten wurden getötet oder verwundet.", "de", 2300),
        ("Más de 2.300 soldados norcoreanos fueron heridos o asesinados.", "es", 2300),
        ("Около 2300 северокорейских военных погибли или были ранены.", "ru", 2300),
        ("Близько 2300 північнокорейських військових загинули або були поранені.", "uk", 2300),
        ("북한군 2300여 명이 죽거나 다친 것으로 파악됐다.", "ko", 2300),
        ("Около 2,3 тысячи военных КНДР убиты или ранены.", "ru", 2300),
    ],
)
def test_killed_or_wounded_is_casualties(text: str, lang: str, value: int) -> None:
    claims = _claims(text, lang)
    assert [(c.metric, c.value) for c in claims] == [("casualties", value)]


def test_stationed_troops_that_died_are_killed_not_deployed() -> None:
    text = "About 250 North Korean soldiers stationed in Russia have died, the NIS said."
    assert [(c.metric, c.value) for c in _claims(text, "en")] == [("killed", 250)]


def test_casualties_including_deaths_gives_both_metrics() -> None:
    text = "The NIS counts 5,100 North Korean casualties, including 700 deaths."
    claims = _by_value(text, "en")
    assert (claims[5100].metric, claims[700].metric) == ("casualties", "killed")
    assert claims[700].part_of == _claims(text, "en").index(claims[5100])
    assert not claims[700].partial  # a part of another metric stays in its own series


def test_dead_among_those_sent_gives_killed_and_deployed() -> None:
    text = "Lawmakers said there were 650 dead among some 14,000 North Korean troops sent."
    claims = _by_value(text, "en")
    assert (claims[650].metric, claims[14000].metric) == ("killed", "deployed")


# -- 3. update against recall ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "old", "new", "month"),
    [
        ("The agency estimated in February that at least 500 had died, but now puts the toll "
         "at about 1,700.", "en", 500, 1700, "2025-02"),
        ("En février, le NIS estimait le nombre de morts à au moins 500, mais il estime "
         "désormais ce chiffre à environ 1 700.", "fr", 500, 1700, "2025-02"),
        ("Im Februar hatte der NIS mindestens 500 Tote gemeldet, aber jetzt geht er von etwa "
         "1700 Toten aus.", "de", 500, 1700, "2025-02"),
        ("En febrero, la cifra de muertos era de al menos 500, pero ahora el NIS calcula unos "
         "1700 muertos.", "es", 500, 1700, "2025-02"),
    ],
)
def test_a_recalled_figure_is_marked_and_dated(
    text: str, lang: str, old: int, new: int, month: str
) -> None:
    claims = _by_value(text, lang)
    assert claims[old].recalled and claims[old].refers_to == month
    assert not claims[new].recalled


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("The death toll is up from 300 in January, the agency said.", "en", 300),
        ("Ранее разведка сообщала о 300 погибших военных КНДР.", "ru", 300),
        ("Zuvor hatte der Geheimdienst von 300 getöteten Soldaten gesprochen.", "de", 300),
        ("국정원은 앞서 북한군 300여 명이 사망했다고 밝힌 바 있다.", "ko", 300),
    ],
)
def test_recall_cues(text: str, lang: str, value: int) -> None:
    assert _by_value(text, lang)[value].recalled


def test_a_recent_statement_is_not_recalled() -> None:
    text = "On Monday the NIS said about 2,000 North Korean soldiers had been killed."
    claim = _by_value(text, "en")[2000]
    assert claim.refers_to == "2025-05-12" and not claim.recalled


# -- 4. number forms -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "lang", "value"),
    [
        ("15-thousand", "en", 15000),
        ("27-hundred", "en", 2700),
        ("2,7 тис.", "uk", 2700),
        ("1,1 тыс.", "ru", 1100),
        ("4,7 тысячи", "ru", 4700),
        ("дев’ятеро", "uk", 9),
        ("двое", "ru", 2),
        ("оба", "ru", 2),
        ("beiden", "de", 2),
        ("1만1000", "ko", 11000),
        ("12'000", "de", 12000),
        ("12\u2009000", "fr", 12000),
        ("12\u202f000", "fr", 12000),
    ],
)
def test_number_forms(printed: str, lang: str, value: int) -> None:
    assert parse_number(printed, lang) == value


def test_korean_range_with_a_tilde_and_approximate_suffix() -> None:
    claims = _claims("북한은 7,000~8,000명을 추가 파병할 것으로 보인다고 국정원이 밝혔다.", "ko")
    assert [(c.value, c.low, c.high, c.qualifier) for c in claims] == [(7000, 7000, 8000, "range")]
    claims = _claims("국정원은 북한군 2000여 명이 숨졌다고 밝혔다.", "ko")
    assert [(c.value, c.qualifier) for c in claims] == [(2000, "approx")]


# -- 5. deployment without a send verb -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("A North Korean force estimated at 9,000 troops is operating alongside Russian units.",
         "en", 9000),
        ("Quelque 7000 soldats nord-coréens ont atteint la région de Koursk.", "fr", 7000),
        ("Etwa 9000 nordkoreanische Soldaten sind dort in Stellung gegangen.", "de", 9000),
        ("Около 9 тысяч военных КНДР находятся в Курской области.", "ru", 9000),
        ("«9 тисяч приїхали», — сказав Зеленський.", "uk", 9000),
    ],
)
def test_deployment_without_a_send_verb(text: str, lang: str, value: int) -> None:
    assert [(c.metric, c.value) for c in _claims(text, lang)] == [("deployed", value)]


# -- 6. traps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("As of January 2026, North Korean troops were still in Kursk.", "en"),
        ("The 31-year-old North Korean soldier had served for 9 years.", "en"),
        ("Nearly 40% of the North Korean troops sent were lost, analysts said.", "en"),
        ("About 12,000 North Korean workers have been sent to Russian building sites.", "en"),
        ("Some 3,000 North Korean troops have returned home after their rotation.", "en"),
    ],
)
def test_traps_give_no_figure(text: str, lang: str) -> None:
    assert _claims(text, lang) == []


def test_a_planned_deployment_is_possible() -> None:
    claims = _claims("Another 2,000 to 3,000 North Korean troops may be sent, the NIS said.", "en")
    assert [(c.metric, c.modality, c.scope) for c in claims] == [
        ("deployed", "possible", "increment")
    ]


def test_a_figure_attributed_to_someone_else_in_contrast_is_not_the_agencys() -> None:
    text = ("Unlike foreign media, which put the toll at 400, the NIS estimates that 250 North "
            "Korean soldiers were killed.")
    claims = _by_value(text, "en")
    assert claims[250].claimant == "KR-NIS"
    assert 400 not in claims or claims[400].claimant != "KR-NIS"


# -- 7. who claims it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "claimant"),
    [
        ("South Korea’s spy agency says 800 North Korean soldiers were killed.", "en", "KR-NIS"),
        ("Selon le Service national de renseignement sud-coréen (NIS), 800 soldats "
         "nord-coréens ont été tués.", "fr", "KR-NIS"),
        ("El Estado Mayor de Corea del Sur cifra en 800 los soldados norcoreanos muertos.",
         "es", "KR-JCS"),
        ("The legislators, citing the spy agency, said 800 North Korean troops died.", "en",
         "KR-NIS"),
        ("양 간사는 북한군 800여 명이 사망했다고 밝혔다.", "ko", "KR-NIS"),
        ("Законодавці з Південної Кореї з посиланням на розвідку заявили, що загинули 800 "
         "північнокорейських військових.", "uk", "KR-NIS"),
    ],
)
def test_claimant_forms(text: str, lang: str, claimant: str) -> None:
    assert [c.claimant for c in _claims(text, lang)] == [claimant]


def test_a_pronoun_and_a_later_attribution_refer_to_the_source_named() -> None:
    text = ("Володимир Зеленський виступив у Києві. За його словами, загинули 900 "
            "північнокорейських військових.")
    assert [c.claimant for c in _claims(text, "uk")] == ["UA-PRESIDENT"]
    text = ("Близько 900 північнокорейських військових загинули. Про це заявив Президент "
            "України Володимир Зеленський.")
    claims = _claims(text, "uk")
    assert [c.claimant for c in claims] == ["UA-PRESIDENT"]
    assert "named after the figure" in claims[0].why["claimant"]


# -- 8. breakdowns -------------------------------------------------------------------------


def test_a_total_and_its_parts() -> None:
    text = ("The NIS says 16,000 North Korean troops were sent, including 10,000 sent last "
            "autumn and 4,000 in February.")
    claims = _claims(text, "en")
    by = {c.value: c for c in claims}
    total = claims.index(by[16000])
    assert by[10000].part_of == total and by[4000].part_of == total
    assert by[10000].partial and by[4000].partial and not by[16000].partial
    assert not by[10000].in_series and by[16000].in_series


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("About 1,800 wounded North Korean soldiers were flown back to Pyongyang.", "en"),
        ("Environ 1 800 blessés nord-coréens auraient été rapatriés.", "fr"),
        ("이 중 1800여 명의 부상자는 북한으로 송환됐다.", "ko"),
    ],
)
def test_a_sub_population_is_partial(text: str, lang: str) -> None:
    claims = _claims(text, lang)
    assert [(c.metric, c.partial) for c in claims] == [("wounded", True)]


def test_back_reference_parts_in_other_languages() -> None:
    text = "Потери КНДР превысили 3 500 военных. Из них около 500 погибли."
    claims = _by_value(text, "ru")
    assert claims[500].part_of is not None and claims[500].metric == "killed"


# -- increments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("North Korea sent another 1,000 troops in the past week.", "en", 1000),
        ("Pyongyang has sent 2,500 additional troops to Kursk.", "en", 2500),
        ("Pyongyang a envoyé quelque 2 500 soldats supplémentaires.", "fr", 2500),
        ("КНДР направила около 2,5 тысячи дополнительных военных.", "ru", 2500),
        ("Nordkorea hat weitere 2500 Soldaten geschickt.", "de", 2500),
    ],
)
def test_increments(text: str, lang: str, value: int) -> None:
    claim = _by_value(text, lang)[value]
    assert claim.scope == "increment" and not claim.in_series


def test_the_total_an_increment_brings_stays_cumulative() -> None:
    text = "Another 1,000 troops arrived, bringing the total to 13,000 North Korean troops."
    claims = _by_value(text, "en")
    assert claims[1000].scope == "increment"
    assert claims[13000].scope != "increment"


# -- the date a figure refers to -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "refers_to"),
    [
        ("As of mid-January, 300 North Korean soldiers had been killed.", "2025-01"),
        ("By the end of April, 600 North Korean soldiers had been killed.", "2025-04"),
        ("In December, 100 North Korean soldiers were killed.", "2024-12"),
        ("Since October, 100 North Korean soldiers have been killed.", "2024-10"),
        ("Over the weekend, 100 North Korean soldiers were killed.", "2025-05-10"),
        ("On Monday, 100 North Korean soldiers were killed.", "2025-05-12"),
        ("100 North Korean soldiers were killed in 2024.", "2024"),
    ],
)
def test_refers_to_is_resolved_against_the_publication_date(text: str, refers_to: str) -> None:
    assert [c.refers_to for c in _claims(text, "en")] == [refers_to]


@pytest.mark.parametrize(
    ("text", "lang", "refers_to"),
    [
        ("Le 9 janvier, deux soldats nord-coréens ont été capturés.", "fr", "2025-01-09"),
        ("Am 9. Januar wurden zwei nordkoreanische Soldaten gefangen genommen.", "de",
         "2025-01-09"),
        ("El 9 de enero fueron capturados dos soldados norcoreanos.", "es", "2025-01-09"),
        ("9 января в плен попали двое военных КНДР.", "ru", "2025-01-09"),
        ("9 січня в полон потрапили двоє військових КНДР.", "uk", "2025-01-09"),
        ("1월 9일 북한군 2명이 생포됐다.", "ko", "2025-01-09"),
    ],
)
def test_refers_to_in_every_language(text: str, lang: str, refers_to: str) -> None:
    assert [c.refers_to for c in _claims(text, lang)] == [refers_to]


def test_without_a_publication_date_a_month_has_no_year() -> None:
    claims = _claims("In December, 100 North Korean soldiers were killed.", "en", None)
    assert [c.refers_to for c in claims] == [None]


def test_every_decision_says_why() -> None:
    text = "South Korea's spy agency said about 600 North Korean soldiers were killed."
    (claim,) = _claims(text, "en")
    assert claim.why["metric"] == "trigger 'killed'"
    assert claim.why["subject"] == "term 'North Korean'"
    assert claim.why["claimant"] == "named \"South Korea's spy agency\""
    assert claim.to_dict()["why"] == claim.why


@pytest.mark.parametrize(
    ("text", "lang", "metric", "value"),
    [
        ("Kyiv said its forces captured two wounded North Korean soldiers.", "en", "captured", 2),
        ("Украина захватила трех раненых северокорейских военных.", "ru", "captured", 3),
        ("The number of casualties among North Korean troops fighting alongside Russian units "
         "has passed 3,500, Zelensky said.", "en", "casualties", 3500),
        ("Le nombre de victimes parmi les soldats nord-coréens a dépassé 3 500, selon Kiev.",
         "fr", "casualties", 3500),
        ("Some 900 of the 12,000 North Korean troops sent to Kursk have been killed.", "en",
         "killed", 900),
    ],
)
def test_the_predicate_not_a_modifier_gives_the_metric(
    text: str, lang: str, metric: str, value: int
) -> None:
    assert _by_value(text, lang)[value].metric == metric


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Some 300,000 North Korean soldiers are believed to have died in the Korean War.", "en"),
        ("At that rate the North Korean contingent was losing about 70 men a day.", "en"),
        ("6·25전쟁 당시 북한군 수십만 명이 전사했다.", "ko"),
    ],
)
def test_earlier_wars_and_rates_are_not_figures(text: str, lang: str) -> None:
    assert _claims(text, lang) == []
