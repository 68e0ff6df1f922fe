"""`analyse`, the pure half of the pipeline: figures only for relevant texts, unless asked."""

from __future__ import annotations

from dataclasses import replace

from worker.config import load_settings
from worker.pipeline import CoreConfig, Document, analyse, cut_text

# about casualties, but not about North Korea: irrelevant, yet it states a figure
TEXT = ("Ukraine's General Staff said on Monday that about 1,200 Russian soldiers had been "
        "killed or wounded in the past day of fighting near Pokrovsk.")


def test_figures_are_extracted_from_irrelevant_texts_only_when_asked() -> None:
    core = CoreConfig.from_settings(load_settings(env={}))
    doc = Document(url="https://example.org/a", locator="a", text=TEXT, language="en")
    plain = analyse(doc, core)
    assert not plain.relevant and plain.claims == ()
    forced_by_core = analyse(doc, replace(core, claims_always=True))
    forced_by_call = analyse(doc, core, claims_always=True)
    assert not forced_by_core.relevant
    assert [c.value for c in forced_by_core.claims] == [1200]
    assert forced_by_call.claims == forced_by_core.claims
    assert analyse(doc, replace(core, claims_always=True), claims_always=False).claims == ()


def test_max_text_bytes_cuts_what_is_analysed_and_the_text_says_so() -> None:
    core = CoreConfig.from_settings(load_settings(env={"WORKER_PIPELINE_MAX_TEXT_BYTES": "2000"}))
    assert core.max_text_bytes == 2000
    tail = ("Later, 900 North Korean soldiers were killed near Kursk, "
            "South Korea's spy agency said.")
    body = "\n".join(f"Paragraph {i} of a very long page about the weather." for i in range(200))
    doc = Document(url="https://example.org/long", locator="long", text=f"{body}\n{tail}",
                   language="en")
    a = analyse(doc, core, claims_always=True)
    assert a.cut_from == len(f"{body}\n{tail}".encode())
    analysed, note = a.text.rsplit("\n", 1)
    assert len(analysed.encode()) <= 2000
    assert analysed.startswith("Paragraph 0 of") and "Paragraph 199" not in analysed
    assert note == f"[text cut: the first {len(analysed.encode()):,} of {a.cut_from:,} bytes " \
                   "were analysed and stored]"
    assert 900 not in [c.value for c in a.claims]  # it was past the cut
    whole = analyse(doc, replace(core, max_text_bytes=0), claims_always=True)
    assert whole.cut_from == 0 and [c.value for c in whole.claims] == [900]


def test_cut_text_never_splits_a_character() -> None:
    text = "погибли " * 1000  # two bytes a letter
    for limit in (101, 1000, 1001, 5555):
        head, total = cut_text(text, limit)
        assert total == len(text.encode()) and len(head.encode()) <= limit
        assert text.startswith(head) and head
    assert cut_text("short", 10) == ("short", 0)
