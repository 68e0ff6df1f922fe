from __future__ import annotations

from types import SimpleNamespace

from worker.revisions import compare_texts, figure_changes, is_correction_note, unified_diff


def claim(metric: str, value: int, subject: str = "KP", claimant: str = "KR-NIS") -> object:
    return SimpleNamespace(metric=metric, value=value, subject=subject, claimant=claimant)


def test_sentence_and_character_counts() -> None:
    old = "About 300 were killed. The front is quiet. Seoul said so."
    new = "About 600 were killed. The front is quiet. Seoul said so. A new line."
    c = compare_texts(old, new)
    assert c["sentences_edited"] == 1
    assert c["sentences_added"] == 1
    assert c["sentences_removed"] == 0
    assert c["chars_added"] > c["chars_removed"] > 0


def test_figure_changes_added_removed_changed() -> None:
    res = figure_changes([claim("killed", 300), claim("wounded", 2700)],
                         [claim("killed", 600), claim("deployed", 11000)])
    assert res["changed"] == [{"metric": "killed", "subject": "KP", "claimant": "KR-NIS",
                               "from": [300], "to": [600]}]
    assert [r["metric"] for r in res["added"]] == ["deployed"]
    assert [r["metric"] for r in res["removed"]] == ["wounded"]


def test_correction_note_detection() -> None:
    old = "A long article. " * 40
    assert is_correction_note(old, "Correction: this article has been withdrawn.")
    assert not is_correction_note(old, old + " Correction appended.")


def test_unified_diff_shows_the_changed_sentence() -> None:
    diff = unified_diff("About 300 were killed.", "About 600 were killed.",
                        old_label="v1", new_label="v2")
    assert "-About 300 were killed." in diff and "+About 600 were killed." in diff
