"""figure_change_rows: the changes of every series with their claims' fields, in a table of
their own, filled from the stored statements

Revision ID: change_rows
Revises: as_of_stories

`worker changes --subject KP --metric killed` lists every change of a series. Read from
figure_statements joined to figure_claims, at 10M claims its 7,830 changes were about 40,000
random pages of two 10M-row tables, more than PostgreSQL's shared buffers hold, and the query
took 187 ms. The changes alone (a statement with a kind: about 0.6 % of the statements) with
the few claim fields the listing shows fit a few hundred pages in series order. The write path
(worker.store.lineage) keeps the table with the statements from this revision on; here it is
filled once from what is stored. The SQL is frozen here, as written when this revision was
made.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "change_rows"
down_revision = "as_of_stories"
branch_labels = None
depends_on = None

FILL = """INSERT INTO figure_change_rows (claim_id, series_id, article_id, version_id,
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


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
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
        sa.ForeignKeyConstraint(["series_id"], ["figure_series.id"], ondelete="CASCADE",
                                name=op.f("fk_figure_change_rows_series_id_figure_series")),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_figure_change_rows")),
    )
    order = ["stated_for", "reported_on", "claim_id"]
    op.create_index("ix_figure_change_rows_series", "figure_change_rows", ["series_id", *order])
    op.create_index("ix_figure_change_rows_order", "figure_change_rows", order)
    op.create_index("ix_figure_change_rows_kind", "figure_change_rows", ["kind", *order])
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("figure_change_rows")
