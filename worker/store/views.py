"""The SQL behind the analysts' questions, identical on SQLite and PostgreSQL.

Migrations create three views from it, for any SQL tool:

- `claim_statements`: the claims that were *stated* — asserted or reported (not possible or
  negated), once per version and series value, and, for a later version of an article, only the
  figures that version changed (an unchanged figure is not a new statement). A figure that
  cannot move its series is left out: one *recalled* from an earlier statement ("up from 100
  in December"), an *increment* ("3,000 additional troops"), a *part* of a breakdown or a
  sub-population ("including 11,000 sent last autumn", "2,000 wounded flown home") and one a
  reviewer marked wrong (`excluded`, see worker.store.reviews).
- `figure_changes`: statements whose value differs from the previous statement of their series
  (subject, metric, claimant) by claim date — the first statement of a series has no previous
  value — plus every figure changed in place by a revision (`kind = 'article_revision'`).
- `latest_figures`: the latest statement of every series.
Every row of the last two says how many independent stories (not copies) carry that value.

The CLI runs the same SELECTs with the series filters (subject, metric, claimant) pushed down
to the claims table: a series is computed from its own claims only, so the answer is the same
and a filtered query does not compute every series of a million claims.
"""

from __future__ import annotations

_STATED = "('asserted', 'reported')"


def _in_series(alias: str, lineage: bool) -> str:
    """Conditions keeping only the claims that can move a series (see the module docstring);
    empty for the schema of migration 0002, which had no such columns."""
    if not lineage:
        return ""
    return (f" AND NOT {alias}.recalled AND NOT {alias}.partial"
            f" AND COALESCE({alias}.scope, '') <> 'increment' AND NOT {alias}.excluded")

SERIES_COLUMNS = ("subject", "metric", "claimant")


def _series_where(alias: str, series: tuple[str, ...]) -> list[str]:
    """Conditions binding series columns to parameters of the same name (:subject, ...)."""
    assert set(series) <= set(SERIES_COLUMNS)
    return [f"{alias}.{col} = :{col}" for col in series]


_SAME_SERIES = """COALESCE({a}.subject, '') = COALESCE({b}.subject, '')
      AND COALESCE({a}.claimant, '') = COALESCE({b}.claimant, '')"""


def statements_select(series: tuple[str, ...] = (), *, lineage: bool = True) -> str:
    """SELECT of claim_statements, restricted to the series columns named in `series`.
    `lineage=False` gives the view of migration 0002 (before recalled/partial existed)."""
    extra = "".join(f" AND {cond}" for cond in _series_where("c", series))
    extra += _in_series("c", lineage)
    prev = _in_series("p", lineage)
    return f"""
SELECT c.id, c.version_id, c.article_id, c.metric, c.subject, c.claimant, c.claimant_raw,
       c.value, c.low, c.high, c.qualifier, c.modality, c.scope, c.sentence, c.start, c."end",
       c.claimed_at, v.number AS version_number, v.fetched_at,
       COALESCE(a.story_id, -a.id) AS story_key, a.url, a.outlet, a.title, a.published_at
FROM (
  SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.version_id, c.metric, c.value, c.subject,
                                              c.claimant ORDER BY c.id) AS dup
  FROM figure_claims c
  WHERE c.modality IN {_STATED} {extra}
) c
JOIN article_versions v ON v.id = c.version_id
JOIN articles a ON a.id = c.article_id
WHERE c.dup = 1
  AND (v.number = 1 OR NOT EXISTS (
        SELECT 1 FROM figure_claims p
        JOIN article_versions pv ON pv.id = p.version_id
        WHERE pv.article_id = c.article_id AND pv.number = v.number - 1
          AND p.modality IN {_STATED} AND p.metric = c.metric AND p.value = c.value{prev}
          AND {_SAME_SERIES.format(a='p', b='c')}))
"""


def _independent(series: tuple[str, ...], as_of: bool) -> str:
    """How many independent stories carry each (series, value): one GROUP BY, joined."""
    conds = _series_where("o", series) + (["o.claimed_at <= :as_of"] if as_of else [])
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    return f"""independent AS (
  SELECT o.subject, o.metric, o.claimant, o.value, COUNT(DISTINCT o.story_key) AS n
  FROM statements o {where}
  GROUP BY o.subject, o.metric, o.claimant, o.value
)"""


_JOIN_INDEPENDENT = """LEFT JOIN independent i
  ON i.metric = s.metric AND i.value = s.value
 AND COALESCE(i.subject, '') = COALESCE(s.subject, '')
 AND COALESCE(i.claimant, '') = COALESCE(s.claimant, '')"""


def changes_select(series: tuple[str, ...] = (), *, lineage: bool = True) -> str:
    return f"""
WITH statements AS ({statements_select(series, lineage=lineage)}),
s AS (
  SELECT cs.*,
         LAG(cs.value) OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                             ORDER BY cs.claimed_at, cs.id) AS lag_value,
         CASE WHEN cs.version_number > 1 THEN
           (SELECT MIN(p.value) FROM figure_claims p
            JOIN article_versions pv ON pv.id = p.version_id
            WHERE pv.article_id = cs.article_id AND pv.number = cs.version_number - 1
              AND p.metric = cs.metric AND p.modality IN {_STATED}{_in_series("p", lineage)}
              AND {_SAME_SERIES.format(a='p', b='cs')})
         END AS version_value
  FROM statements cs
),
{_independent(series, as_of=False)}
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


def latest_select(series: tuple[str, ...] = (), *, as_of_filter: bool = False,
                  lineage: bool = True) -> str:
    """The latest statement of every series; with `as_of_filter`, only statements claimed at
    or before the bound parameter `:as_of` count (what was known at that date)."""
    cut = "WHERE cs.claimed_at <= :as_of" if as_of_filter else ""
    return f"""
WITH statements AS ({statements_select(series, lineage=lineage)}),
s AS (
  SELECT cs.*, ROW_NUMBER() OVER (PARTITION BY cs.subject, cs.metric, cs.claimant
                                  ORDER BY cs.claimed_at DESC, cs.id DESC) AS rn
  FROM statements cs {cut}
),
{_independent(series, as_of=as_of_filter)}
SELECT s.id AS claim_id, s.subject, s.metric, s.claimant, s.value, s.low, s.high,
       s.qualifier, s.modality, s.claimed_at, s.url, s.outlet, s.sentence,
       COALESCE(i.n, 1) AS independent_stories
FROM s
{_JOIN_INDEPENDENT}
WHERE s.rn = 1
"""


def views_sql(*, lineage: bool = True) -> dict[str, str]:
    """CREATE VIEW statements by view name; `lineage=False` gives those of migration 0002."""
    return {
        "claim_statements": "CREATE VIEW claim_statements AS"
        + statements_select(lineage=lineage),
        "figure_changes": "CREATE VIEW figure_changes AS" + changes_select(lineage=lineage),
        "latest_figures": "CREATE VIEW latest_figures AS" + latest_select(lineage=lineage),
    }


VIEWS = views_sql()
