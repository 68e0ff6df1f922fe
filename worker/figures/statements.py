"""When a figure is restated from an earlier statement (issue 11, class 3: ``recalled``).

A sentence that dates its statement well before publication ("Об отправке ... в середине
июня говорил Шойгу", "En décembre 2024, le député ... a déclaré") restates it; the next
sentence that goes on with the same source ("Он заявил, что ...", "Selon Lee Sung-kwon, un
millier ...") restates the same statement, so its figures are recalled too and refer to
that date."""

from __future__ import annotations

import datetime as dt

from worker.figures.lexicon import LanguageLexicon, match_label
from worker.figures.timing import DateSpan, before_publication, find_dates

STATEMENT_GAP = 90  # characters between a statement's date and its reporting verb


def statement_date(
    stext: str, lex: LanguageLexicon, published: dt.date | None
) -> DateSpan | None:
    """The date of the statement a sentence reports, when it lies before publication: a
    date with a reporting verb within reach on either side ("говорил в середине июня",
    "En décembre 2024, le député ... a déclaré", "지난 27일 밝혔다")."""
    if published is None:
        return None
    dates = [
        d
        for d in find_dates(stext, lex.time, published)
        if d.bound is None
        and before_publication(d.iso, published)
        and (len(d.iso) > 4 or int(d.iso) >= published.year - 1)  # not "born in 2005"
    ]
    if not dates:
        return None
    verbs = [
        (m.start(), m.end())
        for m in lex.modality_re.finditer(stext)
        if match_label(m, lex.modality_labels) in ("attribution", "source")
    ] + [(m.start(), m.end()) for m in lex.recall_re.finditer(stext)]
    for d in dates:
        for a, b in verbs:
            if 0 <= a - d.end <= STATEMENT_GAP or 0 <= d.start - b <= STATEMENT_GAP // 2:
                return d
    return None
