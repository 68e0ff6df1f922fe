"""the announcements view gives its time as ISO 8601 text with the zone (UTC), like the figure
views, on SQLite and PostgreSQL alike

Revision ID: utc_views
Revises: lineage

`announcements.first_reported_at` was the database's own timestamp text ("2025-09-04
03:15:00.000000" on SQLite, a timestamptz on PostgreSQL); it is now "2025-09-04T03:15:00+00:00"
on both, as `--json`, the exports and the figure views give times. The SQL is frozen here, as
written when this revision was made.
"""

from __future__ import annotations

from alembic import op

revision = "utc_views"
down_revision = "lineage"
branch_labels = None
depends_on = None

VIEW = """CREATE VIEW announcements AS
SELECT a.id AS announcement_id, a.claimant, a.announced_on, a.dated_by, a.recalled_only,
       a.independent_stories, a.languages, a.reports, {first_reported_at} AS first_reported_at,
       a.url, a.outlet, a.headline, f.subject, f.metric, f.kind, f.value, f.low, f.high,
       f.qualifier, f.stories AS figure_stories, f.reports AS figure_reports,
       f.recalled_only AS figure_recalled_only, f.sentence
FROM claimant_announcements a
JOIN announcement_figures f ON f.announcement_id = a.id
"""

# the view of revision alerts, restored by the downgrade
PREVIOUS_VIEW = """CREATE VIEW announcements AS
SELECT a.id AS announcement_id, a.claimant, a.announced_on, a.dated_by, a.recalled_only,
       a.independent_stories, a.languages, a.reports, a.first_reported_at, a.url, a.outlet,
       a.headline, f.subject, f.metric, f.kind, f.value, f.low, f.high, f.qualifier,
       f.stories AS figure_stories, f.reports AS figure_reports,
       f.recalled_only AS figure_recalled_only, f.sentence
FROM claimant_announcements a
JOIN announcement_figures f ON f.announcement_id = a.id
"""


def _iso(column: str, dialect: str) -> str:
    if dialect == "postgresql":
        return (f"to_char({column} AT TIME ZONE 'UTC', "
                f"'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')")
    return f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column})"


def views_sql(dialect: str) -> dict[str, str]:
    """The CREATE VIEW statement of this revision for `dialect`, by view name."""
    return {"announcements": VIEW.format(first_reported_at=_iso("a.first_reported_at",
                                                                 dialect))}


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS announcements")
    for sql in views_sql(op.get_bind().dialect.name).values():
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS announcements")
    op.execute(PREVIOUS_VIEW)
