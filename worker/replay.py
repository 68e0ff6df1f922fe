"""Replay of a fixture feed: files and directories ingested as if a feed had delivered them.

- `.html`/`.htm` is cleaned by trafilatura, `.txt` is plain article text, `.xml` is an RSS or
  Atom file whose items point to files beside it or carry their content;
- an optional sidecar `NAME.meta.toml` gives `url`, `title`, `published`, `source`, `language`
  and, for a later version of an already published article, `fetched`;
- without one the URL is `fixture://` + the file's path, the language is detected, the title is
  the first line or heading and the date is read from the text (see worker.dates).
Documents are stored in order of (fetched, published, path), so versions arrive in order.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy.exc import DataError, OperationalError

from worker import clock
from worker.charset import decode_page
from worker.errors import FetchError, InputError
from worker.feeds import FeedEntry, parse_feed
from worker.ingest import Job, Tally, ingest
from worker.pipeline import CoreConfig, Document, Outcome
from worker.procs import AnalysisPool
from worker.store.db import database_failure
from worker.store.writer import Store

CONTENT_SUFFIXES = (".html", ".htm", ".txt", ".xml")
SIDECAR_KEYS = {"url", "title", "published", "source", "language", "fetched"}


@dataclass
class Summary:
    files: int = 0
    new: int = 0
    duplicates: int = 0
    revised: int = 0
    irrelevant: int = 0
    unreadable: int = 0
    figures: int = 0
    errors: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    stopped: str | None = None  # the database failed: what was stored before stays

    def absorb(self, tally: Tally) -> None:
        """The ingest loop's counts (an `error` outcome is a document that failed)."""
        for outcome, n in tally.outcomes.items():
            key = {"duplicate": "duplicates", "error": "errors"}.get(outcome, outcome)
            setattr(self, key, getattr(self, key) + n)
        self.figures += tally.figures

    def as_dict(self) -> dict[str, Any]:
        return {"files": self.files, "new": self.new, "duplicates": self.duplicates,
                "revised": self.revised, "irrelevant": self.irrelevant,
                "unreadable": self.unreadable, "figures": self.figures,
                "errors": self.errors, "failed": self.failed, "stopped": self.stopped}


def _aware(value: Any, key: str, path: Path) -> datetime | None:
    when = clock.aware(value) if isinstance(value, date | str) or value is None else None
    if when is None and value is not None:
        raise InputError(f"{path}: {key}: expected a date or datetime, got {value!r}")
    return when


def _sidecar(path: Path) -> dict[str, Any]:
    side = path.with_name(path.stem + ".meta.toml")
    if not side.exists():
        return {}
    try:
        meta = tomllib.loads(side.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{side}: not valid TOML: {exc}") from None
    unknown = set(meta) - SIDECAR_KEYS
    if unknown:
        raise InputError(f"{side}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("url", "title", "source", "language"):
        if key in meta and not isinstance(meta[key], str):
            raise InputError(f"{side}: {key}: expected a string")
    meta["published"] = _aware(meta.get("published"), "published", side)
    meta["fetched"] = _aware(meta.get("fetched"), "fetched", side)
    return meta


def fixture_url(path: Path) -> str:
    resolved = path.resolve()
    try:
        rel = resolved.relative_to(Path.cwd().resolve())
    except ValueError:
        rel = resolved
    return "fixture://" + rel.as_posix().lstrip("/")


def _read(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_page(data)  # its declared charset if it reads as text, else detected


def documents_from_file(path: Path) -> list[Document]:
    """The documents a fixture file stands for (one, or one per item of an XML feed)."""
    try:
        if path.suffix.lower() == ".xml":
            return _documents_from_feed(path)
        meta = _sidecar(path)
        raw = _read(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    is_html = path.suffix.lower() in (".html", ".htm")
    return [Document(
        url=meta.get("url") or fixture_url(path), locator=str(path), origin="replay",
        html=raw if is_html else None, text=None if is_html else raw,
        title=meta.get("title"), published=meta.get("published"), source=meta.get("source"),
        language=meta.get("language"), fetched_at=meta.get("fetched"),
    )]


def _documents_from_feed(path: Path) -> list[Document]:
    try:
        # relative links resolve against the feed file's directory (as file: URLs): the
        # parser keeps no link without a base
        feed = parse_feed(path.read_bytes(), path.resolve().as_uri())
    except FetchError as exc:
        raise InputError(f"{path}: {exc}") from None
    if not feed.entries:
        raise InputError(f"{path}: the feed has no usable items")
    docs = []
    for entry in feed.entries:
        target = _local_target(path, entry.url or entry.link)  # "one.txt": the file beside
        if target is not None and target.exists():
            for d in documents_from_file(target):
                docs.append(Document(
                    url=entry.url if entry.url and entry.url.startswith("http") else d.url,
                    locator=f"{path}#{entry.guid}", origin="replay", html=d.html, text=d.text,
                    title=d.title or entry.title, published=d.published or entry.published,
                    source=d.source or feed.title, language=d.language or feed.language,
                    fetched_at=d.fetched_at,
                ))
            continue
        body = entry.content or entry.summary
        if not body:
            raise InputError(f"{path}: item {entry.guid!r} has neither a local file nor content")
        docs.append(Document(
            url=entry.url or f"{fixture_url(path)}#{entry.guid}", locator=f"{path}#{entry.guid}",
            origin="replay", html=f"<html><body><article>{body}</article></body></html>",
            title=entry.title, published=entry.published or entry.updated, source=feed.title,
            language=entry.language or feed.language,
        ))
    return docs


def _local_target(feed_path: Path, link: str | None) -> Path | None:
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme in ("", "fixture"):
        return feed_path.parent / unquote(parts.path if parts.scheme == "" else parts.netloc +
                                          parts.path)
    return None


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Content files under the given paths (sidecars and READMEs are not content)."""
    for p in paths:
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in CONTENT_SUFFIXES:
                    yield child
        else:
            yield p


def _order(doc: Document) -> tuple[datetime, str]:
    when = doc.fetched_at or doc.published or clock.EARLIEST
    return when, doc.locator


@dataclass
class Fixtures:
    """Fixture files as feed entries (`ingest.Job`), in the order they are stored."""

    files: int = 0
    jobs: list[Job] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)  # files not read: why


def fixture_entries(paths: Iterable[Path], *, origin: str = "replay",
                    feed_id: int | None = None, within: Path | None = None) -> Fixtures:
    """The entries a fixture source stands for: each content file's documents, ordered by
    (fetched, published, path) so that versions arrive in order. An entry's GUID is its
    document's locator, relative to `within` (a fixture directory polled as a feed, e.g.
    `seeds/`). A file that cannot be read or parsed is listed in `failed`, not raised."""
    found = Fixtures()
    docs: list[Document] = []
    for path in iter_files(paths):
        found.files += 1
        try:
            docs.extend(documents_from_file(path))
        except InputError as exc:
            found.failed.append({"file": str(path), "error": str(exc)})
    docs.sort(key=_order)
    prefix = str(within) + os.sep if within is not None else None
    for d in docs:
        guid = d.locator.removeprefix(prefix) if prefix else d.locator
        d = replace(d, origin=origin, feed_id=feed_id)
        found.jobs.append(Job(FeedEntry(guid=guid, url=d.url, title=d.title, summary=None,
                                        content=None, published=d.published, updated=None),
                              d))
    return found


class _Counting:
    """A replay's sink: nothing is remembered (no feed), failures and progress reported."""

    def __init__(self, summary: Summary, total: int,
                 progress: Callable[[int, int], None] | None) -> None:
        self.summary, self.total, self.progress, self.count = summary, total, progress, 0

    def remember(self, job: Job, doc: Document, outcome: Outcome | None) -> None:
        pass

    def failed(self, job: Job, doc: Document, exc: Exception) -> None:
        self.summary.failed.append({"file": doc.locator,
                                    "error": f"{doc.locator}: {type(exc).__name__}: {exc}"})

    def done(self, job: Job, outcome: str) -> None:
        self.count += 1
        if self.progress:
            self.progress(self.count, self.total)


def replay(paths: Iterable[Path], store: Store, core: CoreConfig, *, processes: int = 1,
           window: int = 64, progress: Callable[[int, int], None] | None = None) -> Summary:
    """Ingest fixture files through the one ingest loop (`worker.ingest`), as a fixture
    directory polled by the daemon is; a file that cannot be read or parsed is reported and
    skipped. The analysis pool is forked from this process (no threads of its own to copy)."""
    found = fixture_entries(paths)
    summary = Summary(files=found.files, failed=found.failed, errors=len(found.failed))
    total = len(found.jobs)
    pool = AnalysisPool(core, processes=processes if total > 4 else 1, queue_size=window,
                        start="fork")
    tally = Tally()
    try:
        ingest(found.jobs, store, pool, _Counting(summary, total, progress), window=window,
               tally=tally)
    except (OperationalError, DataError) as exc:
        # the disk is full, the file read-only, the server gone: each document is one
        # transaction, so everything before this one is stored and the rest is for a rerun
        # (which skips what is stored)
        at = tally.current.doc.locator if tally.current else "the start"
        summary.stopped = (f"stopped at {at} after {tally.done} of {total} documents were "
                           f"stored: {database_failure(exc)}; run the replay again to "
                           "continue")
    finally:
        pool.close()
    summary.absorb(tally)
    return summary
