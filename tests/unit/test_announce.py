"""Announcements grouped from hand-made statements (worker.announce is pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from worker.announce import Statement, group_announcements, headline

_ids = count(1)


def st(value: int, *, metric: str = "killed", day: str = "2025-01-13", article: int = 1,
       story: int | None = None, claimant: str = "KR-NIS", language: str = "en",
       hour: int = 8, **kw: Any) -> Statement:
    fields: dict[str, Any] = {
        "claim_id": next(_ids), "article_id": article,
        "story_key": story if story is not None else -article, "claimant": claimant,
        "subject": "KP", "metric": metric, "value": value, "qualifier": "approx",
        "reported_at": datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC),
        "url": f"https://news.example/{article}", "outlet": f"Outlet {article}",
        "language": language, "sentence": f"About {value} were {metric}."}
    fields.update(kw)
    return Statement(**fields)


def test_copies_of_one_wire_story_make_one_announcement_counted_once() -> None:
    rows = [st(300, article=a, story=7) for a in (1, 2, 3)]
    rows += [st(2700, metric="wounded", article=a, story=7) for a in (1, 2, 3)]
    rows.append(st(300, article=4, language="de", hour=10))
    [a] = group_announcements(rows)
    assert a.day == date(2025, 1, 13) and a.key == "KR-NIS/2025-01-13"
    assert a.stories == 2 and a.languages == ["de", "en"] and len(a.reports) == 4
    assert a.first_report.article_id == 1
    killed = next(f for f in a.figures if f.metric == "killed")
    assert (killed.value, killed.stories, killed.reports) == (300, 2, 4)
    assert headline(a) == "killed 300 · wounded 2,700"


def test_a_named_day_dates_every_figure_of_the_report() -> None:
    # the briefing of 30 April, reported on 2 May: the undated figures go with the dated one
    rows = [st(600, day="2025-04-30", article=1, refers_to="2025-04-30"),
            st(600, day="2025-05-02", article=2),
            st(4700, metric="casualties", day="2025-05-02", article=2, refers_to="2025-04-30")]
    [a] = group_announcements(rows)
    assert a.day == date(2025, 4, 30) and a.dated_by == "refers_to" and a.stories == 2


def test_undated_reports_within_a_day_of_the_first_join_it_and_later_ones_do_not() -> None:
    rows = [st(300, day="2025-01-13", article=1), st(2700, metric="wounded", day="2025-01-14",
                                                      article=2),
            st(5000, metric="wounded", day="2025-01-16", article=3)]
    got = group_announcements(rows)
    assert [(a.day, a.dated_by, len(a.reports)) for a in got] == [
        (date(2025, 1, 16), "report", 1), (date(2025, 1, 13), "report", 2)]


def test_a_report_repeating_the_announced_values_counts_for_that_announcement() -> None:
    rows = [st(600, day="2025-04-30", article=1, refers_to="2025-04-30"),
            st(4700, metric="casualties", day="2025-04-30", article=1),
            # seven weeks later, the same figures, no day named: not a new announcement
            st(600, day="2025-06-17", article=2, language="es"),
            st(4700, metric="casualties", day="2025-06-17", article=2, language="es")]
    [a] = group_announcements(rows)
    assert a.day == date(2025, 4, 30) and a.stories == 2 and a.languages == ["en", "es"]


def test_a_report_with_a_new_value_is_a_new_announcement() -> None:
    rows = [st(600, day="2025-04-30", article=1, refers_to="2025-04-30"),
            st(600, day="2025-06-17", article=2), st(900, metric="wounded", day="2025-06-17",
                                                     article=2)]
    got = group_announcements(rows)
    assert [a.day for a in got] == [date(2025, 6, 17), date(2025, 4, 30)]


def test_a_recalled_figure_is_evidence_for_the_announcement_that_stated_it() -> None:
    rows = [st(100, day="2024-12-19", article=1, refers_to="2024-12-19", language="ko"),
            st(300, day="2025-01-13", article=2, refers_to="2025-01-13"),
            # "up from 100 in December" (its day wrongly resolved): the 19 December one
            st(100, day="2025-01-13", article=2, recalled=True, refers_to="2024-12-16")]
    jan, dec = group_announcements(rows)
    assert dec.day == date(2024, 12, 19) and dec.stories == 2
    assert dec.languages == ["en", "ko"] and not dec.recalled_only
    assert [r.recalled_only for r in dec.reports] == [False, True]
    assert jan.stories == 1 and [f.value for f in jan.figures] == [300]


def test_a_recall_of_an_unknown_statement_opens_an_announcement_known_only_so() -> None:
    rows = [st(300, day="2025-01-13", article=1),
            st(30, metric="casualties", day="2025-01-13", article=1, recalled=True,
               refers_to="2024-12-15"),
            st(40, metric="casualties", day="2025-01-13", article=2, recalled=True)]  # no day
    jan, dec = group_announcements(rows)
    assert dec.day == date(2024, 12, 15) and dec.recalled_only
    assert dec.figures[0].recalled_only and headline(dec) == "casualties 30"
    assert [f.value for f in jan.figures] == [300]  # the recall without a day is left out


def test_claimants_are_grouped_apart_and_the_newest_comes_first() -> None:
    rows = [st(300, article=1), st(3000, metric="casualties", article=1,
                                   claimant="UA-PRESIDENT", refers_to="2025-01-12"),
            st(100, day="2024-12-19", article=2)]
    got = group_announcements(rows)
    assert [(a.claimant, a.day.isoformat()) for a in got] == [
        ("KR-NIS", "2025-01-13"), ("UA-PRESIDENT", "2025-01-12"), ("KR-NIS", "2024-12-19")]


def test_increments_parts_and_competing_values_in_the_headline() -> None:
    rows = [st(4000, metric="casualties", article=1), st(3000, metric="deployed", article=1,
                                                         scope="increment"),
            st(2000, metric="wounded", article=1, partial=True),
            st(300, metric="casualties", article=2), st(4000, metric="casualties", article=3)]
    [a] = group_announcements(rows)
    assert headline(a) == "casualties 4,000/300 · deployed +3,000 · wounded 2,000 (part)"
    d = a.as_dict()
    assert d["independent_stories"] == 3 and d["announced_on"] == "2025-01-13"
    assert {f["kind"] for f in d["figures"]} == {"total", "increment", "part"}
    assert [link["url"] for link in d["links"]] == [f"https://news.example/{i}" for i in (1, 2, 3)]


def test_a_named_day_far_from_the_report_does_not_date_it() -> None:
    # "captured in October": an event the figure is about, not the day it was announced
    [a] = group_announcements([st(2, metric="captured", day="2025-01-13",
                                  refers_to="2024-10-20")])
    assert a.day == date(2025, 1, 13) and a.dated_by == "report"
