"""Pure parts of stories and re-analysis: which claimant a claim without one takes from its
story, how re-extracted figures are matched to the stored claims, what a series change is, and
the raw-page round trip."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from worker.store.rawpages import pack, unpack
from worker.store.reanalysis import SeriesChange, _diff, _match
from worker.store.stories import inferred_claimants

# (id, subject, metric, value, claimant, inferred, modality, excluded)
ROWS = [
    (1, "KP", "killed", 2000, "KR-NIS", False, "reported", False),
    (2, "KP", "killed", 2000, None, False, "asserted", False),
    (3, "KP", "killed", 300, None, False, "asserted", False),  # no copy names one
    (4, "KP", "wounded", 2700, None, True, "asserted", False),  # inferred before, now alone
]


def test_a_claim_takes_the_single_claimant_of_its_figure_whatever_the_order() -> None:
    for order in itertools.permutations(ROWS):
        assert inferred_claimants(order) == {2: "KR-NIS", 3: None, 4: None}


def test_two_claimants_or_an_unstated_or_excluded_source_lend_none() -> None:
    other = (5, "KP", "killed", 2000, "UA-HUR", False, "asserted", False)
    assert inferred_claimants([*ROWS, other])[2] is None
    negated = (1, "KP", "killed", 2000, "KR-NIS", False, "negated", False)
    assert inferred_claimants([negated, ROWS[1]])[2] is None
    excluded = (1, "KP", "killed", 2000, "KR-NIS", False, "reported", True)
    assert inferred_claimants([excluded, ROWS[1]])[2] is None


def _old(id_: int, metric: str, start: int, value: int, sentence: str) -> SimpleNamespace:
    return SimpleNamespace(id=id_, metric=metric, start=start, value=value, sentence=sentence)


def _new(metric: str, start: int, value: int, sentence: str) -> SimpleNamespace:
    return SimpleNamespace(metric=metric, start=start, value=value, sentence=sentence)


def test_figures_are_matched_by_offset_then_by_value_and_sentence() -> None:
    old = [_old(10, "killed", 5, 300, "A"), _old(11, "wounded", 40, 2700, "B"),
           _old(12, "killed", 90, 100, "C")]
    new = [_new("killed", 5, 300, "A"),      # same offset
           _new("wounded", 47, 2700, "B"),   # moved: same value and sentence
           _new("captured", 120, 2, "D")]    # new
    matched, gone = _match(old, new)  # type: ignore[arg-type]
    assert matched == {0: 10, 1: 11} and gone == [12]


def test_a_series_change_is_a_claim_added_removed_moved_or_revalued() -> None:
    key = ("KP", "killed", "KR-NIS")
    before = {1: (*key, 300, "s"), 2: (*key, 100, "t"), 3: ("KP", "killed", None, 50, "u")}
    after = {1: (*key, 300, "s reworded"), 2: (*key, 120, "t"), 3: (*key, 50, "u"),
             4: ("KP", "wounded", "KR-NIS", 2700, "v")}
    changes = _diff(before, after)
    assert changes == {key: SeriesChange(added=1, changed=1),
                       ("KP", "killed", None): SeriesChange(removed=1),
                       ("KP", "wounded", "KR-NIS"): SeriesChange(added=1)}


@pytest.mark.parametrize("page", ["<html><body>Ünïcode 북한</body></html>",
                                  b"\xff\xfe not utf-8 \x00", ""])
def test_a_raw_page_comes_back_as_it_arrived(page: str | bytes) -> None:
    row = pack(page)
    assert unpack(row["data"], row["is_text"], row["sha256"], row["compression"]) == page
    with pytest.raises(ValueError, match="SHA-256"):
        unpack(row["data"], row["is_text"], "0" * 64, row["compression"])
