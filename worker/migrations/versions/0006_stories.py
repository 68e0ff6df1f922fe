"""stories: inferred claimants, extractor versions, raw pages

Revision ID: stories
Revises: alerts

- `figure_claims.claimant_inferred`: the claimant was taken from another article of the same
  story that states the same subject, metric and value with a claimant;
- `figure_claims.extractor_version`: the figure extractor (code and rules) that made the claim;
- `article_versions.analysed_with`: the analysis (extractor and cleaning rules) the version's
  claims come from, so `worker reanalyse` knows what is left to do after an interruption;
- `raw_pages`: each version's page as fetched, zlib-compressed, with its SHA-256 (`[store]
  keep_raw`), so a re-analysis can clean it again with the current rules.

Plain ADD COLUMN on both engines (no table rebuild, the views that read `figure_claims` stay).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "stories"
down_revision = "alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("figure_claims", sa.Column("claimant_inferred", sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    op.add_column("figure_claims", sa.Column("extractor_version", sa.String(length=64),
                                             nullable=True))
    op.add_column("article_versions", sa.Column("analysed_with", sa.String(length=64),
                                                nullable=True))
    op.create_table(
        "raw_pages",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("compression", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("is_text", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["article_versions.id"],
                                name=op.f("fk_raw_pages_version_id_article_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", name=op.f("pk_raw_pages")),
    )


def downgrade() -> None:
    # plain DROP COLUMN (SQLite >= 3.35): a batch rebuild would break the views on the tables
    op.drop_table("raw_pages")
    op.drop_column("article_versions", "analysed_with")
    op.drop_column("figure_claims", "extractor_version")
    op.drop_column("figure_claims", "claimant_inferred")
