"""Property-based tests for worker.figures (never raises, spans, number round-trips)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.figures import extract_claims, load_lexicons, parse_number

LANGS = ["en", "fr", "de", "es", "ru", "uk", "ko"]
_SPACES = [" ", "\u00a0", "\u202f"]

# fragments that make the extractor work hard: numbers, triggers, nationalities, sources
_FRAGMENTS = [
    "600",
    "4 700",
    "1,5 млн",
    "1만8천",
    "600여 명",
    "six hundred",
    "des centaines",
    "killed",
    "tués",
    "getötet",
    "muertos",
    "погибли",
    "загинули",
    "사망자",
    "North Korean",
    "soldats",
    "NIS",
    "국정원",
    "selon",
    ". ",
    "\n\n",
    "between 300 and 500",
    "1~2",
    "-",
    "%",
    "2024",
]


def _group(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


def _korean(n: int) -> str:
    man, rest = divmod(n, 10000)
    out = f"{man}만" if man else ""
    if rest:
        thousands, small = divmod(rest, 1000)
        if thousands:
            out += f"{thousands}천"
        if small:
            out += str(small)
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.text(max_size=40), st.sampled_from(_FRAGMENTS)), max_size=25),
    st.sampled_from(LANGS),
)
def test_never_raises_and_spans_are_numbers(parts: list[str], lang: str) -> None:
    text = " ".join(parts)
    claims = extract_claims(text, lang)
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c in claims:
        span = text[c.start : c.end]
        assert span and span == span.strip()
        assert any(ch.isdigit() for ch in span) or parse_number(span, lang) is not None
        assert c.value >= 1
        assert c.sentence and span in c.sentence


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300), st.sampled_from(LANGS))
def test_any_unicode_never_raises(text: str, lang: str) -> None:
    extract_claims(text, lang)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1000, max_value=99_999_999), st.sampled_from(LANGS))
def test_grouped_digits_round_trip(n: int, lang: str) -> None:
    for sep in _SPACES:
        assert parse_number(_group(n, sep), lang) == n
    if lang in ("en", "ko"):
        assert parse_number(_group(n, ","), lang) == n
    if lang in ("de", "es", "fr"):
        assert parse_number(_group(n, "."), lang) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_korean_units_round_trip(n: int) -> None:
    assert parse_number(_korean(n), "ko") == n
    assert parse_number(str(n), "ko") == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(LANGS))
def test_plain_digits_round_trip(n: int, lang: str) -> None:
    assert parse_number(str(n), lang) == n


def test_lexicons_cover_all_languages() -> None:
    assert set(LANGS) <= set(load_lexicons().languages)
