"""The cleaner's cost is linear in its input (issue 14): every pattern that is matched against a
whole paragraph or sentence has a bounded width and meets bounded input (`MAX_LINE`,
`MAX_SENTENCE`), `suffix` patterns begin with a cue and end the paragraph, and hostile texts made
of the rules' own cue words are cleaned without error and without pathological backtracking
(the timeout only catches a hang; the timings are in `make bench`, cleaning section)."""

from __future__ import annotations

import tomllib
from re import _parser  # type: ignore[attr-defined]

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from worker.clean import MAX_LINE, load_rules, strip_boilerplate
from worker.data import BOILERPLATE, packaged

RULES_FILE = packaged(BOILERPLATE)
RULES = load_rules(RULES_FILE)
UNBOUNDED = int(_parser.MAXREPEAT)

# cue words of every kind and language, and the characters the patterns turn on
CUES = [
    "Read also:", "Read more", "Follow us on Telegram", "Subscribe", "Photo:", "Фото:", "Foto:",
    "©", "Updated", "14:05", "12.12.2024", "2 weeks ago", "By John Smith", "Comments",
    "Lesen Sie auch", "Jetzt", "Anzeige", "Lire aussi :", "Abonnez-vous", "Publié le",
    "Lea también:", "Síguenos en", "Suscríbete", "Читайте также:", "Подписывайтесь на",
    "Читайте також", "Підписуйтесь на", "관련 키워드", "관련기사", "(텔레그램 캡처)", "무단전재",
    "재판매 및 DB 금지", "기자", "#tag", "https://x.example/a.jpg", "[email protected]",
    "( AFP / STR )", "PABLO M. DÍEZ", "|", "•", "/", "...", "…", ".", "!", "?", ":", " ",
    "1", "1 000", "000", "a", "Ab", "ДА", "다.",
]
SEPARATORS = [" ", "", "\n", ". ", ", ", " | "]


def _placements() -> list[tuple[str, str, str]]:
    data = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
    out = []
    for lang, kinds in data["rules"].items():
        for kind, placements in kinds.items():
            for placement, patterns in placements.items():
                for pattern in patterns:
                    for p in (pattern if placement == "block" else [pattern]):
                        out.append((f"{lang}.{kind}.{placement}", placement, p))
    return out


@pytest.mark.parametrize(("where", "placement", "pattern"), _placements(),
                         ids=lambda v: v if isinstance(v, str) and v.count(".") == 2 else "")
def test_every_whole_match_pattern_has_a_bounded_width(where: str, placement: str,
                                                       pattern: str) -> None:
    width = _parser.parse(pattern).getwidth()[1]
    if placement == "suffix":
        # searched, never capped: must start with a cue (no leading run) and end the paragraph
        assert not pattern.startswith((".", "[^", "\\S", "\\w")), where
        assert pattern.endswith("$"), where
    else:
        assert width < UNBOUNDED, f"{where}: unbounded pattern {pattern!r}"
        assert width <= 2 * MAX_LINE, where


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(CUES), st.sampled_from(SEPARATORS)),
                min_size=1, max_size=120))
def test_cleaning_never_raises_and_only_removes(parts: list[tuple[str, str]]) -> None:
    text = "".join(c + s for c, s in parts)
    out = strip_boilerplate(text, RULES)
    source = [p.strip() for p in text.split("\n")]
    for paragraph in out.split("\n") if out else []:
        assert any(paragraph in p for p in source)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("cue", [c for c in CUES if c.strip()])
@pytest.mark.parametrize("sep", [" ", "\n", ""])
def test_long_runs_of_one_cue_are_cleaned(cue: str, sep: str) -> None:
    """About 30 KB of one cue word repeated, as one paragraph or as many."""
    text = (cue + sep) * (30_000 // (len(cue) + len(sep)))
    out = strip_boilerplate(text, RULES)
    assert len(out) <= len(text)


@pytest.mark.timeout(120)
def test_a_long_sentence_without_punctuation_and_a_long_digit_run() -> None:
    words = "North Korean troops moved towards the front line near Kursk " * 2000
    assert strip_boilerplate(words, RULES) == words.strip()
    digits = "1 " * 50_000
    assert strip_boilerplate(digits, RULES) in ("", digits.strip())
