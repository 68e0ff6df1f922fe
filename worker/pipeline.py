"""The analysis of one document by the pure core (`analyse`: clean, language, date, topic,
figures, signature), on one screen, no I/O; `CoreConfig` is what it needs (picklable, for the
process pool). Storing the result is `worker.store.writer.Store`, in one transaction;
`procs.AnalysisPool` runs `analyse` in worker processes for the daemon's fetch threads.

`Document`, `Analysis`, `Outcome` and `raw_digest` live in `worker.document` and are
re-exported here for the callers that import them from the pipeline."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from worker import clean, clock, dedupe, prefilter, topic
from worker.config import Settings
from worker.dates import date_from_text
from worker.document import OUTCOMES, Analysis, Document, Outcome, raw_digest
from worker.figures import Claim, extract_claims, load_lexicons
from worker.figures.version import analysis_version, extractor_version
from worker.language import detect_language

__all__ = ["OUTCOMES", "Analysis", "CoreConfig", "Document", "Outcome", "analyse",
           "raw_digest"]

log = logging.getLogger(__name__)

@dataclass(frozen=True, kw_only=True)
class CoreConfig:
    """The data files and parameters the pure core needs (picklable, for a process pool)."""

    boilerplate: str
    topics: str
    claimants: str
    num_perm: int = 128
    shingle: int = 3
    claims_always: bool = False  # extract figures from irrelevant texts too (benchmarks)
    prefilter: bool = True  # the lossless topic pre-filter in front of trafilatura
    max_text_bytes: int = 1_000_000  # of clean text analysed; the rest is cut (0: no cap)

    @classmethod
    def from_settings(cls, s: Settings) -> CoreConfig:
        return cls(
            boilerplate=str(s.data_file("boilerplate_file")),
            topics=str(s.data_file("topics_file")),
            claimants=str(s.data_file("claimants_file")),
            num_perm=s.dedupe.num_perm,
            shingle=s.dedupe.shingle,
            prefilter=s.pipeline.prefilter,
            max_text_bytes=s.pipeline.max_text_bytes,
        )


@lru_cache(maxsize=4)
def _lexicons(claimants_file: str) -> Any:
    return load_lexicons(claimants_file=Path(claimants_file))


def claims_from_text(text: str, language: str | None, published: datetime | None,
                     core: CoreConfig) -> tuple[Claim, ...]:
    """The figures of an already cleaned text (a re-analysis that keeps a version's text)."""
    return tuple(extract_claims(text, language or "en", published.date() if published else None,
                                lexicons=_lexicons(core.claimants)))


def _title_from_text(text: str) -> str | None:
    first = text.strip().split("\n", 1)[0].strip()
    if not first:
        return None
    if len(first) <= 200:
        return first
    head = first[:200]
    for stop in (". ", "? ", "! "):
        if stop in head:
            return head[: head.index(stop) + 1]
    return head.rsplit(" ", 1)[0] + "…"


def _unreadable(doc: Document, reason: str) -> Analysis:
    """A page nothing could be read from: not irrelevant (nobody read it), so it is stored as
    nothing but an 'unreadable' event and tried again (see Store.save, Poller._new_item)."""
    return Analysis(text="", title=doc.title, language=doc.language, published=doc.published,
                    relevant=False, relevance=0.0, fingerprint="", signature=None,
                    unreadable=reason[:500])


CUT_NOTE = "[text cut: the first {kept:,} of {total:,} bytes were analysed and stored]"


def cut_text(text: str, max_bytes: int) -> tuple[str, int]:
    """`text` cut to at most `max_bytes` bytes of UTF-8, at the last line break (else space)
    of its final tenth when there is one, and the original size in bytes; (text, 0) when it
    fits. Bounds what one page costs the analysis, however much text it has."""
    if max_bytes <= 0 or len(text) <= max_bytes // 4:  # 4 bytes at most per character
        return text, 0
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text, 0
    head = data[:max_bytes].decode("utf-8", "ignore")  # a split character is dropped
    floor = len(head) - len(head) // 10
    for stop in ("\n", " "):
        at = head.rfind(stop, floor)
        if at > 0:
            head = head[:at]
            break
    return head, len(data)


def _page_date(html: str) -> str | None:
    try:
        return clean.page_date(html)
    except (RecursionError, ValueError, LookupError, MemoryError):
        return None  # a page htmldate gives up on: the text may still give the date


def _prefilter(doc: Document, html: str, core: CoreConfig) -> Analysis | None:
    """The irrelevant verdict for a page no term of some required topic group can occur in
    (`worker/prefilter.py` says why that is lossless), or None when the page may be relevant."""
    title = doc.title or clean.html_title(html)
    page = prefilter.haystack(html, doc.title, clean.html_title(html))
    if prefilter.cached_screen(core.topics).could_match(page):
        return None
    return Analysis(text="", title=title, language=doc.language, published=doc.published,
                    relevant=False, relevance=0.0, signature=None, prefiltered=True,
                    fingerprint=hashlib.sha256(page.encode("utf-8")).hexdigest())


def analyse(doc: Document, core: CoreConfig, *, today: date | None = None,
            claims_always: bool | None = None) -> Analysis:
    """Pure: everything the pipeline knows about a document before it touches the database.
    Figures are extracted from relevant texts only, unless `claims_always` (by default
    `core.claims_always`)."""
    rules = clean.cached_rules(core.boilerplate)
    if claims_always is None:
        claims_always = core.claims_always
    extracted_title = None
    html = None
    if doc.html is not None:
        html = clean.page_str(doc.html)
        if core.prefilter and not claims_always:
            screened = _prefilter(doc, html, core)
            if screened is not None:
                return screened
        try:
            ext = clean.extract_html(html, doc.url)
        except (RecursionError, ValueError, LookupError, MemoryError) as exc:
            # lxml and trafilatura give up on some pages (nesting 100,000 deep, ...)
            return _unreadable(doc, f"extraction failed: {type(exc).__name__}: {exc}")
        if not ext.text.strip():
            return _unreadable(doc, f"no text extracted from {len(doc.html):,} characters "
                                    "of HTML")
        text = clean.strip_boilerplate(ext.text, rules)
        extracted_title = ext.title
    else:
        text = clean.clean_text(doc.text or "", rules)
    text, cut_from = cut_text(text.replace("\x00", ""), core.max_text_bytes)  # NUL: no text
    title = (doc.title or extracted_title or _title_from_text(text) or "").replace("\x00", "") \
        or None
    rel = topic.relevance(text, topic.cached_topic(core.topics), title=title)
    # the language and the date matter to the figures and the series only: an irrelevant page
    # keeps what its feed said, and never pays for the language model or htmldate
    language, published = (doc.language.lower().split("-")[0] if doc.language else None,
                           doc.published)
    if rel.relevant or claims_always:
        language = detect_language(text, doc.language)
        if published is None and html is not None:
            published = clock.aware(_page_date(html))
        if published is None:
            published = clock.aware(date_from_text(text, today=today))
    normalised = dedupe.normalise_for_fingerprint(text)  # shared by fingerprint and MinHash
    fp = dedupe.fingerprint(text, normalised=normalised)
    signature: bytes | None = None
    n_shingles = 0
    claims: tuple[Claim, ...] = ()
    if rel.relevant:
        mh, n_shingles = dedupe.text_signature(text, num_perm=core.num_perm,
                                               shingle=core.shingle, normalised=normalised)
        signature = dedupe.signature_bytes(mh)
    if rel.relevant or claims_always:
        claims = tuple(extract_claims(
            text, language or "en", published.date() if published else None,
            lexicons=_lexicons(core.claimants)))
    if cut_from:  # the stored text says so at its end (claims' offsets are unchanged)
        text = f"{text}\n{CUT_NOTE.format(kept=len(text.encode()), total=cut_from)}"
    return Analysis(text=text, title=title, language=language, published=published,
                    relevant=rel.relevant, relevance=rel.score, fingerprint=fp,
                    signature=signature, shingles=n_shingles, claims=claims, cut_from=cut_from,
                    extractor=extractor_version(core.claimants),
                    analysed_with=analysis_version(core.claimants, core.boilerplate,
                                                   core.topics))
