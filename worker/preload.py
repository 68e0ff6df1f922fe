"""Imported by the analysis pool's fork server (`procs._context`) before it forks a worker:
the heavy modules, models and packaged data files load there once, and every worker process
forked from it shares their memory pages instead of loading a copy of its own.

What loads: trafilatura with lxml, justext's stop lists and htmldate (a page that reaches the
cleaner), py3langid's model (about 70 MB as loaded, its per-state tables compacted so that
its pages stay shared: `worker.language`), numpy and datasketch (the MinHash of a
relevant page), the packaged boilerplate rules with their alternations, the topic rule and the
figure lexicons. Data files configured elsewhere load in each worker's own warm-up, as before.
Then `gc.freeze()`: the collector leaves these objects alone, so it does not touch (and thereby
copy) the shared pages. A failure here only means each worker loads what it needs itself."""

from __future__ import annotations

import contextlib
import gc
import logging

log = logging.getLogger(__name__)

WARM_UP_PAGE = """<html><head><title>Warm-up</title></head><body><article>
<p>About 600 North Korean soldiers have been killed and 2,000 wounded in the Kursk region,
the agency said on Wednesday, and troops were deployed to Russia in two phases.</p>
<p>The soldiers arrived last autumn and their losses have grown since, the agency said.</p>
</article></body></html>"""


def warm_up() -> None:
    from trafilatura.external import jt_stoplist_init

    from worker import clean
    from worker.config import Settings
    from worker.pipeline import CoreConfig, Document, analyse

    core = CoreConfig.from_settings(Settings())
    clean.cached_rules(core.boilerplate).compile_tiers()
    jt_stoplist_init()
    analyse(Document(url="https://warm-up.invalid/", locator="warm-up", html=WARM_UP_PAGE),
            core, claims_always=True)


with contextlib.suppress(Exception):
    warm_up()
gc.freeze()
