"""Finding and parsing numbers as printed: digits, scale words, Korean units, number words.

Supported forms: ``18,000``, ``18 000`` (space, U+00A0, U+202F), ``18.000`` (grouping dot),
``1.5 million`` / ``1,5 млн`` / ``4,7 тыс.`` (decimal + scale word), ``18 тысяч``,
Korean unit composition (``1만8천``, ``4천700``, ``2천600만``) with the ``여`` suffix, vague
quantities (``hundreds``, ``des centaines``, ``수백``) and number words.  Number words go through
``text2num`` for the languages it supports (en, fr, de, es); for ru, uk and ko the lexicon
provides a word table that is composed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from text_to_num import find_numbers

from worker.figures.lexicon import NumberSyntax, load_lexicons

_SPACES = " \u00a0\u202f\u2009'’"
_TOKEN_SPLIT_RE = re.compile(r"\S+")
MAX_VALUE = 100_000_000
# telephone numbers: a run of three or more digit groups opened by "+", "(0..)" or a leading 0
# ("0 800 50 12 70", "+38 066 580 34 98", "080-123-4567", "(044) 123-45-67")
_PHONE_RE = re.compile(
    r"[+(0](?<![\d+.,].)(?<!\d[ \u00a0\u202f].)(?:(?<=\+)\d{1,3}|(?<=\()0\d{1,4}\)|(?<=0)\d{0,4})"
    r"(?:[ \u00a0\-.]\d{2,4}){2,}(?!\d)"
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A number in a piece of text; offsets are relative to that text."""

    start: int
    end: int
    value: int
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None  # vague / approx implied by the form itself, or range
    mult: int = 1  # scale multiplier that was applied (for ranges sharing a scale)
    kind: str = "digit"  # digit | word | vague
    year_like: bool = False


class _Tok:
    """Token adapter for ``text_to_num.find_numbers``."""

    __slots__ = ("_text",)

    def __init__(self, text: str) -> None:
        self._text = text

    def text(self) -> str:
        return self._text

    def nt_separated(self, previous: object) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return False


def _plain_value(raw: str, scaled: bool, decimal_sep: str) -> float | None:
    """Value of a digit string such as ``18 000``, ``1,210``, ``18.000``, ``4,7``, ``1.5``."""
    if raw.isdecimal():
        return float(raw)  # "600": no separator to read (most numbers)
    s = raw
    for sp in _SPACES:
        s = s.replace(sp, "")
    seps = [(i, c) for i, c in enumerate(s) if c in ".,"]
    if not seps:
        return float(s)
    if len(seps) == 1:
        i, c = seps[0]
        tail = len(s) - i - 1
        if tail != 3 or (scaled and c == decimal_sep):
            return float(s.replace(c, "."))
        return float(s.replace(c, ""))
    chars = {c for _, c in seps}
    if len(chars) == 1:
        parts = s.split(seps[0][1])
        if all(len(p) == 3 for p in parts[1:]):
            return float("".join(parts))
        return None
    last_i, last_c = seps[-1]
    head = s[:last_i].replace(".", "").replace(",", "")
    return float(head + "." + s[last_i + 1 :])


_COMPOUND_PART_RE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?(\D)?")


def _compound_value(raw: str, units: dict[str, int]) -> float:
    total = 0.0
    small = 0.0
    for m in _COMPOUND_PART_RE.finditer(raw):
        num = float(m.group(1).replace(",", ""))
        unit = m.group(2)
        if unit is None or unit not in units:
            small += num
            continue
        mult = units[unit]
        if mult >= 10000:
            total += (small + num) * mult
            small = 0.0
        else:
            small += num * mult
    return total + small


def _as_int(value: float | None) -> int | None:
    if value is None or value != value:
        return None
    rounded = round(value)
    if abs(value - rounded) > 1e-6 or rounded < 1 or rounded > MAX_VALUE:
        return None
    return int(rounded)


def _digit_mentions(text: str, syn: NumberSyntax) -> list[Mention]:
    out: list[Mention] = []
    has_compound = bool(syn.compound_units)
    for m in syn.digit_re.finditer(text):
        start = m.start()
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha():
            continue  # model names: KN-23, Su-34
        scale_word = m.group("scale")
        mult = 1
        if scale_word:
            mult = next((v for i, v in enumerate(syn.scales.values()) if m.group(f"s{i}")), 1)
        compound = m.group("compound") if has_compound else None
        raw = compound if compound else m.group("plain")
        if raw.startswith("0") and len(raw) > 1 and raw[1] in _SPACES:
            continue  # phone numbers such as "0 800 300 529"
        base: float | None
        if compound:
            base = _compound_value(raw, dict(syn.compound_units))
        else:
            base = _plain_value(raw, bool(scale_word), syn.decimal_separator)
        value = _as_int(base * mult if base is not None else None)
        if value is None:
            continue
        end = m.end()
        qualifier = None
        suffix = syn.approx_suffix_re.match(text, end)
        if suffix and suffix.end() > end:
            end = suffix.end()
            qualifier = "approx"
        year_like = (
            not compound
            and not scale_word
            and raw.isdigit()
            and len(raw) == 4
            and 1000 <= value <= 2100
        )
        out.append(Mention(start, end, value, qualifier=qualifier, mult=mult, year_like=year_like))
    return out


def _vague_mentions(text: str, syn: NumberSyntax) -> list[Mention]:
    out: list[Mention] = []
    for m in syn.vague_re.finditer(text):
        name = m.lastgroup
        if name is None:
            continue
        value, qualifier = syn.vague_values[int(name[1:])]
        out.append(Mention(m.start(), m.end(), value, qualifier=qualifier, kind="vague"))
    return out


def _table_value(words: list[str], syn: NumberSyntax) -> float | None:
    total = 0.0
    current = 0.0
    for w in words:
        v = syn.word_table.get(w)
        if v is None:
            return None
        if w in syn.word_scales:
            current = (current or 1.0) * v
            total += current
            current = 0.0
        else:
            current += v
    return total + current


_MIXED_TAIL_RE = re.compile(r"-(\d{1,3})(?![\d,.]?\d)")


def _word_mentions(text: str, syn: NumberSyntax) -> list[Mention]:
    if syn.word_run_re is None:
        return []
    out: list[Mention] = []
    for run in syn.word_run_re.finditer(text):
        toks = [
            (t.start() + run.start(), t.end() + run.start(), t.group())
            for t in _TOKEN_SPLIT_RE.finditer(run.group())
        ]
        if syn.text2num_lang:
            occs = find_numbers([_Tok(t[2]) for t in toks], syn.text2num_lang, 0.0)
            for occ in occs:
                if occ.is_ordinal:
                    continue
                first, last = occ.start, occ.end - 1
                if first == last and toks[first][2].lower() in syn.articles:
                    continue
                if (
                    first > 0
                    and toks[first][2].lower() in syn.word_scales
                    and toks[first - 1][2].lower() in syn.articles
                ):
                    first -= 1
                value = _as_int(float(occ.value))
                if value is not None:
                    out.append(Mention(toks[first][0], toks[last][1], value, kind="word"))
        else:
            words = [t[2].lower().replace("’", "'").replace("ʼ", "'") for t in toks]
            if len(words) == 1 and words[0] in syn.articles:
                continue
            value = _as_int(_table_value(words, syn))
            if value is not None:
                out.append(Mention(toks[0][0], toks[-1][1], value, kind="word"))
    return [_mixed(text, m) for m in out]


def _mixed(text: str, m: Mention) -> Mention:
    """A number word in thousands with digits hyphenated after it: "four-thousand-100"."""
    tail = _MIXED_TAIL_RE.match(text, m.end)
    if tail is None or m.value < 1000 or m.value % 1000:
        return m
    return Mention(m.start, tail.end(), m.value + int(tail.group(1)), kind="word")


def find_mentions(text: str, syn: NumberSyntax) -> list[Mention]:
    """All number mentions in ``text``, sorted, non-overlapping; the longest span wins
    ("несколько тысяч" over "тысяч", "3 тысячи" over "тысячи")."""
    candidates = [
        *_vague_mentions(text, syn),
        *_digit_mentions(text, syn),
        *_word_mentions(text, syn),
    ]
    if candidates and ("0" in text or "+" in text):
        phones = [p.span() for p in _PHONE_RE.finditer(text)]
        if phones:
            candidates = [
                m for m in candidates if not any(a < m.end and m.start < b for a, b in phones)
            ]
    if len(candidates) > 1:
        candidates.sort(key=lambda m: (m.start - m.end, m.start))
    chosen: list[Mention] = []
    for m in candidates:
        if all(m.end <= c.start or m.start >= c.end for c in chosen):
            chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen


def with_range(low: Mention, high: Mention) -> Mention | None:
    """Merge two mentions forming a range; the low end borrows the high end's scale word."""
    if low.year_like or high.year_like:
        return None
    lo = low.value
    if high.mult > 1 and low.mult == 1 and lo * high.mult <= high.value:
        lo *= high.mult
    elif low.mult == 1 and high.value >= 1000 and lo < 100 and lo * 1000 <= high.value:
        lo *= 1000  # "10-12,000": the low end shares the thousands
    if not lo < high.value or low.kind == "vague" or high.kind == "vague":
        return None
    return replace(
        low,
        end=high.end,
        value=lo,
        low=lo,
        high=high.value,
        qualifier="range",
        mult=high.mult,
        year_like=False,
    )


def parse_number(text: str, language: str) -> int | None:
    """Parse one number as printed (``"18 000"``, ``"1만8천"``, ``"six hundred"``, ...).

    Returns ``None`` unless the whole (stripped) text is a single number mention.
    """
    lex = load_lexicons().get(language)
    if lex is None:
        return None
    stripped = text.strip()
    mentions = find_mentions(stripped, lex.numbers)
    if len(mentions) != 1:
        return None
    m = mentions[0]
    if m.start != 0 or m.end != len(stripped):
        return None
    return m.value
