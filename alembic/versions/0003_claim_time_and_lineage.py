"""figure claims: refers_to, recalled, part_of, partial; views leave out recalled, increment
and partial figures

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from worker.store.views import views_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _drop_views() -> None:
    for name in reversed(list(views_sql())):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()  # they select from figure_claims, which SQLite's batch mode rebuilds
    with op.batch_alter_table("figure_claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refers_to", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("recalled", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column("part_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("partial", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    for sql in views_sql(lineage=True).values():
        op.execute(sql)


def downgrade() -> None:
    _drop_views()
    with op.batch_alter_table("figure_claims", schema=None) as batch_op:
        batch_op.drop_column("partial")
        batch_op.drop_column("part_of")
        batch_op.drop_column("recalled")
        batch_op.drop_column("refers_to")
    for sql in views_sql(lineage=False).values():
        op.execute(sql)
