"""announcements (tables and the `announcements` view) and change alerts (outbox, webhook
endpoints, delivery log)

Revision ID: alerts
Revises: reviews

Announcements are rebuilt from the claims by worker.announce and stored in
`claimant_announcements`, `announcement_figures` and `announcement_links`; the view
`announcements` gives one row per figure of an announcement, for SQL tools. `derived_state`
remembers what each derived table was built from. `alert_outbox` holds every published change
once (its change id is unique), `alert_endpoints` each webhook's cursor into it and its back-off,
`alert_deliveries` every delivery attempt. The view's SQL is written here, as it was when this
revision was made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "alerts"
down_revision = "reviews"
branch_labels = None
depends_on = None

UTC_DT = sa.DateTime(timezone=True)

ANNOUNCEMENTS_VIEW = """CREATE VIEW announcements AS
SELECT a.id AS announcement_id, a.claimant, a.announced_on, a.dated_by, a.recalled_only,
       a.independent_stories, a.languages, a.reports, a.first_reported_at, a.url, a.outlet,
       a.headline, f.subject, f.metric, f.kind, f.value, f.low, f.high, f.qualifier,
       f.stories AS figure_stories, f.reports AS figure_reports,
       f.recalled_only AS figure_recalled_only, f.sentence
FROM claimant_announcements a
JOIN announcement_figures f ON f.announcement_id = a.id
"""


def upgrade() -> None:
    op.create_table(
        "claimant_announcements",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("claimant", sa.String(32), nullable=False),
        sa.Column("announced_on", sa.String(10), nullable=False),
        sa.Column("dated_by", sa.String(16), nullable=False),
        sa.Column("recalled_only", sa.Boolean(), nullable=False),
        sa.Column("independent_stories", sa.Integer(), nullable=False),
        sa.Column("languages", sa.String(200), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("first_reported_at", UTC_DT, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=True),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_claimant_announcements"),
    )
    op.create_index("ix_claimant_announcements_claimant", "claimant_announcements",
                    ["claimant", "announced_on"])
    op.create_table(
        "announcement_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(8), nullable=True),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("low", sa.BigInteger(), nullable=True),
        sa.Column("high", sa.BigInteger(), nullable=True),
        sa.Column("qualifier", sa.String(16), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("recalled_only", sa.Boolean(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["claimant_announcements.id"],
                                name="fk_announcement_figures_announcement_id_claimant_announcements",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_announcement_figures"),
    )
    op.create_index("ix_announcement_figures_announcement_id", "announcement_figures",
                    ["announcement_id"])
    op.create_table(
        "announcement_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.String(64), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_key", sa.BigInteger(), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("outlet", sa.String(200), nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("reported_at", UTC_DT, nullable=False),
        sa.Column("recalled_only", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["announcement_id"], ["claimant_announcements.id"],
                                name="fk_announcement_links_announcement_id_claimant_announcements",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"],
                                name="fk_announcement_links_article_id_articles",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_announcement_links"),
    )
    op.create_index("ix_announcement_links_announcement_id", "announcement_links",
                    ["announcement_id"])
    op.create_index("ix_announcement_links_article_id", "announcement_links", ["article_id"])
    op.create_table(
        "derived_state",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("fingerprint", sa.Text(), nullable=False),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_derived_state"),
    )
    op.create_table(
        "alert_outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("change_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTC_DT, nullable=False),
        sa.Column("subject", sa.String(8), nullable=True),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("claimant", sa.String(32), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_outbox"),
        sa.UniqueConstraint("change_id", name="uq_alert_outbox_change_id"),
    )
    op.create_table(
        "alert_endpoints",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DT, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("leased_by", sa.String(128), nullable=True),
        sa.Column("lease_until", UTC_DT, nullable=True),
        sa.Column("updated_at", UTC_DT, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_alert_endpoints"),
    )
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(200), nullable=False),
        sa.Column("outbox_id", sa.BigInteger(), nullable=False),
        sa.Column("change_id", sa.String(64), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DT, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["alert_outbox.id"],
                                name="fk_alert_deliveries_outbox_id_alert_outbox",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_endpoint", "alert_deliveries",
                    ["endpoint", "outbox_id"])
    op.execute(ANNOUNCEMENTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS announcements")
    for table in ("alert_deliveries", "alert_endpoints", "alert_outbox", "derived_state",
                  "announcement_links", "announcement_figures", "claimant_announcements"):
        op.drop_table(table)
