"""The SQL of `worker reanalyse`: which stored versions are due, what a re-analysis reads of
each one, and writing one version's new analysis in ONE transaction (its claims, its text when
the cleaning changed it, its signature, the review overrides applied again, the story's
inferred claimants and the lineage of every series touched), so that a kill at any moment
leaves either the old or the new analysis of a version, never half of one.

Claims keep their ids where the figure is the same (matched by metric and offset, else metric,
value and sentence): what refers to a claim (a review, an alert already sent) still finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from worker import dedupe, revisions
from worker.config import DedupeSettings
from worker.document import Analysis
from worker.figures.model import Claim
from worker.store import rawpages, reviews, stories
from worker.store.models import (
    Article,
    ArticleVersion,
    ContentFingerprint,
    FigureClaim,
    LshBand,
)
from worker.store.stories import SeriesKey

_CLAIMS = cast(Table, FigureClaim.__table__)
_VERSIONS = cast(Table, ArticleVersion.__table__)
_ARTICLES = cast(Table, Article.__table__)
_BANDS = cast(Table, LshBand.__table__)

# what the extractor sets on a claim (the review fields and the ids are not among them)
EXTRACTED = ("metric", "subject", "value", "low", "high", "qualifier", "modality", "claimant",
             "claimant_raw", "scope", "sentence", "start", "end", "refers_to", "recalled",
             "part_of", "partial")
# what makes a claim a different point of its series (offsets and wording do not)
_SERIES_FIELDS = ("value", "low", "high", "qualifier", "modality", "scope", "refers_to",
                  "recalled", "partial", "part_of", "excluded", "claimed_at")

_UPDATE_CLAIM = update(_CLAIMS).where(_CLAIMS.c.id == bindparam("claim_key"))
_PARK_CLAIM = (update(_CLAIMS).where(_CLAIMS.c.id == bindparam("claim_key"))
               .values(start=-_CLAIMS.c.id))


@dataclass(frozen=True)
class StoredVersion:
    """What a re-analysis reads of one stored version and its article."""

    version_id: int
    article_id: int
    number: int
    text: str
    title: str | None
    fingerprint: str
    fetched_at: datetime
    url: str
    outlet: str | None
    language: str | None
    published_at: datetime | None
    story_id: int | None
    has_signature: bool
    page: str | bytes | None  # the raw page, when one was kept


@dataclass
class SeriesChange:
    added: int = 0
    removed: int = 0
    changed: int = 0


@dataclass
class Applied:
    """What writing one version's re-analysis changed."""

    claims_before: int
    claims_after: int
    text_changed: bool
    series: dict[SeriesKey, SeriesChange] = field(default_factory=dict)


def pending(session: Session, *, target: str, since: date | None = None,
            article_id: int | None = None, force: bool = False) -> list[int]:
    """Ids of the versions to re-analyse, in article and version order: those not analysed
    with `target` (all of the selection with `force`), fetched on or after `since`, of one
    article."""
    q = select(ArticleVersion.id).order_by(ArticleVersion.article_id, ArticleVersion.number)
    if not force:
        q = q.where((ArticleVersion.analysed_with.is_(None))
                    | (ArticleVersion.analysed_with != target))
    if since is not None:
        q = q.where(ArticleVersion.fetched_at >= datetime.combine(since, time.min))
    if article_id is not None:
        q = q.where(ArticleVersion.article_id == article_id)
    return list(session.scalars(q))


def forget(session: Session, version_ids: Sequence[int]) -> None:
    """Mark versions as not analysed with any version (`--force`): a run interrupted after
    this goes on without `--force`."""
    for start in range(0, len(version_ids), 500):
        chunk = list(version_ids[start:start + 500])
        session.execute(update(_VERSIONS).where(_VERSIONS.c.id.in_(chunk))
                        .values(analysed_with=None))


def load(session: Session, version_ids: Sequence[int]) -> list[StoredVersion]:
    rows = session.execute(
        select(ArticleVersion.id, ArticleVersion.article_id, ArticleVersion.number,
               ArticleVersion.text, ArticleVersion.title, ArticleVersion.fingerprint,
               ArticleVersion.fetched_at, Article.url, Article.outlet, Article.language,
               Article.published_at, Article.story_id, Article.signature.is_not(None))
        .join(Article, Article.id == ArticleVersion.article_id)
        .where(ArticleVersion.id.in_(list(version_ids)))).all()
    by_id = {r[0]: r for r in rows}
    conn = session.connection()
    return [StoredVersion(*by_id[i], page=rawpages.load(conn, i))  # type: ignore[call-arg]
            for i in version_ids if i in by_id]


def fingerprint_taken(session: Session, v: StoredVersion, fingerprint: str) -> bool:
    """Whether another version of the article has this text already (then the version keeps
    its text: two versions of one article never share one)."""
    return session.scalar(select(ArticleVersion.id).where(
        ArticleVersion.article_id == v.article_id, ArticleVersion.fingerprint == fingerprint,
        ArticleVersion.id != v.version_id).limit(1)) is not None


def _scope_claims(session: Session, v: StoredVersion) -> dict[int, tuple[Any, ...]]:
    """id -> (subject, metric, claimant, *series fields, sentence) of the claims a version's
    re-analysis can change: its story's (inferred claimants), else its article's."""
    cols = [_CLAIMS.c.id, _CLAIMS.c.subject, _CLAIMS.c.metric, _CLAIMS.c.claimant,
            *(_CLAIMS.c[f] for f in _SERIES_FIELDS), _CLAIMS.c.sentence]
    q = select(*cols)
    if v.story_id is not None:
        q = q.join(_ARTICLES, _ARTICLES.c.id == _CLAIMS.c.article_id).where(
            _ARTICLES.c.story_id == v.story_id)
    else:
        q = q.where(_CLAIMS.c.article_id == v.article_id)
    return {row[0]: tuple(row[1:]) for row in session.execute(q)}


def _diff(before: dict[int, tuple[Any, ...]], after: dict[int, tuple[Any, ...]]
          ) -> dict[SeriesKey, SeriesChange]:
    out: dict[SeriesKey, SeriesChange] = {}

    def at(key: tuple[Any, ...]) -> SeriesChange:
        return out.setdefault((key[0], key[1], key[2]), SeriesChange())

    for claim_id, old in before.items():
        new = after.get(claim_id)
        if new is None:
            at(old).removed += 1
        elif new[:3] != old[:3]:
            at(old).removed += 1
            at(new).added += 1
        elif new[:-1] != old[:-1]:
            at(new).changed += 1
    for claim_id, new in after.items():
        if claim_id not in before:
            at(new).added += 1
    return out


def _match(old: Sequence[Any], new: Sequence[Claim]) -> tuple[dict[int, int], list[int]]:
    """new claim index -> old claim id for the same figure, and the old ids left over."""
    by_offset = {(r.metric, r.start): r.id for r in old}
    by_text: dict[tuple[Any, ...], list[int]] = {}
    for r in old:
        by_text.setdefault((r.metric, r.value, r.sentence), []).append(r.id)
    used: set[int] = set()
    matched: dict[int, int] = {}
    for i, c in enumerate(new):
        hit = by_offset.get((c.metric, c.start))
        if hit is None or hit in used:
            hit = next((x for x in by_text.get((c.metric, c.value, c.sentence), [])
                        if x not in used), None)
        if hit is not None:
            matched[i] = hit
            used.add(hit)
    return matched, [r.id for r in old if r.id not in used]


def _claim_values(c: Claim, claimed_at: datetime, extractor: str | None) -> dict[str, Any]:
    return {**{f: getattr(c, f) for f in EXTRACTED}, "claimed_at": claimed_at,
            "extractor_version": extractor, "claimant_inferred": False}


def _previous(session: Session, v: StoredVersion) -> tuple[str, list[Any]] | None:
    if v.number == 1:
        return None
    row = session.execute(select(ArticleVersion.id, ArticleVersion.text).where(
        ArticleVersion.article_id == v.article_id,
        ArticleVersion.number == v.number - 1)).first()
    if row is None:
        return None
    claims = session.execute(select(FigureClaim.metric, FigureClaim.subject,
                                    FigureClaim.claimant, FigureClaim.value)
                             .where(FigureClaim.version_id == row[0])).all()
    return row[1], list(claims)


def apply(session: Session, v: StoredVersion, a: Analysis, *, target: str,
          dd: DedupeSettings) -> Applied:
    """Write version `v`'s new analysis `a` in the session's transaction."""
    before = _scope_claims(session, v)
    text, fingerprint = v.text, v.fingerprint
    text_changed = a.fingerprint != v.fingerprint
    if text_changed:  # the caller made sure no other version of the article has this text
        text, fingerprint = a.text, a.fingerprint
        if session.get(ContentFingerprint, fingerprint) is None:
            session.execute(insert(ContentFingerprint),
                            [{"fingerprint": fingerprint, "article_id": v.article_id}])
    values: dict[str, Any] = {"analysed_with": target, "text": text,
                              "fingerprint": fingerprint}
    prev = _previous(session, v)
    if prev is not None:
        values["changes"] = revisions.compare_versions(prev[0], text, prev[1], a.claims)
    session.execute(update(_VERSIONS).where(_VERSIONS.c.id == v.version_id).values(**values))

    claimed_at = v.fetched_at if v.number > 1 else (v.published_at or v.fetched_at)
    old = session.execute(select(FigureClaim.id, FigureClaim.metric, FigureClaim.start,
                                 FigureClaim.value, FigureClaim.sentence)
                          .where(FigureClaim.version_id == v.version_id)).all()
    matched, gone = _match(old, a.claims)
    if gone:
        session.execute(delete(_CLAIMS).where(_CLAIMS.c.id.in_(gone)))
    if matched:  # offsets may swap between claims: park them first (unique per version)
        session.execute(_PARK_CLAIM, [{"claim_key": i} for i in matched.values()])
        session.execute(_UPDATE_CLAIM, [
            {"claim_key": matched[i], **_claim_values(c, claimed_at, a.extractor)}
            for i, c in enumerate(a.claims) if i in matched])
    fresh = [{"version_id": v.version_id, "article_id": v.article_id,
              **_claim_values(c, claimed_at, a.extractor)}
             for i, c in enumerate(a.claims) if i not in matched]
    if fresh:
        session.execute(insert(_CLAIMS), fresh)
    if v.number == 1 and v.has_signature and a.signature is not None:
        _resign(session, v.article_id, a.signature, a.shingles, dd)
    reviews.reapply(session, [v.version_id])
    if v.story_id is not None:
        stories.infer_claimants(session, v.story_id)
    after = _scope_claims(session, v)
    changes = _diff(before, after)
    # the lineage also keeps each statement's sentence: a reworded one is refreshed too
    reworded = {(c[0], c[1], c[2]) for i, c in after.items()
                if i in before and before[i][:-1] == c[:-1] and before[i][-1] != c[-1]}
    stories.refresh_lineage(session, set(changes) | reworded)
    return Applied(claims_before=len(old), claims_after=len(a.claims),
                   text_changed=text_changed, series=changes)


def _resign(session: Session, article_id: int, signature: bytes, shingles: int,
            dd: DedupeSettings) -> None:
    """The article's MinHash and LSH buckets computed again (a change of [dedupe] shingle
    makes the stored ones incomparable); its story link stays."""
    session.execute(update(_ARTICLES).where(_ARTICLES.c.id == article_id)
                    .values(signature=signature, shingles=shingles))
    session.execute(delete(_BANDS).where(_BANDS.c.article_id == article_id))
    session.execute(insert(_BANDS), [{"band": b, "bucket": k, "article_id": article_id}
                                     for b, k in dedupe.band_buckets(signature, dd.bands)])


def counts(session: Session, target: str) -> dict[str, int]:
    """How many versions are stored, and how many are analysed with `target`."""
    total = session.scalar(select(func.count()).select_from(ArticleVersion)) or 0
    current = session.scalar(select(func.count()).select_from(ArticleVersion).where(
        ArticleVersion.analysed_with == target)) or 0
    return {"versions": total, "current": current}
