"""The SQL of the materialised lineage (worker.store.lineage): its tables, the one predicate
of the claims that count, and every statement of the write path, built once and run with
parameters (building an expression costs more than running it on an indexed table)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)

from worker.store.models import (
    Article,
    ArticleVersion,
    FigureChangeRow,
    FigureClaim,
    FigureSeries,
    FigureStatement,
    FigureValue,
    FigureValueStory,
    UTCDateTime,
)
from worker.store.sqltime import iso_utc

SeriesKey = tuple[str | None, str, str | None]
STATED = ("asserted", "reported")
WALK_BATCH = 200

_st = cast(Table, FigureStatement.__table__)
_series = cast(Table, FigureSeries.__table__)
_vs = cast(Table, FigureValueStory.__table__)
_values = cast(Table, FigureValue.__table__)
_changes = cast(Table, FigureChangeRow.__table__)
_claims_t = cast(Table, FigureClaim.__table__)


def counted() -> ColumnElement[bool]:
    """THE predicate of the claims that are statements of their series: stated (asserted or
    reported, not possible or negated), not a part of a breakdown or a sub-population, not an
    increment, not marked wrong by a reviewer (`excluded`, worker.store.reviews). Recalled
    claims are statements too (evidence; see worker.series). Extend it
    here, in one place, when a claim gains a reason not to count."""
    c = FigureClaim
    return and_(c.modality.in_(STATED), c.partial.is_(False),
                func.coalesce(c.scope, "") != "increment", c.excluded.is_(False))


_CLAIMS = (
    select(FigureClaim.subject, FigureClaim.metric, FigureClaim.claimant, FigureClaim.id,
           FigureClaim.article_id, FigureClaim.version_id, ArticleVersion.number,
           FigureClaim.value, FigureClaim.recalled, FigureClaim.refers_to,
           FigureClaim.claimed_at, Article.published_at,
           func.coalesce(Article.story_id, -Article.id), Article.status)
    .join(ArticleVersion, ArticleVersion.id == FigureClaim.version_id)
    .join(Article, Article.id == FigureClaim.article_id)
    .where(counted()))


_ARTICLE_CLAIMS = _CLAIMS.where(FigureClaim.article_id == bindparam("article"))


_COLUMNS = ("claim_id", "article_id", "version_id", "version_number", "story_key", "value",
            "recalled", "refers_to", "stated_for", "reported_on", "version_value", "corrected",
            "live", "point", "through_recall", "previous_value", "kind")
_SELECT_ST = select(*(_st.c[k] for k in _COLUMNS), _st.c.series_id)


_SERIES_BY_KEY = select(_series.c.key, _series.c.id).where(
    _series.c.key.in_(bindparam("keys", expanding=True)))


# -- the statements of the write path --

def _p(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


_ORDER_ASC = (_st.c.stated_for, _st.c.reported_on, _st.c.claim_id)
_ORDER_DESC = tuple(c.desc() for c in _ORDER_ASC)
_ROW_POS = tuple_(*_ORDER_ASC)
_AT = tuple_(_p("sf"), _p("ro"), bindparam("cid"))
_ARTICLE_ROWS = _SELECT_ST.where(_st.c.article_id == bindparam("article"))
_INSERT_ST = insert(_st)
_UPDATE_BASE = (update(_st).where(_st.c.claim_id == bindparam("k_claim"))
                .values({k: bindparam(f"b_{k}") for k in _COLUMNS[1:14]}))
_UPDATE_POINT = (update(_st).where(_st.c.claim_id == bindparam("k_claim"))
                 .values(point=bindparam("b_point")))
_UPDATE_DERIVED = (update(_st).where(_st.c.claim_id == bindparam("k_claim"))
                   .values(through_recall=bindparam("b_through"),
                           previous_value=bindparam("b_previous"), kind=bindparam("b_kind"),
                           detected_at=bindparam("b_detected", type_=UTCDateTime())))
_FIRST_DIRECT = (select(_st.c.reported_on)
                 .where(_st.c.series_id == bindparam("sid"), _st.c.value == bindparam("value"),
                        _st.c.recalled.is_(False), _st.c.live.is_(True),
                        _st.c.corrected.is_(False))
                 .order_by(_st.c.reported_on).limit(1))
_FIRST = _FIRST_DIRECT.scalar_subquery()
# the recalls of a value whose point may flip, with the value's first direct report (one
# round trip): those given by id (their own facts changed), the points reported at or after
# that first report (no longer the earliest evidence) and the non-points reported before it
# (or with no direct report at all). A point reported before it stays one: reading every
# recall of a value grew with the database.
# `recalled` bare, as the partial index ix_figure_statements_recalls says it: SQLite matches
# "recalled IS 1" or "recalled = 1" to no partial index, PostgreSQL not "recalled IS true";
# both then read every statement of the value (hundreds at 1M claims, growing) for its recalls
_RECALLED: ColumnElement[Any] = literal_column("figure_statements.recalled")
# `point` bare too, for ix_figure_statements_points: with "point IS true" PostgreSQL read the
# series' rows backwards in ix_figure_statements_order and fetched each from the heap to test
# the flag (seen in EXPLAIN at 1M claims), on both the previous point and the latest
_POINT: ColumnElement[Any] = literal_column("figure_statements.point")
_RECALL_CANDIDATES = (
    _SELECT_ST.add_columns(_FIRST.label("first_direct"))
    .where(_st.c.series_id == bindparam("sid"), _st.c.value == bindparam("value"),
           _RECALLED,
           or_(_st.c.claim_id.in_(bindparam("ids", expanding=True)),
               and_(_st.c.point.is_(True), _FIRST.is_not(None),
                    _st.c.reported_on >= _FIRST),
               and_(_st.c.point.is_(False),
                    or_(_FIRST.is_(None), _st.c.reported_on < _FIRST)))))
_PREV_POINT = (select(_st.c.value)
               .where(_st.c.series_id == bindparam("sid"), _POINT,
                      _st.c.stated_for <= _p("sf"), _ROW_POS < _AT)
               .order_by(*_ORDER_DESC).limit(1))
_FROM = {inclusive: (_SELECT_ST.where(_st.c.series_id == bindparam("sid"),
                                      _st.c.stated_for >= _p("sf"),
                                      _ROW_POS >= _AT if inclusive else _ROW_POS > _AT)
                     .order_by(*_ORDER_ASC).limit(WALK_BATCH))
         for inclusive in (True, False)}
_STORY_FIRST = (select(_st.c.reported_on)
                .where(_st.c.series_id == bindparam("k_sid"), _st.c.value == bindparam("k_value"),
                       _st.c.story_key == bindparam("k_story"), _st.c.live.is_(True),
                       _st.c.corrected.is_(False))
                .order_by(_st.c.reported_on).limit(1))
_VS_KEY = and_(_vs.c.series_id == bindparam("k_sid"), _vs.c.value == bindparam("k_value"),
               _vs.c.story_key == bindparam("k_story"))
_VS_STORED = select(_vs.c.first_reported_on).where(_VS_KEY)
# in one round trip: the first report supporting (series, value, story) now, and the stored one
_STORY_STATE = select(_STORY_FIRST.scalar_subquery().label("first"),
                      _VS_STORED.scalar_subquery().label("stored"))
_VS_UPDATE = update(_vs).where(_VS_KEY).values(first_reported_on=_p("k_first"))
_VS_DELETE = delete(_vs).where(_VS_KEY)
_VS_INSERT = insert(_vs).values(series_id=bindparam("k_sid"), value=bindparam("k_value"),
                                story_key=bindparam("k_story"), first_reported_on=_p("k_first"))
_V_KEY = and_(_values.c.series_id == bindparam("k_sid"), _values.c.value == bindparam("k_value"))
_V_INSERT = insert(_values).values(series_id=bindparam("k_sid"), value=bindparam("k_value"),
                                   stories=bindparam("k_n"))
_V_ADD = update(_values).where(_V_KEY).values(stories=_values.c.stories + bindparam("k_n"))
_V_DROP_EMPTY = delete(_values).where(_V_KEY, _values.c.stories <= 0)
_SET_LATEST = (update(_series).where(_series.c.id == bindparam("sid"))
               .values(latest_claim_id=select(_st.c.claim_id)
                       .where(_st.c.series_id == bindparam("sid"), _POINT)
                       .order_by(*_ORDER_DESC).limit(1).scalar_subquery()))

# -- figure_change_rows: the changes with their claims' and articles' fields, copied --------

_articles_t = cast(Table, Article.__table__)
ARTICLE_COPIES = frozenset(("url", "outlet", "story_id", "title", "language", "published_at"))
"""The articles' columns that figure_change_rows copies (`published_at` as its ISO text): a
write that sets one of them calls `lineage.sync_article`."""


def _change_source_column(name: str) -> Any:
    """The expression figure_change_rows' column `name` is copied from: the statement's
    column, else the claim's, else the article's; `<column>_iso` is that column as ISO text."""
    base = name.removesuffix("_iso")
    for source in (_st, _claims_t, _articles_t):
        if base in source.c:
            column = source.c[base]
            return iso_utc(column).label(name) if base != name else column
    raise KeyError(name)


_CHANGE_SOURCE = (select(*(_change_source_column(c.name) for c in _changes.c))
                  .join(_claims_t, _claims_t.c.id == _st.c.claim_id)
                  .join(_articles_t, _articles_t.c.id == _st.c.article_id)
                  .where(_st.c.kind.is_not(None)))
_CHANGE_NAMES = [c.name for c in _changes.c]
_CHANGES_DROP = delete(_changes).where(_changes.c.claim_id.in_(bindparam("ids", expanding=True)))
_CHANGES_COPY = insert(_changes).from_select(_CHANGE_NAMES, _CHANGE_SOURCE.where(
    _st.c.claim_id.in_(bindparam("ids", expanding=True))))
_ARTICLE_COPY = (
    update(_changes).where(_changes.c.article_id == bindparam("article"))
    .values({name: select(_change_source_column(name)).where(
        _articles_t.c.id == bindparam("article")).scalar_subquery()
        for name in sorted(ARTICLE_COPIES - {"published_at"}) + ["published_at_iso"]}))
_SERIES_CHANGES_COPY = insert(_changes).from_select(_CHANGE_NAMES, _CHANGE_SOURCE.where(
    _st.c.series_id == bindparam("sid")))
