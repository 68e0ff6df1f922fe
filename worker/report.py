"""`worker report`: one self-contained HTML file an analyst can open offline — a timeline chart
per series group (who said what, when, where claimants disagree, which articles changed a
number after publication), then the table of changes, the stories and the edited articles.

Two steps, so the data can be tested without a browser: `build()` reads the database into a
`ReportData` (plain values), `render()` turns that into HTML (Plotly, its JavaScript inlined
once). Every text from the web is escaped, both in the page and in the chart hover labels.
"""

from __future__ import annotations

import contextlib
import html
import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.colors import qualitative
from sqlalchemy.orm import Session

from worker import report_announce
from worker.errors import UsageError
from worker.figures.model import METRICS
from worker.store import announcements, queries

SUBJECT_NAMES = {"KP": "North Korean", "UA": "Ukrainian", "RU": "Russian",
                 "KR": "South Korean", "US": "American"}
UNATTRIBUTED = "unattributed"
QUALIFIER_WORDS = {"approx": "about", "at_least": "at least", "more_than": "more than",
                   "at_most": "at most", "less_than": "fewer than", "vague": "some"}
OPEN_UP = ("at_least", "more_than")
OPEN_DOWN = ("at_most", "less_than")
PALETTE = qualitative.D3 + qualitative.Dark24
REVISION_NAME = "edited after publication"
EMPTY_HINT = ("Ingest some reporting first: <code>worker replay seeds/</code> replays the "
              "fixture feed, <code>worker run --once</code> polls the configured feeds; then run "
              "<code>worker report</code> again.")


# -- the data ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One stated figure (a row of the `claim_statements` view) as drawn on a chart."""

    claim_id: int
    subject: str | None
    metric: str
    claimant: str
    value: int
    low: int | None
    high: int | None
    qualifier: str
    claimed_at: datetime
    url: str
    outlet: str | None
    title: str | None
    sentence: str
    version: int
    previous_value: int | None = None
    """For a figure changed by an article revision: what the earlier version said."""
    copies: tuple[str, ...] = ()
    """Other outlets that ran the same story with the same figure (one point for all)."""

    @property
    def revision(self) -> bool:
        return self.version > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class SeriesGroup:
    """All statements about one (subject, metric), every claimant together: one chart."""

    subject: str | None
    metric: str
    points: tuple[Point, ...]

    @property
    def key(self) -> str:
        return f"{self.subject or 'any'}-{self.metric}"

    @property
    def title(self) -> str:
        who = SUBJECT_NAMES.get(self.subject or "", self.subject or "Unspecified side")
        return f"{who} {self.metric}"

    @property
    def claimants(self) -> tuple[str, ...]:
        return tuple(sorted({p.claimant for p in self.points}))

    def latest(self) -> dict[str, tuple[Point, ...]]:
        """Each claimant's statements at its latest claim time: several when one report gives
        several figures (18,000 in all, 11,000 then 3,000), so none is silently picked."""
        last: dict[str, list[Point]] = {}
        for p in self.points:  # in claim order
            same = last.get(p.claimant)
            if same and same[0].claimed_at == p.claimed_at:
                same.append(p)
            else:
                last[p.claimant] = [p]
        return {c: tuple(last[c]) for c in self.claimants}

    @property
    def disagree(self) -> bool:
        """Claimants whose latest figures differ."""
        return len({frozenset(p.value for p in ps) for ps in self.latest().values()}) > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportData:
    generated_at: datetime
    database: str
    subject: str | None = None
    since: date | None = None
    groups: tuple[SeriesGroup, ...] = ()
    changes: tuple[dict[str, Any], ...] = ()
    stories: tuple[dict[str, Any], ...] = ()
    edited: tuple[dict[str, Any], ...] = ()
    """`queries.article_history()` of every article with more than one version."""
    counts: dict[str, int] = field(default_factory=dict)
    announcements: tuple[dict[str, Any], ...] = ()
    """`store.announcements.announcements()`: worker.report_announce draws them."""

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def statements(self) -> int:
        return sum(len(g.points) for g in self.groups)


def _as_datetime(value: datetime | str) -> datetime:
    # SQLite returns view columns as text; PostgreSQL as aware datetimes.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _since_param(since: date) -> datetime:
    return datetime.combine(since, time.min, tzinfo=UTC)


def load_points(session: Session, *, subject: str | None = None,
                since: date | None = None) -> list[Point]:
    """Every stated claim (asserted or reported, see `claim_statements`), in claim order, with
    the earlier value of each figure an article revision changed. Copies of one story stating
    the same figure are one point (the earliest), naming the other outlets."""
    previous = {r["claim_id"]: r["previous_value"]
                for r in queries.changes(session, subject=subject, kind="article_revision")}
    points: dict[tuple[Any, ...], Point] = {}
    for r in queries.statements(session, subject=subject,
                                since=_since_param(since) if since else None):
        key = (r.story_key, r.subject, r.metric, r.claimant, r.value, r.version_number > 1)
        first = points.get(key)
        if first is not None:
            if r.outlet and r.outlet != first.outlet and r.outlet not in first.copies:
                points[key] = replace(first, copies=(*first.copies, r.outlet))
            continue
        points[key] = Point(
            claim_id=r.id, subject=r.subject, metric=r.metric,
            claimant=r.claimant or UNATTRIBUTED, value=r.value, low=r.low, high=r.high,
            qualifier=r.qualifier, claimed_at=_as_datetime(r.claimed_at), url=r.url,
            outlet=r.outlet, title=r.title, sentence=r.sentence, version=r.version_number,
            previous_value=previous.get(r.id))
    return list(points.values())


def _group_order(g: SeriesGroup) -> tuple[Any, ...]:
    metric = METRICS.index(g.metric) if g.metric in METRICS else len(METRICS)
    return (g.subject is None, g.subject != "KP", g.subject or "", metric, g.metric)


def group_points(points: Iterable[Point]) -> tuple[SeriesGroup, ...]:
    """Points grouped by (subject, metric): the subject KP first, metrics in METRICS order."""
    grouped: dict[tuple[str | None, str], list[Point]] = {}
    for p in points:
        grouped.setdefault((p.subject, p.metric), []).append(p)
    groups = [SeriesGroup(subject=s, metric=m, points=tuple(ps))
              for (s, m), ps in grouped.items()]
    return tuple(sorted(groups, key=_group_order))


def edited_articles(session: Session, *, since: date | None = None) -> list[dict[str, Any]]:
    """The history (versions, diffs, figure changes) of every article edited after it was
    first stored, the most recently edited last."""
    out = []
    for url in queries.edited_article_urls(session,
                                           since=_since_param(since) if since else None):
        history = queries.article_history(session, url)
        if history is not None:
            out.append(history)
    return out


def build(session: Session, *, database: str, subject: str | None = None,
          since: date | None = None, now: datetime | None = None) -> ReportData:
    """Everything the report shows, read in one session."""
    stories = [s for s in queries.stories(session)
               if since is None or (s["first_published"] or "")[:10] >= since.isoformat()]
    return ReportData(
        generated_at=now or datetime.now(UTC), database=database, subject=subject, since=since,
        groups=group_points(load_points(session, subject=subject, since=since)),
        changes=tuple(queries.changes(session, subject=subject, since=since)),
        stories=tuple(stories),
        edited=tuple(edited_articles(session, since=since)),
        counts=queries.counts(session),
        announcements=tuple(announcements.current(session, since=since)),
    )


# -- the charts ----------------------------------------------------------------------------

def claimant_colours(groups: Sequence[SeriesGroup]) -> dict[str, str]:
    """One colour per claimant, the same in every chart; unattributed claims are grey."""
    names = sorted({c for g in groups for c in g.claimants} - {UNATTRIBUTED})
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    colours[UNATTRIBUTED] = "#8c8c8c"
    return colours


def amount(p: Point) -> str:
    """The figure as worded: "about 300", "at least 3,000", "1,000–2,000"."""
    if p.qualifier == "range" and p.low is not None and p.high is not None:
        return f"{p.low:,}–{p.high:,}"
    word = QUALIFIER_WORDS.get(p.qualifier)
    return f"{word} {p.value:,}" if word else f"{p.value:,}"


def error_bars(p: Point) -> tuple[int | None, int | None]:
    """(above, below) the value for the low–high bar; None where the range has no such side."""
    above = p.high - p.value if p.high is not None and p.high > p.value else None
    below = p.value - p.low if p.low is not None and p.low < p.value else None
    return above, below


def symbol(p: Point) -> str:
    """An open-ended figure points the way it is open: up for "at least", down for "at most"."""
    if p.qualifier in OPEN_UP and p.high is None:
        return "triangle-up"
    if p.qualifier in OPEN_DOWN and p.low is None:
        return "triangle-down"
    return "circle"


def hover_text(p: Point, *, width: int = 70) -> str:
    """The hover label: Plotly's small HTML subset, with every text from the web escaped."""
    e = html.escape
    sentence = "<br>".join(e(line) for line in textwrap.wrap(p.sentence, width)[:8])
    lines = [f"<b>{e(amount(p))}</b> {e(p.metric)}",
             f"{e(p.claimant)} · {e(p.outlet or 'unknown outlet')}",
             p.claimed_at.strftime("%d %b %Y %H:%M UTC"),
             f"<i>{sentence}</i>"]
    if p.copies:
        lines.append(f"same story also in: {e(', '.join(p.copies))}")
    if p.revision:
        was = f"{p.previous_value:,}" if p.previous_value is not None else "not stated"
        lines.append(f"<b>edited</b> in version {p.version}: was {was}")
    lines.append("click to open the article")
    return "<br>".join(lines)


def _x(p: Point) -> str:
    # Plotly.js reads naive ISO timestamps; all are UTC.
    return p.claimed_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def date_range(groups: Sequence[SeriesGroup]) -> tuple[str, str]:
    """One time axis for every chart, padded, so the charts line up when scrolling."""
    times = [p.claimed_at for g in groups for p in g.points]
    pad = max((max(times) - min(times)) * 0.05, timedelta(days=7))
    return ((min(times) - pad).strftime("%Y-%m-%d"), (max(times) + pad).strftime("%Y-%m-%d"))


def figure(group: SeriesGroup, colours: dict[str, str],
           x_range: tuple[str, str] | None = None) -> go.Figure:
    """The timeline of one series group: a step line and points per claimant, low–high
    ranges as bars, revisions circled and annotated."""
    fig = go.Figure()
    for claimant in group.claimants:
        pts = [p for p in group.points if p.claimant == claimant]
        bars = [error_bars(p) for p in pts]
        line = {"shape": "hv", "color": colours[claimant], "width": 2}
        # The legend draws a trace's first marker; a point-less twin keeps it a plain dot.
        fig.add_trace(go.Scatter(
            name=claimant, legendgroup=claimant, x=[None], y=[None], mode="lines+markers",
            line=line, marker={"size": 10, "color": colours[claimant]}, hoverinfo="skip"))
        fig.add_trace(go.Scatter(
            name=claimant, legendgroup=claimant, showlegend=False, x=[_x(p) for p in pts],
            y=[p.value for p in pts], mode="lines+markers", line=line,
            marker={"size": 10, "symbol": [symbol(p) for p in pts], "color": colours[claimant],
                    "line": {"width": 1, "color": "white"}},
            error_y={"type": "data", "symmetric": False, "array": [b[0] for b in bars],
                     "arrayminus": [b[1] for b in bars], "thickness": 2, "width": 5,
                     "color": colours[claimant]},
            hovertext=[hover_text(p) for p in pts], hoverinfo="text",
            customdata=[p.url for p in pts]))
    revised = [p for p in group.points if p.revision]
    if revised:
        fig.add_trace(go.Scatter(
            name=REVISION_NAME, x=[_x(p) for p in revised], y=[p.value for p in revised],
            mode="markers", marker={"size": 20, "symbol": "circle-open", "color": "#222",
                                    "line": {"width": 2}},
            hovertext=[hover_text(p) for p in revised], hoverinfo="text",
            customdata=[p.url for p in revised]))
        for p in revised:
            was = f"{p.previous_value:,}" if p.previous_value is not None else "?"
            fig.add_annotation(x=_x(p), y=p.value, text=f"edited: {was} → {p.value:,}",
                               showarrow=True, arrowhead=2, ax=-60, ay=-35,
                               font={"size": 11}, bgcolor="rgba(255,255,255,0.85)")
    top = max(max(p.value, p.high or 0) for p in group.points)
    fig.update_layout(
        template="plotly_white", height=420, showlegend=True,
        margin={"l": 70, "r": 30, "t": 40, "b": 50},
        hovermode="closest", hoverlabel={"align": "left", "bgcolor": "white",
                                         "font": {"size": 12}},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left",
                "x": 0, "title": {"text": "claimant"}},
        xaxis={"type": "date", "title": {"text": "claim date"}, "range": x_range},
        yaxis={"title": {"text": f"reported {group.metric}"}, "rangemode": "tozero",
               "tickformat": ",d", "dtick": 1 if top <= 8 else None},
    )
    return fig


# -- the page ------------------------------------------------------------------------------

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


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def _link(url: str | None, label: Any) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return _e(label or url)
    return f'<a href="{_e(url)}" target="_blank" rel="noopener noreferrer">{_e(label or url)}</a>'


def _day(value: Any) -> str:
    return "" if value is None else str(value)[:10]


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _filters(data: ReportData) -> str:
    parts = []
    if data.subject:
        parts.append(f"subject {data.subject}")
    if data.since:
        parts.append(f"claims since {data.since.isoformat()}")
    return ", ".join(parts)


def _latest_line(group: SeriesGroup, colours: dict[str, str]) -> str:
    items = [f'<span class="swatch" style="background:{colours[c]}"></span>'
             f"<b>{_e(c)}</b> {' / '.join(_e(amount(p)) for p in ps)} "
             f"({_day(ps[0].claimed_at.isoformat())}, "
             f"{_link(ps[0].url, ps[0].outlet or 'article')})"
             for c, ps in group.latest().items()]
    tag = (' <span class="tag warn">claimants disagree</span>' if group.disagree else "")
    return f'<p class="latest">Latest: {" · ".join(items)}{tag}</p>'


def _charts(data: ReportData) -> str:
    if data.empty:
        filt = _filters(data)
        what = f"No figures match this report's filter ({_e(filt)})." if filt else (
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
        parts.append(f'<section class="series" id="series-{_e(group.key)}">'
                     f"<h3>{_e(group.title)}</h3>{_latest_line(group, colours)}{chart}</section>")
    return "\n".join(parts)


def _changes_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No changes.</p>"
    body = []
    for r in rows:
        cls = ' class="revision"' if r["kind"] == "article_revision" else ""
        kind = "article edited" if r["kind"] == "article_revision" else "new report"
        body.append(
            f"<tr{cls}><td>{_day(r['claimed_at'])}</td><td>{_e(r['subject'])}</td>"
            f"<td>{_e(r['metric'])}</td><td>{_e(r['claimant'] or UNATTRIBUTED)}</td>"
            f'<td class="n">{_num(r["previous_value"])}</td><td class="n">{_num(r["value"])}'
            f"</td><td>{_e(r['qualifier'])}</td><td>{kind}</td>"
            f'<td class="n">{_e(r["independent_stories"])}</td>'
            f"<td>{_link(r['url'], r['outlet'] or 'article')}</td><td>{_e(r['sentence'])}</td>"
            "</tr>")
    return ("<table id=\"changes\"><tr><th>claimed</th><th>subject</th><th>metric</th>"
            "<th>claimant</th><th>previous</th><th>value</th><th>qualifier</th><th>kind</th>"
            "<th>stories</th><th>outlet</th><th>sentence</th></tr>" + "".join(body)
            + "</table>")


def _stories_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No stories.</p>"
    syndicated = ' <span class="tag">syndicated</span>'
    body = "".join(
        f"<tr><td>{_day(s['first_published'])}</td><td class=\"n\">{s['copies']}"
        f"{syndicated if s['copies'] > 1 else ''}</td>"
        f"<td>{_e(', '.join(s['outlets']))}</td><td>{_link(s['earliest_url'], s['title'])}"
        "</td></tr>" for s in rows)
    return ("<table id=\"stories\"><tr><th>first published</th><th>copies</th>"
            f"<th>outlets</th><th>title (earliest copy)</th></tr>{body}</table>")


def _diff(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        cls = ("ctx" if line.startswith(("+++", "---", "@@")) else "add" if line.startswith("+")
               else "del" if line.startswith("-") else "ctx")
        lines.append(f'<span class="{cls}">{_e(line)}</span>')
    return '<pre class="diff">' + "\n".join(lines) + "</pre>"


def _figure_changes(changes: dict[str, Any] | None) -> str:
    figs = (changes or {}).get("figures") or {}
    items = []
    for c in figs.get("changed", []):
        items.append(f"{_e(c['metric'])} ({_e(c['subject'])}, {_e(c['claimant'])}): "
                     f"{_e(', '.join(map(_num, c['from'])))} → "
                     f"<b>{_e(', '.join(map(_num, c['to'])))}</b>")
    for verb in ("added", "removed"):
        for c in figs.get(verb, []):
            items.append(f"{verb}: {_e(c['metric'])} ({_e(c['subject'])}, "
                         f"{_e(c['claimant'])}) {_e(', '.join(map(_num, c['values'])))}")
    if not items:
        return "<p>No figure changed (text only).</p>"
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def _edited(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No article was edited after publication.</p>"
    parts = []
    for h in rows:
        parts.append(f'<article class="edited"><h3>{_link(h["url"], h["title"])}</h3>'
                     f'<p class="sub">{_e(h["outlet"] or "unknown outlet")}, published '
                     f"{_day(h['published_at'])}, {len(h['versions'])} versions</p>")
        for v in h["versions"][1:]:
            parts.append(f"<h4>version {v['number']}, fetched {_e(v['fetched_at'][:16])}</h4>"
                         + _figure_changes(v["changes"]) + (_diff(v["diff"]) if v["diff"]
                                                            else ""))
        parts.append("</article>")
    return "".join(parts)


def _footer(data: ReportData) -> str:
    c = data.counts
    counts = ", ".join(f"{c.get(k, 0):,} {label}" for k, label in (
        ("articles", "relevant articles"), ("irrelevant", "irrelevant"),
        ("versions", "versions"), ("claims", "figure claims"), ("stories", "stories")))
    return (f"<footer>Database <code>{_e(data.database)}</code> · report of "
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
articles changed their numbers after publication{' — ' + _e(filt) if filt else ''}.</p>
<h2>Timelines</h2>
{_charts(data)}
<h2>Changes</h2>
<p class="hint">Every statement whose value differs from the claimant's previous one, as
<code>worker changes</code>; <i>stories</i>: independent stories (not copies) carrying the
value.</p>
{_changes_table(data.changes)}
<h2>Announcements</h2>
{report_announce.section(data.announcements, include_plotlyjs=data.empty)}
<h2>Stories</h2>
<p class="hint">Syndicated or near-identical copies grouped into one story.</p>
{_stories_table(data.stories)}
<h2>Articles edited after publication</h2>
{_edited(data.edited)}
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
