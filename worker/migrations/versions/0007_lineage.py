"""materialised lineage: figure_series, figure_statements, figure_value_stories,
figure_values; the figure views read them

Revision ID: lineage
Revises: stories

The statements of every figure series are kept at write time (worker.store.lineage) with
both their dates (stated for / reported on), whether each is a point of its series, its
previous value and change kind. The three views keep their names and columns, gain new ones
(claim_id, stated_for, reported_on, refers_to, recalled, through_recall, story_id, language,
change_id, detected_at) and now read indexed rows; their timestamps are ISO 8601 text with
the zone (UTC) on SQLite and PostgreSQL alike. The tables are filled from the stored claims
right after the upgrade, by `worker.store.db.upgrade` (live code, not this file). The SQL is
frozen here, as written when this revision was made.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "lineage"
down_revision = "stories"
branch_labels = None
depends_on = None

CHANGE = "kind IS NOT NULL"


def _ts(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (f"to_char({column} AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')")
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column})"


VIEWS = {
    "claim_statements": """CREATE VIEW claim_statements AS
SELECT st.claim_id AS id, st.claim_id, st.version_id, st.article_id, fs.metric, fs.subject,
       fs.claimant, c.claimant_raw, st.value, c.low, c.high, c.qualifier, c.modality, c.scope,
       c.sentence, c.start, c."end", {claimed_at} AS claimed_at, st.version_number,
       {fetched_at} AS fetched_at, st.story_key, a.story_id, a.url, a.outlet, a.title,
       a.language, {published_at} AS published_at, st.refers_to, st.recalled,
       st.through_recall, {stated_for} AS stated_for, {reported_on} AS reported_on,
       st.series_id
FROM figure_statements st
JOIN figure_series fs ON fs.id = st.series_id
JOIN figure_claims c ON c.id = st.claim_id
JOIN article_versions v ON v.id = st.version_id
JOIN articles a ON a.id = st.article_id
WHERE st.point
""",
    "figure_changes": """CREATE VIEW figure_changes AS
SELECT st.claim_id AS change_id, st.claim_id, fs.subject, fs.metric, fs.claimant, st.value,
       st.previous_value, c.low, c.high, c.qualifier, c.modality, {claimed_at} AS claimed_at,
       st.kind, a.url, a.outlet, c.sentence, c.claimant_raw, st.article_id, st.version_id,
       st.version_number, COALESCE(fv.stories, 0) AS independent_stories,
       {stated_for} AS stated_for, {reported_on} AS reported_on, st.refers_to,
       st.through_recall, a.story_id, a.title, a.language, {published_at} AS published_at,
       {detected_at} AS detected_at, st.series_id
FROM figure_statements st
JOIN figure_series fs ON fs.id = st.series_id
JOIN figure_claims c ON c.id = st.claim_id
JOIN articles a ON a.id = st.article_id
LEFT JOIN figure_values fv ON fv.series_id = st.series_id AND fv.value = st.value
WHERE st.kind IS NOT NULL
""",
    "latest_figures": """CREATE VIEW latest_figures AS
SELECT st.claim_id, fs.subject, fs.metric, fs.claimant, st.value, c.low, c.high, c.qualifier,
       c.modality, {claimed_at} AS claimed_at, a.url, a.outlet, c.sentence,
       COALESCE(fv.stories, 0) AS independent_stories, {stated_for} AS stated_for,
       {reported_on} AS reported_on, st.refers_to, st.through_recall, st.article_id,
       st.version_id, a.story_id, a.title, a.language, {published_at} AS published_at,
       fs.id AS series_id
FROM figure_series fs
JOIN figure_statements st ON st.claim_id = fs.latest_claim_id
JOIN figure_claims c ON c.id = st.claim_id
JOIN articles a ON a.id = st.article_id
LEFT JOIN figure_values fv ON fv.series_id = st.series_id AND fv.value = st.value
""",
}

_TIMES = {"claimed_at": "c.claimed_at", "fetched_at": "v.fetched_at",
          "published_at": "a.published_at", "stated_for": "st.stated_for",
          "reported_on": "st.reported_on", "detected_at": "st.detected_at"}


def views_sql(dialect: str) -> dict[str, str]:
    return {name: sql.format(**{k: _ts(col, dialect) for k, col in _TIMES.items()})
            for name, sql in VIEWS.items()}


def _drop_views() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def _partial(name: str, table: str, columns: list[str], where: str) -> None:
    op.create_index(name, table, columns, sqlite_where=sa.text(where),
                    postgresql_where=sa.text(where))


def upgrade() -> None:
    _drop_views()
    op.create_table(
        "figure_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("subject", sa.String(length=8), nullable=True),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("claimant", sa.String(length=32), nullable=True),
        sa.Column("latest_claim_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_series")),
        sa.UniqueConstraint("key", name=op.f("uq_figure_series_key")),
    )
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "figure_statements",
        sa.Column("claim_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("story_key", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("recalled", sa.Boolean(), nullable=False),
        sa.Column("refers_to", sa.String(length=10), nullable=True),
        sa.Column("stated_for", ts, nullable=False),
        sa.Column("reported_on", ts, nullable=False),
        sa.Column("version_value", sa.BigInteger(), nullable=True),
        sa.Column("corrected", sa.Boolean(), nullable=False),
        sa.Column("live", sa.Boolean(), nullable=False),
        sa.Column("point", sa.Boolean(), nullable=False),
        sa.Column("through_recall", sa.Boolean(), nullable=False),
        sa.Column("previous_value", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=True),
        sa.Column("detected_at", ts, nullable=True),
        sa.ForeignKeyConstraint(["series_id"], ["figure_series.id"], ondelete="CASCADE",
                                name=op.f("fk_figure_statements_series_id_figure_series")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_figure_statements")),
    )
    order = ["series_id", "stated_for", "reported_on", "claim_id"]
    op.create_index("ix_figure_statements_article_id", "figure_statements", ["article_id"])
    op.create_index("ix_figure_statements_order", "figure_statements", order)
    _partial("ix_figure_statements_points", "figure_statements", order, "point")
    op.create_index("ix_figure_statements_value", "figure_statements",
                    ["series_id", "value", "reported_on"])
    _partial("ix_figure_statements_recalls", "figure_statements", ["series_id", "value"],
             "recalled")
    op.create_index("ix_figure_statements_story", "figure_statements",
                    ["series_id", "value", "story_key", "reported_on"])
    _partial("ix_figure_statements_changes", "figure_statements", order[1:], CHANGE)
    _partial("ix_figure_statements_kind", "figure_statements", ["kind", *order[1:]], CHANGE)
    _partial("ix_figure_statements_series_changes", "figure_statements", order, CHANGE)
    op.create_table(
        "figure_value_stories",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("story_key", sa.BigInteger(), nullable=False),
        sa.Column("first_reported_on", ts, nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["figure_series.id"], ondelete="CASCADE",
                                name=op.f("fk_figure_value_stories_series_id_figure_series")),
        sa.PrimaryKeyConstraint("series_id", "value", "story_key",
                                name=op.f("pk_figure_value_stories")),
    )
    op.create_table(
        "figure_values",
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["series_id"], ["figure_series.id"], ondelete="CASCADE",
                                name=op.f("fk_figure_values_series_id_figure_series")),
        sa.PrimaryKeyConstraint("series_id", "value", name=op.f("pk_figure_values")),
    )
    for sql in views_sql(op.get_bind().dialect.name).values():
        op.execute(sql)


def downgrade() -> None:
    _drop_views()
    for table in ("figure_values", "figure_value_stories", "figure_statements",
                  "figure_series"):
        op.drop_table(table)
    # the views of revision 0004, as that revision froze them
    previous = import_module("worker.migrations.versions.0004_claim_time_and_lineage")
    for sql in previous.VIEWS.values():
        op.execute(sql)
