"""The SQL views analysts query (created by migration 0002, identical on SQLite and PostgreSQL).

- `claim_statements`: the claims that were *stated* — asserted or reported (not possible or
  negated), once per version and series value, and, for a later version of an article, only the
  figures that version changed (an unchanged figure is not a new statement).
- `figure_changes`: statements whose value differs from the previous statement of their series
  (subject, metric, claimant) by claim date, plus every figure changed in place by a revision
  (`kind = 'article_revision'`); the first statement of a series has no previous value.
- `latest_figures`: the latest statement of every series.
Every row of the last two says how many independent stories (not copies) carry that value.
"""

from __future__ import annotations

SAME_SERIES = """{a}.metric = {b}.metric AND {a}.value = {b}.value
      AND COALESCE({a}.subject, '') = COALESCE({b}.subject, '')
      AND COALESCE({a}.claimant, '') = COALESCE({b}.claimant, '')"""

CLAIM_STATEMENTS = f"""
CREATE VIEW claim_statements AS
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM figure_claims c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.modality IN ('asserted', 'reported')
  AND c.id = (SELECT MIN(c2.id) FROM figure_claims c2
              WHERE c2.version_id = c.version_id AND c2.modality IN ('asserted', 'reported')
                AND {SAME_SERIES.format(a='c2', b='c')})
  AND NOT EXISTS (SELECT 1 FROM figure_claims p
                  JOIN article_versions pv ON pv.id = p.version_id
                  WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
                    AND p.modality IN ('asserted', 'reported')
                    AND {SAME_SERIES.format(a='p', b='c')})
"""

# How many independent stories (not copies) carry each (series, value): one GROUP BY, joined,
# rather than a count per row, so the views stay fast on millions of claims.
_INDEPENDENT_CTE = """independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM claim_statements o {where}
  GROUP BY o.subject, o.metric, o.claimant, o.value
)"""

_JOIN_INDEPENDENT = """LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')"""

FIGURE_CHANGES = f"""
CREATE VIEW figure_changes AS
WITH s AS (
  SELECT cs.*,
         LAG(cs.value) OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                             ORDER BY cs.claimed_at, cs.id) AS lag_value,
         CASE WHEN cs.version_number > 1 THEN
           (SELECT MIN(p.value) FROM figure_claims p
            JOIN article_versions pv ON pv.id = p.version_id
            WHERE pv.article_id = cs.article_id AND pv.number = cs.version_number - 1
              AND p.metric = cs.metric AND p.modality IN ('asserted', 'reported')
              AND COALESCE(p.subject, '') = COALESCE(cs.subject, '')
              AND COALESCE(p.claimant, '') = COALESCE(cs.claimant, ''))
         END AS version_value
  FROM claim_statements cs
),
{_INDEPENDENT_CTE.format(where="")}
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value,
       CASE WHEN s.version_number > 1 AND s.version_value IS NOT NULL THEN s.version_value
            ELSE s.lag_value END AS previous_value,
       s.low, s.high, s.qualifier, s.modality, s.claimed_at,
       CASE WHEN s.version_number > 1 THEN 'article_revision' ELSE 'new_report' END AS kind,
       s.url, s.outlet, s.sentence, s.claimant_raw, s.article_id, s.version_id,
       s.version_number, COALESCE(i.n, 1) AS independent_stories
FROM s
{_JOIN_INDEPENDENT}
WHERE s.version_number > 1 OR s.lag_value IS NULL OR s.lag_value <> s.value
"""


def latest_select(as_of_filter: bool = False) -> str:
    """The latest statement of every series; with `as_of_filter`, only statements claimed at
    or before the bound parameter `:as_of` count (what was known at that date)."""
    cut = "WHERE cs.claimed_at <= :as_of" if as_of_filter else ""
    cut_o = "WHERE o.claimed_at <= :as_of" if as_of_filter else ""
    return f"""
WITH s AS (
  SELECT cs.*, ROW_NUMBER() OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                                  ORDER BY cs.claimed_at DESC, cs.id DESC) AS rn
  FROM claim_statements cs {cut}
),
{_INDEPENDENT_CTE.format(where=cut_o)}
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value, s.low, s.high,
       s.qualifier, s.modality, s.claimed_at, s.url, s.outlet, s.sentence,
       COALESCE(i.n, 1) AS independent_stories
FROM s
{_JOIN_INDEPENDENT}
WHERE s.rn = 1
"""


LATEST_FIGURES = "CREATE VIEW latest_figures AS" + latest_select()

VIEWS = {
    "claim_statements": CLAIM_STATEMENTS,
    "figure_changes": FIGURE_CHANGES,
    "latest_figures": LATEST_FIGURES,
}
