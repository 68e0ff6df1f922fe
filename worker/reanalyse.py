"""`worker reanalyse`: the stored versions cleaned and analysed again with the current code and
rules, so the stored claims follow the extractor as it improves.

A version is re-analysed from its raw page when one was kept (`[store] keep_raw`), else from
its stored cleaned text. Each version is written in its own transaction
(worker.store.reanalysis.apply): its claims (ids kept for the same figures), its text when the
cleaning changed it, the review overrides applied again, the story's inferred claimants, the
lineage of the series touched and `analysed_with`, the analysis it now comes from. A run
interrupted at any moment (even `kill -9`) leaves each version either re-analysed or not, and
the next run does the ones left: versions already analysed with the current code are skipped
(`--force` re-analyses them too). Re-analysing twice changes nothing the second time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings
from worker.errors import InputError
from worker.figures.version import analysis_version
from worker.pipeline import Analysis, CoreConfig, Document, claims_from_text
from worker.procs import AnalysisPool
from worker.store import queries, reanalysis
from worker.store.reanalysis import SeriesChange, StoredVersion
from worker.store.stories import SeriesKey


@dataclass
class Summary:
    target: str  # the analysis version the versions now come from
    dry_run: bool = False
    selected: int = 0  # versions due (not analysed with `target`, or all with --force)
    analysed: int = 0
    from_raw: int = 0
    from_text: int = 0
    text_changed: int = 0
    claims_before: int = 0
    claims_after: int = 0
    errors: int = 0
    failed: list[dict[str, Any]] = field(default_factory=list)
    series: dict[SeriesKey, SeriesChange] = field(default_factory=dict)

    def add(self, applied: reanalysis.Applied) -> None:
        self.analysed += 1
        self.text_changed += applied.text_changed
        self.claims_before += applied.claims_before
        self.claims_after += applied.claims_after
        for key, change in applied.series.items():
            mine = self.series.setdefault(key, SeriesChange())
            mine.added += change.added
            mine.removed += change.removed
            mine.changed += change.changed

    def series_changed(self) -> list[dict[str, Any]]:
        def order(key: SeriesKey) -> tuple[str, str, str]:
            return (key[0] or "", key[1], key[2] or "")

        return [{"subject": k[0], "metric": k[1], "claimant": k[2], "added": c.added,
                 "removed": c.removed, "changed": c.changed}
                for k, c in sorted(self.series.items(), key=lambda kv: order(kv[0]))
                if c.added or c.removed or c.changed]

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "dry_run": self.dry_run, "selected": self.selected,
                "analysed": self.analysed, "from_raw": self.from_raw,
                "from_text": self.from_text, "text_changed": self.text_changed,
                "claims_before": self.claims_before, "claims_after": self.claims_after,
                "errors": self.errors, "failed": self.failed,
                "series_changed": self.series_changed()}


def document_of(v: StoredVersion) -> Document:
    """The document a stored version stands for: its raw page when kept, else its text; the
    metadata its article keeps (the stored title, publication date, outlet, language).

    A stored text has one paragraph a line, where the cleaning of a plain-text page reads a
    blank line between paragraphs (a single line break is a wrapped line): the lines are
    spaced out again, so that cleaning the stored text with unchanged rules gives it back."""
    text = None if v.page is not None else v.text.replace("\n", "\n\n")
    return Document(url=v.url, locator=f"version {v.version_id}", origin="reanalyse",
                    html=v.page, text=text, title=v.title, published=v.published_at,
                    source=v.outlet, language=v.language)


def _keep_text(session: Session, v: StoredVersion, a: Analysis, core: CoreConfig) -> Analysis:
    """The analysis to write: `a`, unless its cleaned text is another version's of the same
    article (the cleaning now removes what told them apart); then this version keeps its text
    and its figures are extracted from that text."""
    if a.fingerprint == v.fingerprint or not reanalysis.fingerprint_taken(session, v,
                                                                           a.fingerprint):
        return a
    claims = claims_from_text(v.text, v.language or a.language, v.published_at, core)
    return dataclasses.replace(a, text=v.text, fingerprint=v.fingerprint, claims=claims)


def reanalyse(factory: sessionmaker[Session], settings: Settings, *,
              since: date | None = None, article_url: str | None = None,
              dry_run: bool = False, force: bool = False, processes: int = 1,
              window: int = 32, progress: Callable[[int, int], None] | None = None) -> Summary:
    core = CoreConfig.from_settings(settings)
    target = analysis_version(core.claimants, core.boilerplate, core.topics)
    summary = Summary(target=target, dry_run=dry_run)
    with factory() as session:
        article_id = None
        if article_url is not None:
            article = queries.find_article(session, article_url)
            if article is None:
                raise InputError(f"no stored article at {article_url}")
            article_id = article.id
        ids = reanalysis.pending(session, target=target, since=since, article_id=article_id,
                                 force=force)
    summary.selected = len(ids)
    if force and not dry_run and ids:  # one transaction; a rerun after a kill resumes
        with factory() as session, session.begin():
            reanalysis.forget(session, ids)
    # the pool of `worker replay` and the daemon, forked from this process; every stored
    # version is analysed for figures, whatever the topic score says now
    pool = AnalysisPool(core, processes=processes if len(ids) > 4 else 1, queue_size=window,
                        start="fork", claims_always=True)
    done = 0
    try:
        for start in range(0, len(ids), window):
            with factory() as session:
                versions = reanalysis.load(session, ids[start:start + window])
            for v, result in pool.analyse_each(versions, document_of, window):
                done += 1
                assert result is not None  # every version has a document
                if isinstance(result, BaseException):
                    summary.errors += 1
                    summary.failed.append({"version_id": v.version_id, "url": v.url,
                                           "error": f"{type(result).__name__}: {result}"})
                else:
                    _write(factory, v, result, core, target, settings, summary, dry_run)
                if progress:
                    progress(done, len(ids))
    finally:
        pool.close()
    return summary


def _write(factory: sessionmaker[Session], v: StoredVersion, a: Analysis, core: CoreConfig,
           target: str, settings: Settings, summary: Summary, dry_run: bool) -> None:
    if a.unreadable is not None:
        summary.errors += 1
        summary.failed.append({"version_id": v.version_id, "url": v.url,
                               "error": a.unreadable})
        return
    session = factory()
    try:
        tx = session.begin()
        applied = reanalysis.apply(session, v, _keep_text(session, v, a, core), target=target,
                                   dd=settings.dedupe)
        if dry_run:
            tx.rollback()
        else:
            tx.commit()
    finally:
        session.close()
    summary.add(applied)
    if v.page is not None:
        summary.from_raw += 1
    else:
        summary.from_text += 1
