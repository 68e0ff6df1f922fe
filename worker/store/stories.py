"""What a story gives its articles: a representative article (the earliest published one)
and claimants for the figures its copies state without one.

Claimant inference is a function of the story's claims, recomputed whenever one of its
articles stores claims: for each (subject, metric, value) the claimants that the story's
articles state with an asserted or reported figure; when there is exactly one, every claim
of that group without a claimant of its own takes it (`claimant_inferred`); when there is none
or more than one, an inferred claimant is withdrawn. So the result does not depend on the order
in which the copies arrived."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session

from worker.store.models import Article, FigureClaim, Story

SeriesKey = tuple[str | None, str, str | None]  # (subject, metric, claimant)

_STATED = ("asserted", "reported")

_STORY_CLAIMS = (
    select(FigureClaim.id, FigureClaim.subject, FigureClaim.metric, FigureClaim.value,
           FigureClaim.claimant, FigureClaim.claimant_inferred, FigureClaim.modality,
           FigureClaim.excluded)
    .join(Article, Article.id == FigureClaim.article_id)
    .where(Article.story_id == bindparam("story")))
# Core statements on the tables (an executemany with a WHERE is Core's, not an ORM bulk update)
_CLAIMS = cast(Table, FigureClaim.__table__)
_SET_CLAIMANT = (
    update(_CLAIMS).where(_CLAIMS.c.id == bindparam("claim"))
    .values(claimant=bindparam("new_claimant"), claimant_inferred=bindparam("inferred")))
_EARLIEST = (
    select(Article.id).where(Article.story_id == bindparam("story"))
    .order_by(Article.published_at.is_(None), Article.published_at, Article.first_seen_at,
              Article.id)
    .limit(1).scalar_subquery())
_STORIES = cast(Table, Story.__table__)
_SET_REPRESENTATIVE = (update(_STORIES).where(_STORIES.c.id == bindparam("story"))
                       .values(first_article_id=_EARLIEST))


def inferred_claimants(rows: Iterable[Any]) -> dict[int, str | None]:
    """Pure: claim id -> the claimant it should have, for the claims whose claimant is
    missing or inferred. `rows`: (id, subject, metric, value, claimant, inferred, modality,
    excluded); a claim a reviewer marked wrong lends no claimant."""
    stated: dict[tuple[Any, ...], set[str]] = {}
    open_: list[tuple[int, tuple[Any, ...]]] = []
    for claim_id, subject, metric, value, claimant, inferred, modality, excluded in rows:
        group = (subject, metric, value)
        if claimant is not None and not inferred:
            if modality in _STATED and not excluded:
                stated.setdefault(group, set()).add(claimant)
        else:
            open_.append((claim_id, group))
    out: dict[int, str | None] = {}
    for claim_id, group in open_:
        names = stated.get(group, set())
        out[claim_id] = next(iter(names)) if len(names) == 1 else None
    return out


def infer_claimants(conn: Connection | Session, story_id: int) -> set[SeriesKey]:
    """Give the story's claimant-less claims the claimant their copies state (or withdraw one
    that no longer holds); returns the series keys touched, old and new."""
    rows = conn.execute(_STORY_CLAIMS, {"story": story_id}).all()
    wanted = inferred_claimants(rows)
    touched: set[SeriesKey] = set()
    changes = []
    for claim_id, subject, metric, _value, claimant, *_ in rows:
        if claim_id not in wanted or wanted[claim_id] == claimant:
            continue
        new = wanted[claim_id]
        changes.append({"claim": claim_id, "new_claimant": new, "inferred": new is not None})
        touched.update({(subject, metric, claimant), (subject, metric, new)})
    if changes:
        conn.execute(_SET_CLAIMANT, changes)
    return touched


def set_representative(conn: Connection | Session, story_id: int) -> None:
    """The story's representative article: its earliest published one (an original fetched
    after its copies takes the place of the first copy stored)."""
    conn.execute(_SET_REPRESENTATIVE, {"story": story_id})


def refresh_lineage(conn: Connection | Session, keys: set[SeriesKey]) -> None:
    """The materialised lineage of the series `keys` (old and new keys of the claims changed
    here), recomputed in this transaction (worker.store.lineage_rebuild.refresh_series). The writer
    refreshes a story's articles incrementally instead (lineage.refresh_story)."""
    if not keys:
        return
    from worker.store import lineage_rebuild

    lineage_rebuild.refresh_series(conn, keys)
