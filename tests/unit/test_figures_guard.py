"""worker.figures.guard: invisible characters removed with offsets mapped back, number runs and
sentences bounded, so hostile text costs linear time and the figures read are the printed ones.
(Timings are in benchmarks/bench_adversarial.py; these tests check the answers.)"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.figures import extract_claims, load_lexicons
from worker.figures.guard import (
    MAX_DIGITS,
    MAX_NUMBERS,
    MAX_PIECE,
    MAX_PIECE_NUMBERS,
    blank_number_runs,
    pieces,
    visible,
)

LEX = load_lexicons()
# zero-width space, ZWNJ, ZWJ, LRM, RLM, LRE, RLO, PDF, word joiner, LRI, PDI, BOM, soft hyphen
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u202c",
             "\u2060", "\u2066", "\u2069", "\ufeff", "\u00ad"]


def figures(text: str, lang: str = "en") -> list[tuple[str, int, str]]:
    return [(c.metric, c.value, text[c.start:c.end])
            for c in extract_claims(text, lang, lexicons=LEX)]


def test_every_listed_invisible_character_is_a_format_character() -> None:
    assert {unicodedata.category(ch) for ch in INVISIBLE} == {"Cf"}


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("About 6\u200b000 North Korean soldiers have been killed in Kursk.", "en",
     [("killed", 6000, "6\u200b000")]),
    ("Some 1\u202e200 North Korean soldiers were wounded, officials said.", "en",
     [("wounded", 1200, "1\u202e200")]),
    ("Ukraine said 3\u2066000\u2069 North Korean soldiers were captured.", "en",
     [("captured", 3000, "3\u2066000")]),
    ("Около 6\u2060000 северокорейских военных погибли в Курской области.", "ru",
     [("killed", 6000, "6\u2060000")]),
    ("\u200e600\u200f North Korean troops were killed.", "en", [("killed", 600, "600")]),
])
def test_invisible_characters_inside_and_around_numbers_are_not_read(
        text: str, lang: str, expected: list[tuple[str, int, str]]) -> None:
    assert figures(text, lang) == expected


def test_offsets_after_removed_characters_point_into_the_stored_text() -> None:
    text = ("\u200b\u200bSeoul's spy agency said 1\u200b100 North Korean soldiers were killed. "
            "It added that 3\u00ad000 were wounded.")
    got = figures(text)
    assert got == [("killed", 1100, "1\u200b100"), ("wounded", 3000, "3\u00ad000")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(INVISIBLE)), max_size=6),
       st.sampled_from([(6000, "6 000"), (1200, "1200"), (18000, "18,000"), (600, "600")]))
def test_invisible_characters_anywhere_in_a_figure_change_nothing(
        inserts: list[tuple[int, str]], figure: tuple[int, str]) -> None:
    value, printed = figure
    number = list(printed)
    for at, ch in inserts:
        number.insert(min(at, len(number)), ch)
    hidden = "".join(number)
    text = f"Officials said {hidden} North Korean soldiers were killed in the region."
    clean = f"Officials said {printed} North Korean soldiers were killed in the region."
    (got,) = extract_claims(text, "en", lexicons=LEX)
    (want,) = extract_claims(clean, "en", lexicons=LEX)
    assert got.value == want.value == value
    # the span is the number as stored: the clean span once its invisible characters go
    assert "".join(ch for ch in text[got.start:got.end]
                   if unicodedata.category(ch) != "Cf") == clean[want.start:want.end]


def test_visible_maps_every_kept_character_to_its_origin() -> None:
    text = "a\u200bb\u202ec\u2066"
    clean, origin = visible(text)
    assert clean == "abc" and origin is not None
    assert [text[i] for i in origin[:-1]] == list(clean) and origin[-1] == len(text)
    assert visible("plain 600") == ("plain 600", None)


def test_number_runs_over_the_cap_are_blanked_and_shorter_ones_kept() -> None:
    assert blank_number_runs("killed 1 000 000 men") == "killed 1 000 000 men"
    long_run = " ".join(["1"] * (MAX_DIGITS + 1))
    assert blank_number_runs(f"a {long_run} b") == f"a {' ' * len(long_run)} b"
    assert blank_number_runs("1" * MAX_DIGITS) == "1" * MAX_DIGITS
    assert blank_number_runs("1" * (MAX_DIGITS + 1)) == " " * (MAX_DIGITS + 1)
    # two separators in a row end a run: columns of a table are separate numbers
    assert blank_number_runs("12  34") == "12  34"


@pytest.mark.parametrize("text", [
    "North Korean soldiers killed " + "1" * 5000,  # raised OverflowError before the cap
    "North Korean soldiers killed " + "1 " * 5000,
    "North Korean soldiers killed " + "1 000 " * 2000,
    "killed " + "1,000." * 2000,
])
def test_hostile_number_runs_state_no_figure(text: str) -> None:
    for lang in ("en", "ru", "ko"):
        assert extract_claims(text, lang, lexicons=LEX) == []


def test_pieces_cover_the_text_and_are_bounded() -> None:
    sentence = "North Korean troops killed 600 in Kursk. "
    text = "\n".join([sentence * 3] * 700) + "x" * (3 * MAX_PIECE) + " tail"
    spans = pieces(text)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(b == c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))
    assert all(0 < b - a <= MAX_PIECE for a, b in spans)
    assert all(text[a:b].count("600") <= MAX_PIECE_NUMBERS for a, b in spans)
    last_break = text.rindex("\n")
    assert all(text[b - 1] == "\n" for _, b in spans if b <= last_break)  # at line breaks
    assert pieces("One. Two.") == [(0, 9)]


def test_only_the_first_max_numbers_are_read() -> None:
    text = "killed 600. " * (MAX_NUMBERS + 50)
    spans = pieces(text)
    assert text[:spans[-1][1]].count("600") == MAX_NUMBERS


def test_whitespace_runs_are_shortened_with_offsets_kept() -> None:
    head, tail = "Seoul said 600 North Korean soldiers", "were killed. 700 were wounded."
    text = head + " \n" * 5000 + tail
    assert figures(text) == figures(head + " \n\n" + tail)  # read as its short form
    assert figures(text)  # and something is read
    clean, origin = visible("a" + " " * 10 + "\n\n\nb")
    assert clean == "a \n\nb" and origin == [0, 1, 11, 12, 14, 15]


def test_a_paragraph_with_many_numbers_is_cut_and_its_figures_still_read() -> None:
    para = " ".join(f"In village {i} the fighting went on." for i in range(40))
    text = f"{para} Seoul said 600 North Korean soldiers were killed. {para}"
    assert len(pieces(text)) > 2
    assert ("killed", 600, "600") in figures(text)


_HOSTILE = st.lists(st.sampled_from(
    ["1", "0", " ", ",", ".", "\u00a0", "\u200b", "\u202e", "\u2066", "killed ", "wounded ",
     "North Korean ", "погибли ", "사망 ", "명", "тыс.", "만", "\n", "600 ", "six hundred "]),
    max_size=200).map("".join)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_HOSTILE, max_size=8), st.sampled_from(["en", "fr", "de", "es", "ru", "uk",
                                                         "ko"]))
def test_hostile_text_never_raises_and_spans_stay_in_the_text(parts: list[str],
                                                              lang: str) -> None:
    text = "".join(parts)
    for c in extract_claims(text, lang, lexicons=LEX):
        assert 0 <= c.start < c.end <= len(text)
        assert unicodedata.category(text[c.start]) != "Cf"
        assert unicodedata.category(text[c.end - 1]) != "Cf"
