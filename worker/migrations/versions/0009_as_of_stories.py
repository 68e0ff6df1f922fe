"""an index of each value's stories by the time they first supported it, so that `figures
--as-of` counts the stories known at a date from the index alone

Revision ID: as_of_stories
Revises: utc_views

`worker figures --as-of DATE` counts, for the latest point of each series, the stories of its
value first reported by the end of DATE. The primary key (series_id, value, story_key) found
the value's stories but read every row for its time: at 1M claims the current value of a big
series has thousands of stories, and the count grew with the database. With
(series_id, value, first_reported_on) the count is a range of one index. The SQL is frozen
here, as written when this revision was made.
"""

from __future__ import annotations

from alembic import op

revision = "as_of_stories"
down_revision = "utc_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_figure_value_stories_first ON figure_value_stories "
               "(series_id, value, first_reported_on)")


def downgrade() -> None:
    op.execute("DROP INDEX ix_figure_value_stories_first")
