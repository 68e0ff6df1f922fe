"""claim reviews: `claim_reviews` (a person's corrections of claims), `figure_claims.excluded`
(a claim a reviewer marked wrong); the views leave out excluded claims

Revision ID: reviews
Revises: 0004

`worker claims mark` writes the corrected values into the claim and keeps the claim's values
before it, who, when and why in a `claim_reviews` row (see worker/store/reviews.py), so a
re-analysis can apply the correction again. The three views are recreated with `NOT excluded`
among the conditions that keep a claim out of a series; their SQL is frozen here as written
when this revision was made (see 0002).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reviews"
down_revision = "0004"
branch_labels = None
depends_on = None

VIEWS = {
    "claim_statements": """CREATE VIEW claim_statements AS
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment' AND NOT c.excluded
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment' AND NOT p.excluded
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
""",
    "figure_changes": """CREATE VIEW figure_changes AS
WITH statements AS (
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment' AND NOT c.excluded
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment' AND NOT p.excluded
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
),
s AS (
  SELECT cs.*,
         LAG(cs.value) OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                             ORDER BY cs.claimed_at, cs.id) AS lag_value,
         CASE WHEN cs.version_number > 1 THEN
           (SELECT MIN(p.value) FROM figure_claims p
            JOIN article_versions pv ON pv.id = p.version_id
            WHERE pv.article_id = cs.article_id AND pv.number = cs.version_number - 1
              AND p.metric = cs.metric AND p.modality IN ('asserted', 'reported') AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment' AND NOT p.excluded
              AND COALESCE(p.subject, '') = COALESCE(cs.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(cs.claimant, ''))
         END AS version_value
  FROM statements cs
),
independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM statements o 
  GROUP BY o.subject, o.metric, o.claimant, o.value
)
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value,
       CASE WHEN s.version_number > 1 AND s.version_value IS NOT NULL THEN s.version_value
            ELSE s.lag_value END AS previous_value,
       s.low, s.high, s.qualifier, s.modality, s.claimed_at,
       CASE WHEN s.version_number > 1 THEN 'article_revision' ELSE 'new_report' END AS kind,
       s.url, s.outlet, s.sentence, s.claimant_raw, s.article_id, s.version_id,
       s.version_number, COALESCE(i.n, 1) AS independent_stories
FROM s
LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')
WHERE s.version_number > 1 OR s.lag_value IS NULL OR s.lag_value <> s.value
""",
    "latest_figures": """CREATE VIEW latest_figures AS
WITH statements AS (
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment' AND NOT c.excluded
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment' AND NOT p.excluded
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
),
s AS (
  SELECT cs.*, ROW_NUMBER() OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                                  ORDER BY cs.claimed_at DESC, cs.id DESC) AS rn
  FROM statements cs 
),
independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM statements o 
  GROUP BY o.subject, o.metric, o.claimant, o.value
)
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value, s.low, s.high,
       s.qualifier, s.modality, s.claimed_at, s.url, s.outlet, s.sentence,
       COALESCE(i.n, 1) AS independent_stories
FROM s
LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')
WHERE s.rn = 1
""",
}

# the views of the revision before, restored by the downgrade
PREVIOUS_VIEWS = {
    "claim_statements": """CREATE VIEW claim_statements AS
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment'
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment'
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
""",
    "figure_changes": """CREATE VIEW figure_changes AS
WITH statements AS (
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment'
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment'
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
),
s AS (
  SELECT cs.*,
         LAG(cs.value) OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                             ORDER BY cs.claimed_at, cs.id) AS lag_value,
         CASE WHEN cs.version_number > 1 THEN
           (SELECT MIN(p.value) FROM figure_claims p
            JOIN article_versions pv ON pv.id = p.version_id
            WHERE pv.article_id = cs.article_id AND pv.number = cs.version_number - 1
              AND p.metric = cs.metric AND p.modality IN ('asserted', 'reported') AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment'
              AND COALESCE(p.subject, '') = COALESCE(cs.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(cs.claimant, ''))
         END AS version_value
  FROM statements cs
),
independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM statements o 
  GROUP BY o.subject, o.metric, o.claimant, o.value
)
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value,
       CASE WHEN s.version_number > 1 AND s.version_value IS NOT NULL THEN s.version_value
            ELSE s.lag_value END AS previous_value,
       s.low, s.high, s.qualifier, s.modality, s.claimed_at,
       CASE WHEN s.version_number > 1 THEN 'article_revision' ELSE 'new_report' END AS kind,
       s.url, s.outlet, s.sentence, s.claimant_raw, s.article_id, s.version_id,
       s.version_number, COALESCE(i.n, 1) AS independent_stories
FROM s
LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')
WHERE s.version_number > 1 OR s.lag_value IS NULL OR s.lag_value <> s.value
""",
    "latest_figures": """CREATE VIEW latest_figures AS
WITH statements AS (
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN ('asserted', 'reported')  AND NOT c.recalled AND NOT c.partial AND COALESCE(c.scope, '') <> 'increment'
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN ('asserted', 'reported') AND p.metric = c.metric AND p.value = c.value AND NOT p.recalled AND NOT p.partial AND COALESCE(p.scope, '') <> 'increment'
          AND COALESCE(p.subject, '') = COALESCE(c.subject, '')
      AND COALESCE(p.claimant, '') = COALESCE(c.claimant, '')))
),
s AS (
  SELECT cs.*, ROW_NUMBER() OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                                  ORDER BY cs.claimed_at DESC, cs.id DESC) AS rn
  FROM statements cs 
),
independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM statements o 
  GROUP BY o.subject, o.metric, o.claimant, o.value
)
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value, s.low, s.high,
       s.qualifier, s.modality, s.claimed_at, s.url, s.outlet, s.sentence,
       COALESCE(i.n, 1) AS independent_stories
FROM s
LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')
WHERE s.rn = 1
""",
}


def _drop_views() -> None:
    for name in reversed(list(VIEWS)):
        op.execute(f"DROP VIEW IF EXISTS {name}")


def upgrade() -> None:
    _drop_views()  # they select from figure_claims, which SQLite's batch mode rebuilds
    with op.batch_alter_table("figure_claims", schema=None) as batch_op:
        batch_op.add_column(sa.Column("excluded", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "claim_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("sentence", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("new_value", sa.String(length=64), nullable=True),
        sa.Column("total_start", sa.Integer(), nullable=True),
        sa.Column("original", sa.JSON(), nullable=False),
        sa.Column("reviewer", sa.String(length=128), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["figure_claims.id"],
                                name=op.f("fk_claim_reviews_claim_id_figure_claims"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["article_versions.id"],
                                name=op.f("fk_claim_reviews_version_id_article_versions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_reviews")),
    )
    op.create_index(op.f("ix_claim_reviews_claim_id"), "claim_reviews", ["claim_id"])
    op.create_index(op.f("ix_claim_reviews_version_id"), "claim_reviews", ["version_id"])
    for sql in VIEWS.values():
        op.execute(sql)


def downgrade() -> None:
    _drop_views()
    op.drop_index(op.f("ix_claim_reviews_version_id"), table_name="claim_reviews")
    op.drop_index(op.f("ix_claim_reviews_claim_id"), table_name="claim_reviews")
    op.drop_table("claim_reviews")
    with op.batch_alter_table("figure_claims", schema=None) as batch_op:
        batch_op.drop_column("excluded")
    for sql in PREVIOUS_VIEWS.values():
        op.execute(sql)
