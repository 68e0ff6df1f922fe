"""The materialised lineage equals its definition: random histories (articles with versions,
recalls, reference dates, copies of one story, unpublishing and restoring, a story re-linked)
are stored in random orders through the incremental path (`lineage.refresh_article`, as the
writer and the re-check code call it), on SQLite and PostgreSQL; after each history the tables
must hold exactly what `worker.series.derive_series` computes from the claims from scratch,
and `refresh_series` must leave them unchanged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.engine import Engine

from worker import series as model
from worker.store import lineage, lineage_rebuild
from worker.store.lineage_sql import _CHANGE_SOURCE
from worker.store.models import (
    Article,
    ArticleVersion,
    FigureChangeRow,
    FigureClaim,
    FigureSeries,
    FigureStatement,
    FigureValue,
    FigureValueStory,
    Story,
)

SERIES = [("KP", "killed", "KR-NIS"), ("KP", "killed", None), ("KP", "wounded", "KR-NIS")]
VALUES = [100, 300, 600]
REFERS = [None, None, "2025-01-10", "2025-01", "2025-02-03", "2025"]
DAYS = [datetime(2025, 1, 10, 6, tzinfo=UTC) + timedelta(days=d, hours=h)
        for d in (0, 0, 1, 24, 25) for h in (0, 3)]


@dataclass(frozen=True)
class FakeClaim:
    series: int
    value: int
    recalled: bool
    refers_to: str | None
    modality: str
    partial: bool


claims_st = st.builds(FakeClaim, st.integers(0, len(SERIES) - 1), st.sampled_from(VALUES),
                      st.booleans(), st.sampled_from(REFERS),
                      st.sampled_from(["reported", "reported", "asserted", "possible"]),
                      st.sampled_from([False, False, False, True]))


@dataclass(frozen=True)
class FakeArticle:
    published: datetime
    story: int | None
    versions: list[list[FakeClaim]]
    unpublish: bool
    restore: bool
    restory: int | None
    reclaim: bool
    """A claim of the first version changes claimant (moves to another series), as claimant
    inference or a review does."""


articles_st = st.builds(
    FakeArticle, st.sampled_from(DAYS), st.sampled_from([None, 1, 2]),
    st.lists(st.lists(claims_st, max_size=3), min_size=1, max_size=3), st.booleans(),
    st.booleans(), st.sampled_from([None, None, 1, 3]), st.booleans())


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[FakeArticle], list[tuple[str, int, int]]]:
    """Articles and an order of events: ('version', article, number) in number order per
    article, ('unpublish'|'restore'|'restory'|'reclaim', article, 0) after the article's
    first version."""
    arts = draw(st.lists(articles_st, min_size=1, max_size=6))
    pending = {i: [("version", i, n) for n in range(1, len(a.versions) + 1)]
               + ([("unpublish", i, 0)] if a.unpublish else [])
               + ([("restore", i, 0)] if a.unpublish and a.restore else [])
               + ([("restory", i, 0)] if a.restory is not None else [])
               + ([("reclaim", i, 0)] if a.reclaim and a.versions[0] else [])
               for i, a in enumerate(arts)}
    order = []
    while any(pending.values()):
        i = draw(st.sampled_from(sorted(k for k, v in pending.items() if v)))
        order.append(pending[i].pop(0))
    return arts, order


def _reset(conn: Connection) -> None:
    for model_ in (FigureChangeRow, FigureValue, FigureValueStory, FigureStatement,
                   FigureSeries, FigureClaim, ArticleVersion, Article, Story):
        conn.execute(delete(model_))
    conn.execute(insert(Story), [{"id": i} for i in (1, 2, 3)])


def _apply(conn: Connection, arts: list[FakeArticle], event: tuple[str, int, int],
           ids: dict[int, int], n_claims: list[int]) -> None:
    kind, i, number = event
    a = arts[i]
    if kind == "version":
        if number == 1:
            ids[i] = conn.execute(insert(Article).values(
                canonical_url=f"https://ex/{i}", url=f"https://ex/{i}", relevant=True,
                relevance=9.0, published_at=a.published, story_id=a.story, status="active",
                needs_retry=False).returning(Article.id)).scalar_one()
        fetched = a.published + timedelta(hours=5 * (number - 1))
        vid = conn.execute(insert(ArticleVersion).values(
            article_id=ids[i], number=number, fetched_at=fetched, text="t",
            fingerprint=f"{i}-{number}").returning(ArticleVersion.id)).scalar_one()
        rows: list[dict[str, Any]] = []
        for k, c in enumerate(a.versions[number - 1]):
            subject, metric, claimant = SERIES[c.series]
            n_claims[0] += 1
            rows.append({"version_id": vid, "article_id": ids[i], "metric": metric,
                         "subject": subject, "claimant": claimant, "value": c.value,
                         "low": c.value, "high": c.value, "qualifier": "approx",
                         "modality": c.modality, "claimant_raw": None, "scope": None,
                         "sentence": "s", "start": k, "end": k + 1, "claimed_at": fetched,
                         "refers_to": c.refers_to, "recalled": c.recalled, "part_of": None,
                         "partial": c.partial})
        if rows:
            conn.execute(insert(FigureClaim), rows)
    elif kind in ("unpublish", "restore"):
        conn.execute(update(Article).where(Article.id == ids[i]).values(
            status="unpublished" if kind == "unpublish" else "active"))
    elif kind == "restory":
        conn.execute(update(Article).where(Article.id == ids[i]).values(story_id=a.restory))
    else:
        first = conn.execute(select(FigureClaim.id, FigureClaim.claimant).where(
            FigureClaim.article_id == ids[i]).order_by(FigureClaim.id).limit(1)).first()
        if first is not None:
            conn.execute(update(FigureClaim).where(FigureClaim.id == first[0]).values(
                claimant=None if first[1] else "KR-NIS"))
    lineage.refresh_article(conn, ids[i])


def _table_state(conn: Connection, key: lineage.SeriesKey) -> Any:
    stored = lineage_rebuild.stored_series(conn, key)
    if stored is None:
        return None
    return ([(s.claim_id, s.base(), s.derived()) for s in stored.statements],
            stored.stories, stored.latest, lineage_rebuild.stored_story_counts(conn, key))


def _expected(claims: list[model.SeriesClaim]) -> Any:
    d = model.derive_series(claims)
    return ([(s.claim_id, s.base(), s.derived()) for s in d.statements], d.stories, d.latest,
            d.story_counts())


def _change_rows_match(conn: Connection) -> None:
    """figure_change_rows holds exactly the statements that are changes, with their claims'
    fields as figure_claims has them (every column compared)."""
    table = FigureChangeRow.__table__
    kept = conn.execute(select(table).order_by(table.c.claim_id)).all()
    source = _CHANGE_SOURCE.order_by(FigureStatement.claim_id)
    assert kept == conn.execute(source).all()


def check(engine: Engine, arts: list[FakeArticle], order: list[tuple[str, int, int]]) -> None:
    with engine.begin() as conn:
        _reset(conn)
        ids: dict[int, int] = {}
        n_claims = [0]
        for event in order:
            _apply(conn, arts, event, ids, n_claims)
        by_series = lineage_rebuild.series_claims(conn)
        for key in SERIES:
            claims = by_series.get(key, [])
            state = _table_state(conn, key)
            if state is None:
                assert not claims
                continue
            assert state == _expected(claims), (key, order)
        _change_rows_match(conn)
        lineage_rebuild.refresh_series(conn, SERIES)  # from scratch: the same rows
        _change_rows_match(conn)
        for key in SERIES:
            if key in by_series:
                again = _table_state(conn, key)
                assert again is not None
                assert again[0] == _expected(by_series[key])[0]
        lineage_rebuild.rebuild_all(conn)  # every table emptied and bulk-filled: the same again
        for key in SERIES:
            if key in by_series:
                assert _table_state(conn, key) == _expected(by_series[key]), (key, order)
        _change_rows_match(conn)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(histories())
def test_the_tables_equal_the_definition_whatever_the_order(
        engine: Engine, history: tuple[list[FakeArticle], list[tuple[str, int, int]]]) -> None:
    check(engine, *history)


def test_an_older_article_fetched_later_moves_the_series_it_falls_into(engine: Engine) -> None:
    """The plain case spelled out: 300 (January) then 600 (March) stored, then a February
    article saying 100 arrives: 300 -> 100 -> 600, and the March change now starts at 100."""
    jan, feb, mar = (datetime(2025, m, 10, tzinfo=UTC) for m in (1, 2, 3))
    c = [FakeClaim(0, v, False, None, "reported", False) for v in (300, 100, 600)]
    arts = [FakeArticle(jan, None, [[c[0]]], False, False, None, False),
            FakeArticle(mar, None, [[c[2]]], False, False, None, False),
            FakeArticle(feb, None, [[c[1]]], False, False, None, False)]
    order = [("version", 0, 1), ("version", 1, 1), ("version", 2, 1)]
    check(engine, arts, order)
    with engine.connect() as conn:
        stored = lineage_rebuild.stored_series(conn, SERIES[0])
    assert stored is not None
    assert [(s.previous_value, s.value, s.kind) for s in stored.statements] == [
        (None, 300, "new_report"), (300, 100, "new_report"), (100, 600, "new_report")]
