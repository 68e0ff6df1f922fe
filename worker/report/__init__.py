"""`worker report`: one self-contained HTML file an analyst can open offline — a timeline chart
per series group (who said what, when, where claimants disagree, which articles changed a
number after publication), then the latest figures (as `worker figures`), the changes, the
stories by date and the edited articles; each table carries its data as a CSV download.

Two steps, so the data can be tested without a browser: `build()` reads the database into a
`ReportData` (plain values, worker.report.build), `render()` turns that into HTML
(worker.report.page: charts from worker.report.charts, tables from worker.report.tables).
Every text from the web is escaped, both in the page and in the chart hover labels.
"""

from worker.report.build import build, edited_articles, group_points, load_points
from worker.report.charts import (
    REVISION_NAME,
    chart_height,
    claimant_colours,
    date_range,
    error_bars,
    figure,
    hover_text,
    symbol,
)
from worker.report.model import (
    UNATTRIBUTED,
    Point,
    ReportData,
    SeriesGroup,
    amount,
    disagree,
    outlet_name,
)
from worker.report.page import render, write

__all__ = [
    "REVISION_NAME", "UNATTRIBUTED", "Point", "ReportData", "SeriesGroup", "amount", "build",
    "chart_height", "claimant_colours", "date_range", "disagree", "edited_articles",
    "error_bars", "figure", "group_points", "hover_text", "load_points", "outlet_name",
    "render", "symbol", "write",
]
