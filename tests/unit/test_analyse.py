"""`analyse`, the pure half of the pipeline: figures only for relevant texts, unless asked."""

from __future__ import annotations

from dataclasses import replace

from worker.config import load_settings
from worker.pipeline import CoreConfig, Document, analyse

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
