from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.paths import SEED
from worker.dates import date_from_text, year_for_weekday


def test_seed_dateline_gets_its_year_from_the_weekday() -> None:
    # "ce mercredi 30 avril" + the text mentions June 2024: 30 April is a Wednesday in 2025.
    assert date_from_text(SEED.read_text(encoding="utf-8")) == date(2025, 4, 30)


@pytest.mark.parametrize(("text", "expected"), [
    ("a annoncé ce mercredi 30 avril le ministère. En 2024, ...", date(2025, 4, 30)),
    ("said on Wednesday, April 30, that ... since 2024", date(2025, 4, 30)),
    ("teilte am Mittwoch, 30. April mit (2024)", date(2025, 4, 30)),
    ("informó el miércoles 30 de abril ... en 2024", date(2025, 4, 30)),
    ("заявил в среду, 30 апреля ... в 2024 году", date(2025, 4, 30)),
    ("заявив у середу, 30 квітня ... у 2024 році", date(2025, 4, 30)),
    ("국정원은 4월 30일(수) 밝혔다. 2024년 파병", date(2025, 4, 30)),
    ("Le lundi 13 janvier, le député... (2024)", date(2025, 1, 13)),
    ("Published 13 January 2025 in Seoul", date(2025, 1, 13)),
    ("Seoul, 2025-01-13 — officials", date(2025, 1, 13)),
    ("No date here at all.", None),
])
def test_datelines_in_seven_languages(text: str, expected: date | None) -> None:
    assert date_from_text(text, today=date(2026, 11, 23)) == expected


def test_year_rule_is_not_before_the_latest_year_mentioned() -> None:
    # 30 April was a Wednesday in 2025 and 2031; with 2026 as floor the answer is 2031.
    assert year_for_weekday(4, 30, 2, 2026, date(2026, 1, 1)) == 2031
    assert year_for_weekday(4, 30, 2, 2024, date(2026, 1, 1)) == 2025


def test_without_a_year_the_latest_past_match_is_taken() -> None:
    assert year_for_weekday(4, 30, 2, None, date(2026, 11, 23)) == 2025
