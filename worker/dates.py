"""Pure: the publication date of a text that carries none in its metadata.

A dateline such as "ce mercredi 30 avril" has no year: the year is the one in which 30 April is
a Wednesday, nearest to and not before the latest year the text mentions (or, if it mentions
none, the latest such year not after the reference date). A full date ("30 avril 2025",
"April 30, 2025", "2025년 4월 30일") near the top of the text is taken as it is.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS: dict[str, int] = {}
_MONTH_NAMES = {
    "en": "january february march april may june july august september october november december",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "januar februar märz april mai juni juli august september oktober november dezember",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада "
    "грудня",
}
for _names in _MONTH_NAMES.values():
    for _i, _name in enumerate(_names.split(), start=1):
        MONTHS.setdefault(_name, _i)
MONTHS.update({"sept": 9, "fevrier": 2, "aout": 8, "decembre": 12, "marz": 3, "setiembre": 9})

# Weekday stems (Monday = 0), matched at the start of a word.
_WEEKDAYS: dict[int, tuple[str, ...]] = {
    0: ("monday", "lundi", "montag", "lunes", "понедельник", "понеділ", "월요일"),
    1: ("tuesday", "mardi", "dienstag", "martes", "вторник", "вівтор", "화요일"),
    2: ("wednesday", "mercredi", "mittwoch", "miércoles", "miercoles", "сред", "серед",
        "수요일"),
    3: ("thursday", "jeudi", "donnerstag", "jueves", "четверг", "четвер", "목요일"),
    4: ("friday", "vendredi", "freitag", "viernes", "пятниц", "п'ятниц", "п’ятниц", "금요일"),
    5: ("saturday", "samedi", "samstag", "sábado", "sabado", "суббот", "субот", "토요일"),
    6: ("sunday", "dimanche", "sonntag", "domingo", "воскресень", "неділ", "일요일"),
}
_WEEKDAY_BY_STEM = {stem: wd for wd, stems in _WEEKDAYS.items() for stem in stems}
_KO_WEEKDAY = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}

_MONTH_RE = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
_WD_RE = "|".join(sorted(map(re.escape, _WEEKDAY_BY_STEM), key=len, reverse=True))

# "mercredi 30 avril", "Mittwoch, 30. April", "miércoles 30 de abril", "в среду, 30 апреля"
_WD_DAY_MONTH = re.compile(
    rf"\b(?P<wd>{_WD_RE})\w*,?\s+(?P<day>\d{{1,2}})\.?(?:er)?\s+(?:de\s+)?(?P<month>{_MONTH_RE})\b"
    r"(?:\s+(?:de\s+)?(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
# "Wednesday, April 30" / "Wednesday (April 30)"
_WD_MONTH_DAY = re.compile(
    rf"\b(?P<wd>{_WD_RE})\w*,?\s+\(?(?P<month>{_MONTH_RE})\s+(?P<day>\d{{1,2}})\b"
    r"(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?",
    re.IGNORECASE,
)
# "4월 30일(수)", "4월 30일 수요일"
_KO = re.compile(
    r"(?:(?P<year>(?:19|20)\d\d)년\s*)?(?P<month>\d{1,2})월\s*(?P<day>\d{1,2})일"
    r"\s*(?:\((?P<wd>[월화수목금토일])\)|(?P<wdl>[월화수목금토일])요일)?"
)
_FULL = re.compile(
    rf"\b(?P<day>\d{{1,2}})\.?\s+(?:de\s+)?(?P<month>{_MONTH_RE})\s+(?:de\s+)?"
    r"(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<month2>{_MONTH_RE})\s+(?P<day2>\d{{1,2}}),\s+(?P<year2>(?:19|20)\d\d)\b"
    r"|\b(?P<iy>(?:19|20)\d\d)-(?P<im>\d\d)-(?P<id>\d\d)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def latest_year(text: str) -> int | None:
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


def year_for_weekday(month: int, day: int, weekday: int, floor: int | None, today: date) -> int:
    """The year in which `month`/`day` falls on `weekday`: the nearest one not before `floor`,
    or without a floor the latest one not after `today`'s year."""
    if floor is not None:
        candidates = range(floor, floor + 30)
    else:
        candidates = range(today.year, today.year - 30, -1)
    for year in candidates:
        try:
            if date(year, month, day).weekday() == weekday:
                return year
        except ValueError:
            continue
    raise ValueError(f"no year has {day:02d}-{month:02d} on weekday {weekday}")


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_from_text(text: str, today: date | None = None) -> date | None:
    """The publication date a text states, from a dateline or a full date near its top."""
    today = today or date.today()
    head = text[:1500]
    floor = latest_year(text)
    for pattern in (_WD_DAY_MONTH, _WD_MONTH_DAY):
        m = pattern.search(head)
        if m:
            month = MONTHS[m["month"].lower()]
            day = int(m["day"])
            if m["year"]:
                return _safe(int(m["year"]), month, day)
            stem = next(s for s in _WEEKDAY_BY_STEM if m["wd"].lower().startswith(s))
            try:
                year = year_for_weekday(month, day, _WEEKDAY_BY_STEM[stem], floor, today)
            except ValueError:
                continue
            return date(year, month, day)
    m = _KO.search(head)
    if m:
        month, day = int(m["month"]), int(m["day"])
        if m["year"]:
            return _safe(int(m["year"]), month, day)
        wd = m["wd"] or m["wdl"]
        if wd and 1 <= month <= 12:
            try:
                return date(year_for_weekday(month, day, _KO_WEEKDAY[wd], floor, today), month,
                            day)
            except ValueError:
                pass
    m = _FULL.search(head)
    if m:
        if m["iy"]:
            return _safe(int(m["iy"]), int(m["im"]), int(m["id"]))
        if m["year"]:
            return _safe(int(m["year"]), MONTHS[m["month"].lower()], int(m["day"]))
        return _safe(int(m["year2"]), MONTHS[m["month2"].lower()], int(m["day2"]))
    return None
