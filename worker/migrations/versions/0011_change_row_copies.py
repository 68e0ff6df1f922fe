"""figure_change_rows: the article's fields and the times as ISO text in each change row

Revision ID: change_row_copies
Revises: change_rows

`worker changes --subject KP --metric killed` lists all 7,830 changes of its series at 10M
claims. Read from figure_change_rows joined to articles, each row was a primary-key lookup
in the articles (about 31,000 buffers) and five to_char calls, about 85 ms of the database's
CPU time. The rows now carry the article's url, outlet, story, title and language and the
five times as the listing shows them, so the listing reads the change rows alone; the
writer copies an article's fields again whenever it sets one (worker.store.lineage:
`sync_article`), by the new index on article_id. The table is derived (from figure_statements,
figure_claims and articles), so it is made again and filled from what is stored. The SQL is
frozen here, as written when this revision was made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "change_row_copies"
down_revision = "change_rows"
branch_labels = None
depends_on = None

_FILL = """INSERT INTO figure_change_rows (claim_id, series_id, article_id, version_id,
    version_number, value, previous_value, kind, stated_for, reported_on, refers_to,
    through_recall, detected_at, low, high, qualifier, modality, claimed_at, sentence,
    claimant_raw, url, outlet, story_id, title, language, stated_for_iso, reported_on_iso,
    claimed_at_iso, detected_at_iso, published_at_iso)
SELECT st.claim_id, st.series_id, st.article_id, st.version_id, st.version_number, st.value,
       st.previous_value, st.kind, st.stated_for, st.reported_on, st.refers_to,
       st.through_recall, st.detected_at, c.low, c.high, c.qualifier, c.modality,
       c.claimed_at, c.sentence, c.claimant_raw, a.url, a.outlet, a.story_id, a.title,
       a.language, {stated_for}, {reported_on}, {claimed_at}, {detected_at}, {published_at}
FROM figure_statements st
JOIN figure_claims c ON c.id = st.claim_id
JOIN articles a ON a.id = st.article_id
WHERE st.kind IS NOT NULL
"""

_OLD_FILL = """INSERT INTO figure_change_rows (claim_id, series_id, article_id, version_id,
    version_number, value, previous_value, kind, stated_for, reported_on, refers_to,
    through_recall, detected_at, low, high, qualifier, modality, claimed_at, sentence,
    claimant_raw)
SELECT st.claim_id, st.series_id, st.article_id, st.version_id, st.version_number, st.value,
       st.previous_value, st.kind, st.stated_for, st.reported_on, st.refers_to,
       st.through_recall, st.detected_at, c.low, c.high, c.qualifier, c.modality,
       c.claimed_at, c.sentence, c.claimant_raw
FROM figure_statements st
JOIN figure_claims c ON c.id = st.claim_id
WHERE st.kind IS NOT NULL
"""

_TIMES = {"stated_for": "st.stated_for", "reported_on": "st.reported_on",
          "claimed_at": "c.claimed_at", "detected_at": "st.detected_at",
          "published_at": "a.published_at"}


def _iso(column: str, dialect: str) -> str:
    """The column as "2025-01-13T06:20:00+00:00" (what worker.store.sqltime wrote then)."""
    if dialect == "postgresql":
        return (f"to_char({column} AT TIME ZONE 'UTC', "
                "'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')")
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column})"


def _create(copies: bool) -> None:
    ts = sa.DateTime(timezone=True)
    extra = [
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("outlet", sa.String(length=200), nullable=True),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("stated_for_iso", sa.String(length=25), nullable=False),
        sa.Column("reported_on_iso", sa.String(length=25), nullable=False),
        sa.Column("claimed_at_iso", sa.String(length=25), nullable=False),
        sa.Column("detected_at_iso", sa.String(length=25), nullable=True),
        sa.Column("published_at_iso", sa.String(length=25), nullable=True),
    ] if copies else []
    op.create_table(
        "figure_change_rows",
        sa.Column("claim_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.BigInteger(), nullable=False),
        sa.Column("version_id", sa.BigInteger(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("previous_value", sa.BigInteger(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stated_for", ts, nullable=False),
        sa.Column("reported_on", ts, nullable=False),
        sa.Column("refers_to", sa.String(length=10), nullable=True),
        sa.Column("through_recall", sa.Boolean(), nullable=False),
        sa.Column("detected_at", ts, nullable=True),
        sa.Column("low", sa.BigInteger(), nullable=True),
        sa.Column("high", sa.BigInteger(), nullable=True),
        sa.Column("qualifier", sa.String(length=16), nullable=False),
        sa.Column("modality", sa.String(length=16), nullable=False),
        sa.Column("claimed_at", ts, nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("claimant_raw", sa.Text(), nullable=True),
        *extra,
        sa.ForeignKeyConstraint(["series_id"], ["figure_series.id"], ondelete="CASCADE",
                                name=op.f("fk_figure_change_rows_series_id_figure_series")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_figure_change_rows")),
    )
    order = ["stated_for", "reported_on", "claim_id"]
    op.create_index("ix_figure_change_rows_series", "figure_change_rows", ["series_id", *order])
    op.create_index("ix_figure_change_rows_order", "figure_change_rows", order)
    op.create_index("ix_figure_change_rows_kind", "figure_change_rows", ["kind", *order])
    if copies:
        op.create_index("ix_figure_change_rows_article", "figure_change_rows", ["article_id"])


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_table("figure_change_rows")
    _create(copies=True)
    op.execute(_FILL.format(**{k: _iso(col, dialect) for k, col in _TIMES.items()}))


def downgrade() -> None:
    op.drop_table("figure_change_rows")
    _create(copies=False)
    op.execute(_OLD_FILL)
