"""The number grammar of one language: digits with thousands separators and scale words,
compound units ("1만 2천"), vague quantities ("several hundred") and runs of number words,
compiled from the ``[numbers]`` table of its lexicon."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from worker.figures.alternation import _FLAGS, _alt, _compile, _fast_form, _guard, _list


@dataclass(frozen=True, slots=True)
class NumberSyntax:
    """Everything the number finder needs for one language."""

    language: str
    text2num_lang: str | None
    decimal_separator: str
    digit_re: re.Pattern[str]
    scales: Mapping[str, int]
    compound_units: Mapping[str, int]
    approx_suffix_re: re.Pattern[str]
    vague_re: re.Pattern[str]
    vague_values: Sequence[tuple[int, str]]
    word_run_re: re.Pattern[str] | None
    word_table: Mapping[str, float]
    word_scales: frozenset[str]
    articles: frozenset[str]
    # "около тысячи" is "about a thousand", not "about thousands": a qualifier before a
    # one-word vague quantity makes it a count
    vague_takes_qualifier: bool = False


def _build_numbers(lang: str, data: Mapping[str, Any]) -> NumberSyntax:
    num = data.get("numbers", {})
    scales: dict[str, int] = {str(k): int(v) for k, v in num.get("scales", {}).items()}
    units: dict[str, int] = {str(k): int(v) for k, v in num.get("compound_units", {}).items()}
    # thousands grouped by a space (plain, no-break, narrow no-break, thin), comma, dot or
    # apostrophe ("12'000", Swiss usage)
    plain = (
        r"\d{1,3}(?:(?:[ \u00a0\u202f\u2009'’]|,|\.)\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
    )
    scale_alt = "|".join(f"(?P<s{i}>{k})" for i, k in enumerate(scales)) or "(?!)"
    if units:
        unit_alt = _alt(re.escape(u) for u in units)
        n = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
        compound = rf"{n}\s?{unit_alt}(?:\s?{n}\s?{unit_alt})*(?:\s?\d+(?![.,]\d))?"
        core = f"(?P<compound>{compound})|(?P<plain>{plain})"
    else:
        core = f"(?P<plain>{plain})"
    digit = (
        rf"(?=\d)(?<![\w.,/:])(?<![^\W\d]-)(?:{core})"
        rf"(?:[ \u00a0\u202f\u2009-]?(?P<scale>{scale_alt})(?!\w))?"
    )
    vague_entries: list[tuple[str, int, str]] = []
    for entry in num.get("vague", []):
        vague_entries.append(
            (str(entry[0]), int(entry[1]), str(entry[2]) if len(entry) > 2 else "vague")
        )
    vague_parts = [f"(?P<v{i}>{pat})" for i, (pat, _, _) in enumerate(vague_entries)]
    end = r"(?!\w)" if data.get("word_end", True) else ""
    vague_values = [(v, q) for _, v, q in vague_entries]
    vague_fast = _fast_form(
        [(pat, str(i)) for i, (pat, _, _) in enumerate(vague_entries)],
        word_end=bool(data.get("word_end", True)),
    )
    if vague_fast is not None:
        # group g<j> is the entry its label names
        vague_re = vague_fast[0]
        vague_values = [vague_values[int(label)] for label in vague_fast[1]]
    else:
        vague_re = re.compile(
            r"(?<!\w)"
            + _guard(v[0] for v in vague_entries)
            + "(?:"
            + ("|".join(vague_parts) if vague_parts else "(?!)")
            + ")"
            + end,
            _FLAGS,
        )
    words = _list(num, "words")
    table = {str(k).lower(): float(v) for k, v in num.get("table", {}).items()}
    word_alt_items = list(words) + [re.escape(k).replace("'", "['’ʼ]") for k in table]
    word_run_re: re.Pattern[str] | None = None
    if word_alt_items:
        w = _alt(word_alt_items)
        joiners = _alt(_list(num, "joiners")) if num.get("joiners") else "(?!)"
        word_run_re = _compile(
            word_alt_items,
            word_end=False,
            suffix=rf"(?:(?:\s+|-)(?:{joiners}(?:\s+|-))?{w})*(?![\w'’ʼ])",
        )
    return NumberSyntax(
        language=lang,
        text2num_lang=str(num["text2num"]) if num.get("text2num") else None,
        decimal_separator=str(num.get("decimal_separator", ".")),
        digit_re=re.compile(digit, _FLAGS),
        scales=scales,
        compound_units=units,
        approx_suffix_re=re.compile(_alt(_list(num, "approx_suffix")), _FLAGS),
        vague_re=vague_re,
        vague_values=vague_values,
        word_run_re=word_run_re,
        word_table=table,
        word_scales=frozenset(s.lower() for s in _list(num, "word_scales")),
        articles=frozenset(s.lower() for s in _list(num, "articles")),
        vague_takes_qualifier=bool(num.get("vague_takes_qualifier", False)),
    )
