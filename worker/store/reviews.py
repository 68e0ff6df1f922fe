"""Review overrides: an analyst's correction of one claim (`worker claims mark`), and the
list of them (`worker claims reviewed`).

A correction is written into the claim itself — so every view, query, report and export sees
the corrected claim with no extra join — and recorded in `claim_reviews` with the claim's
values before it, who made it, when and why:

    wrong      figure_claims.excluded = true (never a point of a series)
    recalled   figure_claims.recalled = true (restates an earlier statement)
    part_of    figure_claims.part_of = the total's index in its version, partial = true
    claimant   figure_claims.claimant = CODE
    subject    figure_claims.subject = CODE

A correction made by mistake is withdrawn (`withdraw()`, `worker claims unmark`): an `undo`
review naming it is recorded, and the claim gets back the values it had before its first
review with every correction still standing applied again, in order.

A re-analysis extracts a version's claims again; `reapply()` then finds each reviewed claim
again (by version, metric and offset; else by version, metric and sentence) and applies the
corrections still standing once more, in the order they were made. Every function works in
the caller's transaction and returns the series keys (subject, metric, claimant) it touched,
old and new.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.errors import InputError
from worker.store.models import Article, ArticleVersion, ClaimReview, FigureClaim

ACTIONS = ("wrong", "recalled", "part_of", "claimant", "subject")
UNDO = "undo"
"""The action of a review withdrawing another (its new_value: that review's id)."""
REVIEWED_FIELDS = ("subject", "claimant", "claimant_inferred", "recalled", "part_of", "partial",
                   "excluded")
SeriesKey = tuple[str | None, str, str | None]
"""(subject, metric, claimant): one figure series."""


def series_key(claim: FigureClaim) -> SeriesKey:
    return (claim.subject, claim.metric, claim.claimant)


def _snapshot(claim: FigureClaim) -> dict[str, Any]:
    return {f: getattr(claim, f) for f in REVIEWED_FIELDS}


def _version_claims(session: Session, version_id: int) -> list[FigureClaim]:
    return list(session.scalars(select(FigureClaim).where(FigureClaim.version_id == version_id)
                                .order_by(FigureClaim.start, FigureClaim.id)))


def _apply(session: Session, claim: FigureClaim, review: ClaimReview) -> bool:
    """Write one correction into its claim; False when it cannot apply (the total of a
    part_of review is no longer among its version's claims)."""
    if review.action == "wrong":
        claim.excluded = True
    elif review.action == "recalled":
        claim.recalled = True
    elif review.action == "claimant":
        claim.claimant = review.new_value
        claim.claimant_inferred = False  # a reviewer's claimant is the claim's own
    elif review.action == "subject":
        claim.subject = review.new_value
    elif review.action == "part_of":
        siblings = _version_claims(session, claim.version_id)
        index = next((i for i, c in enumerate(siblings)
                      if c.start == review.total_start and c.id != claim.id), None)
        if index is None:
            return False
        claim.part_of, claim.partial = index, True
        review.new_value = str(siblings[index].id)
    else:  # a row written by a newer version of the worker
        return False
    return True


def mark(session: Session, claim_id: int, action: str, value: str | None = None, *,
         reviewer: str, note: str, now: datetime | None = None) -> dict[str, Any]:
    """Record and apply one correction of claim `claim_id`; `value` is the code for
    claimant/subject, the total's claim id for part_of. Returns the review as `reviewed()`
    lists it, plus the series keys touched (`keys`)."""
    if action not in ACTIONS:
        raise InputError(f"unknown review action {action!r}: one of {', '.join(ACTIONS)}")
    if not note.strip():
        raise InputError("a review needs a note saying why (--note TEXT)")
    claim = session.get(FigureClaim, claim_id)
    if claim is None:
        raise InputError(f"no claim has the id {claim_id}")
    total_start = None
    if action == "part_of":
        total = session.get(FigureClaim, int(value)) if value and value.isdigit() else None
        if total is None:
            raise InputError(f"--part-of: no claim has the id {value}")
        if total.version_id != claim.version_id or total.id == claim.id:
            raise InputError(f"--part-of: claim {total.id} is not another figure of the same "
                             f"article version as claim {claim.id}")
        total_start = total.start
    elif action in ("claimant", "subject") and not value:
        raise InputError(f"--{action} needs a code")
    before = series_key(claim)
    review = ClaimReview(
        claim_id=claim.id, version_id=claim.version_id, metric=claim.metric,
        start=claim.start, value=claim.value, sentence=claim.sentence, action=action,
        new_value=value if action in ("claimant", "subject", "part_of") else None,
        total_start=total_start, original=_snapshot(claim), reviewer=reviewer,
        reviewed_at=now or datetime.now(UTC), note=note.strip())
    _apply(session, claim, review)
    session.add(review)
    session.flush()
    keys = {before, series_key(claim)}
    _refresh(session, keys)
    url = session.scalar(select(Article.url).where(Article.id == claim.article_id))
    return {**_row(review, claim, url), "keys": sorted(keys, key=_key_order)}


def _key_order(key: SeriesKey) -> tuple[str, str, str]:
    return (key[0] or "", key[1], key[2] or "")


def _refresh(session: Session, keys: set[SeriesKey]) -> None:
    """Recompute what the lineage keeps of these series (the materialised statements and
    changes) from the corrected claims."""
    from worker.store import lineage_rebuild

    session.flush()
    lineage_rebuild.refresh_series(session, keys)


def _locate(session: Session, review: ClaimReview) -> FigureClaim | None:
    """The claim a review is about, after a re-analysis may have replaced it: its id if it
    is still the same figure, else by (version, metric, offset), else by sentence."""
    if review.claim_id is not None:
        claim = session.get(FigureClaim, review.claim_id)
        if (claim is not None and claim.version_id == review.version_id
                and claim.metric == review.metric):
            return claim
    same = [c for c in _version_claims(session, review.version_id)
            if c.metric == review.metric]
    for test in (lambda c: c.start == review.start and c.sentence == review.sentence,
                 lambda c: c.sentence == review.sentence and c.value == review.value,
                 lambda c: c.start == review.start and c.value == review.value):
        found = [c for c in same if test(c)]
        if found:
            return found[0]
    return None


def _withdrawn(session: Session) -> set[int]:
    """The ids of the reviews an `undo` review withdrew."""
    return {int(v) for v in session.scalars(select(ClaimReview.new_value)
                                            .where(ClaimReview.action == UNDO)) if v}


def withdraw(session: Session, review_id: int, *, reviewer: str, note: str,
             now: datetime | None = None) -> dict[str, Any]:
    """Withdraw review `review_id`: record an `undo` review, give the claim back the values
    it had before its first review and apply its other standing corrections again. Returns
    the undo review as `reviewed()` lists it, plus the series keys touched (`keys`)."""
    if not note.strip():
        raise InputError("withdrawing a review needs a note saying why (--note TEXT)")
    target = session.get(ClaimReview, review_id)
    if target is None:
        raise InputError(f"no review has the id {review_id}")
    if target.action == UNDO:
        raise InputError(f"review {review_id} withdraws another; mark the claim again instead")
    if review_id in _withdrawn(session):
        raise InputError(f"review {review_id} was already withdrawn")
    claim = _locate(session, target)
    if claim is None:
        raise InputError(f"the claim of review {review_id} is no longer stored")
    before = series_key(claim)
    undo = ClaimReview(
        claim_id=claim.id, version_id=claim.version_id, metric=claim.metric,
        start=claim.start, value=claim.value, sentence=claim.sentence, action=UNDO,
        new_value=str(target.id), original=_snapshot(claim), reviewer=reviewer,
        reviewed_at=now or datetime.now(UTC), note=note.strip())
    session.add(undo)
    session.flush()
    history = list(session.scalars(
        select(ClaimReview).where(ClaimReview.claim_id == claim.id, ClaimReview.action != UNDO)
        .order_by(ClaimReview.reviewed_at, ClaimReview.id)))
    for name, value in history[0].original.items():  # the values before the first review
        if name in REVIEWED_FIELDS:
            setattr(claim, name, value)
    withdrawn = _withdrawn(session)
    for review in history:
        if review.id not in withdrawn:
            _apply(session, claim, review)
    session.flush()
    keys = {before, series_key(claim)}
    _refresh(session, keys)
    url = session.scalar(select(Article.url).where(Article.id == claim.article_id))
    return {**_row(undo, claim, url), "keys": sorted(keys, key=_key_order)}


def reapply(session: Session, version_ids: Iterable[int] | None = None) -> set[SeriesKey]:
    """Apply every recorded correction again (those of `version_ids` only, when given), in
    the order they were made: what `worker reanalyse` calls after extracting claims anew.
    A review whose claim is gone keeps its row (claim_id NULL) and applies again if the
    claim comes back; a withdrawn review does not apply. Returns the series keys touched,
    old and new."""
    withdrawn = _withdrawn(session)
    q = (select(ClaimReview).where(ClaimReview.action != UNDO)
         .order_by(ClaimReview.reviewed_at, ClaimReview.id))
    if version_ids is not None:
        ids = list(version_ids)
        if not ids:
            return set()
        q = q.where(ClaimReview.version_id.in_(ids))
    keys: set[SeriesKey] = set()
    for review in session.scalars(q).all():
        if review.id in withdrawn:
            continue
        claim = _locate(session, review)
        if claim is None:
            review.claim_id = None
            continue
        before = series_key(claim)
        review.claim_id = claim.id
        if _apply(session, claim, review):
            keys |= {before, series_key(claim)}
    session.flush()
    if keys:
        _refresh(session, keys)
    return keys


def _row(review: ClaimReview, claim: FigureClaim | None, url: str | None,
         withdrawn: bool = False) -> dict[str, Any]:
    return {
        "review_id": review.id, "claim_id": review.claim_id, "version_id": review.version_id,
        "action": review.action, "new_value": review.new_value, "withdrawn": withdrawn,
        "original": review.original, "reviewer": review.reviewer,
        "reviewed_at": review.reviewed_at.isoformat(), "note": review.note,
        "metric": review.metric, "value": review.value,
        "subject": claim.subject if claim else None,
        "claimant": claim.claimant if claim else None,
        "excluded": claim.excluded if claim else None,
        "sentence": review.sentence, "url": url,
    }


def reviewed(session: Session, *, claim_id: int | None = None) -> list[dict[str, Any]]:
    """Every correction, the oldest first, with the claim as it now stands; `withdrawn` for
    one a later `undo` review withdrew."""
    q = (select(ClaimReview, FigureClaim, Article.url)
         .join(ArticleVersion, ArticleVersion.id == ClaimReview.version_id)
         .join(Article, Article.id == ArticleVersion.article_id)
         .outerjoin(FigureClaim, FigureClaim.id == ClaimReview.claim_id)
         .order_by(ClaimReview.reviewed_at, ClaimReview.id))
    if claim_id is not None:
        q = q.where(ClaimReview.claim_id == claim_id)
    withdrawn = _withdrawn(session)
    return [_row(r, c, url, r.id in withdrawn) for r, c, url in session.execute(q)]
