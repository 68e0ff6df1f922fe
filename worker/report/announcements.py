"""The report's announcements section: a timeline chart (one row per claimant, one marker per
announcement, sized by the independent stories carrying it; hover for its figures, click to
open its first report) and, per claimant, its announcements newest first with their links.
Pure: the rows of `worker.store.announcements.announcements()` in, HTML out."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go

HINT = ('<p class="hint">An announcement groups one claimant\'s figures stated for one day '
        "(the day a report names, else the first report ± 1 day), as "
        "<code>worker announcements</code>; ~ dated by its first report. Marker size: "
        "independent stories carrying it. Click a marker to open the first report.</p>")


def _e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def _link(url: str, label: Any) -> str:
    if not url.startswith(("http://", "https://")):
        return _e(label)
    return f'<a href="{_e(url)}" rel="noopener noreferrer" target="_blank">{_e(label)}</a>'


def timeline(rows: Sequence[dict[str, Any]]) -> go.Figure:
    claimants = sorted({r["claimant"] for r in rows})
    fig = go.Figure()
    for claimant in claimants:
        mine = [r for r in rows if r["claimant"] == claimant]
        fig.add_trace(go.Scatter(
            name=claimant, x=[r["announced_on"] for r in mine], y=[claimant] * len(mine),
            mode="markers",
            marker={"size": [8 + 4 * min(r["independent_stories"], 6) for r in mine],
                    "symbol": ["circle-open" if r["recalled_only"] else "circle"
                               for r in mine]},
            hovertext=[_e(f"{r['announced_on']} {claimant}: {r['headline']} — "
                          f"{r['independent_stories']} independent stories, "
                          f"{', '.join(r['languages'])}") for r in mine],
            hoverinfo="text", customdata=[r["url"] for r in mine]))
    fig.update_layout(height=120 + 40 * len(claimants), showlegend=False,
                      margin={"l": 110, "r": 20, "t": 10, "b": 40},
                      xaxis={"type": "date"}, yaxis={"type": "category"})
    return fig


def section(rows: Sequence[dict[str, Any]], *, include_plotlyjs: bool) -> str:
    """The section's HTML (without its heading)."""
    if not rows:
        return "<p>No announcements.</p>"
    chart = timeline(rows).to_html(full_html=False, include_plotlyjs=include_plotlyjs,
                                   div_id="announcements-timeline",
                                   config={"displaylogo": False, "responsive": True})
    parts = [HINT, chart]
    for claimant in sorted({r["claimant"] for r in rows}):
        items = []
        for r in (r for r in rows if r["claimant"] == claimant):
            links = ", ".join(_link(link["url"], link["outlet"] or link["language"] or "link")
                              for link in r["links"])
            day = r["announced_on"] + ("" if r["dated_by"] == "refers_to" else "~")
            recalled = ' <span class="tag">recalled only</span>' if r["recalled_only"] else ""
            n = r["independent_stories"]
            items.append(f"<li><b>{_e(day)}</b>: {_e(r['headline'])}{recalled} — "
                         f"{n} {'story' if n == 1 else 'stories'} "
                         f"({_e(', '.join(r['languages']))}): {links}</li>")
        parts.append(f'<h3 id="announcements-{_e(claimant)}">{_e(claimant)}</h3>'
                     f'<ul class="announcements">{"".join(items)}</ul>')
    return "\n".join(parts)
