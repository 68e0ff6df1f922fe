"""The timeline chart of one series group (Plotly): a step line and points per claimant,
low–high ranges as bars, open-ended figures as triangles, revisions circled and annotated,
the hover label (every text from the web escaped) and a height that follows the content."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from datetime import UTC, timedelta

import plotly.graph_objects as go
from plotly.colors import qualitative

from worker.report.model import UNATTRIBUTED, Point, SeriesGroup, amount, outlet_name

OPEN_UP = ("at_least", "more_than")
OPEN_DOWN = ("at_most", "less_than")
PALETTE = qualitative.D3 + qualitative.Dark24
REVISION_NAME = "edited after publication"
MIN_HEIGHT, MAX_HEIGHT = 280, 460


def claimant_colours(groups: Sequence[SeriesGroup]) -> dict[str, str]:
    """One colour per claimant, the same in every chart; unattributed claims are grey."""
    names = sorted({c for g in groups for c in g.claimants} - {UNATTRIBUTED})
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}
    colours[UNATTRIBUTED] = "#8c8c8c"
    return colours


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
             f"{e(p.claimant)} · {e(outlet_name(p.outlet, p.url))}",
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


def chart_height(group: SeriesGroup) -> int:
    """Pixels for the chart of `group`: a lone figure or two get a short chart, a busy one
    with many levels and legend entries a tall one (MIN_HEIGHT to MAX_HEIGHT)."""
    levels = len({p.value for p in group.points})
    legend_rows = 1 + (len(group.claimants) + any(p.revision for p in group.points)) // 5
    height = MIN_HEIGHT + 25 * min(levels - 1, 5) + 22 * (legend_rows - 1)
    return max(MIN_HEIGHT, min(MAX_HEIGHT, height))


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
        template="plotly_white", height=chart_height(group), showlegend=True,
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
