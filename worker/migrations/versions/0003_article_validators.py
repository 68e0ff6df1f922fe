"""article validators: ETag, Last-Modified and the SHA-256 of the last raw page

Revision ID: 0003
Revises: 0002

A re-check sends the validators of the article's last fetch (If-None-Match /
If-Modified-Since); a 304, or a body identical to the last one, ends it without analysis.
`rechecks_since_full` counts the conditional re-checks since the last unconditional one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("etag", sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column("last_modified", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("raw_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("rechecks_since_full", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("rechecks_since_full")
        batch_op.drop_column("raw_sha256")
        batch_op.drop_column("last_modified")
        batch_op.drop_column("etag")
