"""The read behind `worker export`: every claim with its version, article and story, filtered
by series (subject, metric, claimant) and claim date. Timestamps come back as aware UTC
datetimes and the names are those of the views and `--json` (claim_id, version_number,
story_id, ...): the exporter decides how each format writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from worker import clock
from worker.store.models import Article, ArticleVersion, ClaimReview, FigureClaim

CLAIM_FIELDS = ("subject", "metric", "claimant", "claimant_raw", "claimant_inferred", "value",
                "low", "high", "qualifier", "modality", "scope", "refers_to", "recalled",
                "part_of", "partial", "excluded", "claimed_at", "sentence", "start", "end",
                "extractor_version")


def claim_rows(session: Session, *, subject: str | None = None, metric: str | None = None,
               claimant: str | None = None, since: date | None = None,
               include_excluded: bool = False) -> list[dict[str, Any]]:
    """Every claim with its provenance, oldest claim first. Claims a reviewer marked wrong
    are left out unless `include_excluded`; `reviewed` says whether a person corrected one."""
    reviewed = exists().where(ClaimReview.claim_id == FigureClaim.id)
    q = (select(FigureClaim, ArticleVersion.number, ArticleVersion.fetched_at, Article,
                reviewed.label("reviewed"))
         .join(ArticleVersion, ArticleVersion.id == FigureClaim.version_id)
         .join(Article, Article.id == FigureClaim.article_id)
         .order_by(FigureClaim.claimed_at, FigureClaim.id))
    for column, value in (("subject", subject), ("metric", metric), ("claimant", claimant)):
        if value is not None:
            q = q.where(getattr(FigureClaim, column) == value)
    if since is not None:
        q = q.where(FigureClaim.claimed_at >= clock.day_start(since))
    if not include_excluded:
        q = q.where(FigureClaim.excluded.is_(False))
    rows = []
    for c, number, fetched, a, was_reviewed in session.execute(q):
        row: dict[str, Any] = {"claim_id": c.id, "article_id": a.id, "version_id": c.version_id,
                               "version_number": number, "story_id": a.story_id}
        row.update((f, getattr(c, f)) for f in CLAIM_FIELDS)
        row.update(reviewed=bool(was_reviewed), fetched_at=fetched, published_at=a.published_at,
                   url=a.url, outlet=a.outlet, title=a.title, language=a.language)
        rows.append(row)
    return rows
