"""The report page: one self-contained HTML file (Plotly's JavaScript inlined once, the
tables' CSV embedded), every text from the web escaped; `write` puts it on disk atomically."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC
from pathlib import Path

from worker.errors import UsageError
from worker.report import announcements as report_announce
from worker.report.charts import PALETTE, claimant_colours, date_range, figure
from worker.report.model import (
    UNATTRIBUTED,
    ReportData,
    SeriesGroup,
    amount_of,
    disagree,
    outlet_name,
)
from worker.report.tables import (
    changes_table,
    day,
    e,
    edited,
    latest_table,
    link,
    stories_table,
)

EMPTY_HINT = ("Ingest some reporting first: <code>worker replay seeds/</code> replays the "
              "fixture feed, <code>worker run --once</code> polls the configured feeds; then run "
              "<code>worker report</code> again.")

CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
       margin: 0 auto; max-width: 1200px; padding: 0 24px 24px; }
h1 { font-size: 26px; margin: 24px 0 4px; } h2 { margin-top: 36px; border-bottom: 1px solid
#ddd; padding-bottom: 4px; } h3 { margin: 28px 0 0; }
.sub, .hint, footer { color: #555; } .hint { font-size: 13px; }
.empty { background: #fff8e1; border: 1px solid #f0d68a; padding: 16px 20px; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin-top: 8px; }
th, td { border-bottom: 1px solid #e5e5e5; padding: 4px 8px; text-align: left;
         vertical-align: top; }
th { background: #f6f6f6; } td.n { text-align: right; white-space: nowrap; }
td.d { white-space: nowrap; } a.csv { font-size: 13px; }
tr.revision td { background: #fff3f0; } .tag { font-size: 11px; padding: 1px 6px;
border-radius: 8px; background: #eee; white-space: nowrap; } .tag.warn { background: #ffe0d6; }
.latest { font-size: 13px; margin: 4px 0 0; } .swatch { display: inline-block; width: 10px;
height: 10px; border-radius: 5px; margin-right: 4px; }
pre.diff { background: #fafafa; border: 1px solid #eee; padding: 8px; white-space: pre-wrap;
           font-size: 12px; } .diff .add { color: #1a7f37; } .diff .del { color: #b3261e; }
.diff .ctx { color: #777; } footer { margin-top: 40px; border-top: 1px solid #ddd;
padding-top: 8px; font-size: 13px; } a { color: #1f5fa8; }
"""

CLICK_JS = """
document.querySelectorAll('.js-plotly-plot').forEach(function (plot) {
  plot.on('plotly_click', function (ev) {
    var url = ev.points && ev.points[0] && ev.points[0].customdata;
    if (typeof url === 'string' && /^https?:\\/\\//.test(url)) {
      window.open(url, '_blank', 'noopener');
    }
  });
});
"""

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d"]}


def _filters(data: ReportData) -> str:
    parts = []
    if data.subject:
        parts.append(f"subject {data.subject}")
    if data.since:
        parts.append(f"claims since {data.since.isoformat()}")
    return ", ".join(parts)


def _latest_line(data: ReportData, group: SeriesGroup, colours: dict[str, str]) -> str:
    """The group's latest figure per claimant: the rows of `worker figures` (one query)."""
    rows = data.latest_of(group)
    if not rows:
        return ""
    items = []
    for r in rows:
        who = r["claimant"] or UNATTRIBUTED
        colour = colours.get(who, PALETTE[0])
        source = link(r["url"], outlet_name(r["outlet"], r["url"]))
        items.append(f'<span class="swatch" style="background:{colour}"></span>'
                     f"<b>{e(who)}</b> "
                     f"{e(amount_of(r['value'], r['low'], r['high'], r['qualifier']))} "
                     f"({day(r['claimed_at'])}, {source})")
    tag = ' <span class="tag warn">claimants disagree</span>' if disagree(rows) else ""
    return f'<p class="latest">Latest: {" · ".join(items)}{tag}</p>'


def _charts(data: ReportData) -> str:
    if data.empty:
        filt = _filters(data)
        what = f"No figures match this report's filter ({e(filt)})." if filt else (
            "No figures yet.")
        return f'<div class="empty" id="empty"><p><b>{what}</b> {EMPTY_HINT}</p></div>'
    colours = claimant_colours(data.groups)
    x_range = date_range(data.groups)
    parts = ['<p class="hint">One chart per series. Points: a figure as stated, coloured by '
             "claimant; the step line is that claimant's running figure; vertical bars: the "
             "low–high range; ▲ at least / more than, ▼ at most / fewer than; a black ring: a "
             "figure an article changed after publication. Hover a point for the sentence; "
             "click it to open the article.</p>"]
    for i, group in enumerate(data.groups):
        chart = figure(group, colours, x_range).to_html(
            full_html=False, include_plotlyjs=(i == 0), div_id=f"chart-{group.key}",
            config=PLOTLY_CONFIG)
        parts.append(f'<section class="series" id="series-{e(group.key)}">'
                     f"<h3>{e(group.title)}</h3>{_latest_line(data, group, colours)}{chart}"
                     "</section>")
    return "\n".join(parts)


def _footer(data: ReportData) -> str:
    c = data.counts
    counts = ", ".join(f"{c.get(k, 0):,} {label}" for k, label in (
        ("articles", "relevant articles"), ("irrelevant", "irrelevant"),
        ("versions", "versions"), ("claims", "figure claims"), ("stories", "stories")))
    return (f"<footer>Database <code>{e(data.database)}</code> · report of "
            f"{data.generated_at.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')} · {counts}; "
            f"charted: {data.statements:,} statements in {len(data.groups)} series.</footer>")


def render(data: ReportData) -> str:
    """The whole page: self-contained (Plotly's JavaScript inlined once), every text escaped."""
    filt = _filters(data)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Reported figures: North Korean troops in Russia's war</title>
<style>{CSS}</style></head>
<body>
<h1>Reported figures: North Korean troops in Russia's war</h1>
<p class="sub">How each reported figure moved, who said what, where claimants disagree and which
articles changed their numbers after publication{' — ' + e(filt) if filt else ''}.</p>
<h2>Timelines</h2>
{_charts(data)}
<h2>Latest figures</h2>
<p class="hint">The latest figure of every series (subject, metric, claimant), as
<code>worker figures</code>.</p>
{latest_table(data.latest)}
<h2>Changes</h2>
<p class="hint">Every statement whose value differs from the claimant's previous one, as
<code>worker changes</code>; <i>stories</i>: independent stories (not copies) carrying the
value.</p>
{changes_table(data.changes)}
<h2>Announcements</h2>
{report_announce.section(data.announcements, include_plotlyjs=data.empty)}
<h2>Stories</h2>
<p class="hint">Syndicated or near-identical copies grouped into one story, the earliest
first.</p>
{stories_table(data.stories)}
<h2>Articles edited after publication</h2>
{edited(data.edited)}
{_footer(data)}
{'' if data.empty else f'<script>{CLICK_JS}</script>'}
</body></html>
"""


def write(data: ReportData, path: Path) -> Path:
    """Write the report atomically (a reader never sees half a file); return its absolute
    path."""
    path = path.expanduser().resolve()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(render(data), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise UsageError(f"cannot write the report to {path}: {exc.strerror or exc}") from None
    return path
