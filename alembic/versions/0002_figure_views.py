"""figure views: claim_statements, figure_changes, latest_figures

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

from worker.store.views import views_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# the views as they were at this revision (no recalled/partial columns yet; 0003 replaces them)
VIEWS = views_sql(lineage=False)


def upgrade() -> None:
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")
