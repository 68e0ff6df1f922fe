"""The report's tables — latest figures, changes, stories — each with its data as a CSV file
embedded in the page (a `data:` link: nothing is fetched), and the edited articles with
their diffs. Every text from the web is escaped; dates and numbers never wrap."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from worker.report.model import UNATTRIBUTED, amount_of, outlet_name

STORY_COLUMNS = ("story_id", "first_published", "copies", "outlets", "title", "earliest_url")


def e(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def link(url: str | None, label: Any) -> str:
    if not url or not url.startswith(("http://", "https://")):
        return e(label or url)
    return f'<a href="{e(url)}" target="_blank" rel="noopener noreferrer">{e(label or url)}</a>'


def day(value: Any) -> str:
    return "" if value is None else str(value)[:10]


def num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["; ".join(v) if isinstance(v, list) else
                         "" if v is None else v for v in (r.get(c) for c in columns)])
    return buf.getvalue()


def csv_link(name: str, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """A download link carrying the table's rows as CSV (UTF-8 with a BOM, which spreadsheet
    programs need to read it as UTF-8), named `name`.csv."""
    href = "data:text/csv;charset=utf-8," + quote("\ufeff" + _csv_text(rows, columns))
    return (f'<a class="csv" id="csv-{e(name)}" download="{e(name)}.csv" href="{href}">'
            f"download CSV ({len(rows):,} rows)</a>")


def columns_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in the order of the first row (the query's columns)."""
    return list(rows[0]) if rows else []


def latest_table(rows: Sequence[dict[str, Any]]) -> str:
    """The latest figure of every series: the rows of `worker figures`."""
    if not rows:
        return "<p>No figures.</p>"
    body = "".join(
        f"<tr><td>{e(r['subject'])}</td><td>{e(r['metric'])}</td>"
        f"<td>{e(r['claimant'] or UNATTRIBUTED)}</td>"
        f'<td class="n">{e(amount_of(r["value"], r["low"], r["high"], r["qualifier"]))}</td>'
        f'<td class="n value">{num(r["value"])}</td>'
        f'<td class="d">{day(r["claimed_at"])}</td>'
        f'<td class="n">{e(r["independent_stories"])}</td>'
        f"<td>{link(r['url'], outlet_name(r['outlet'], r['url']))}</td></tr>" for r in rows)
    return (f"{csv_link('latest', rows, columns_of(rows))}"
            '<table id="latest"><tr><th>subject</th><th>metric</th><th>claimant</th>'
            "<th>as stated</th><th>value</th><th>claimed</th><th>stories</th><th>outlet</th>"
            f"</tr>{body}</table>")


def changes_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No changes.</p>"
    body = []
    for r in rows:
        cls = ' class="revision"' if r["kind"] == "article_revision" else ""
        kind = "article edited" if r["kind"] == "article_revision" else "new report"
        body.append(
            f'<tr{cls}><td class="d">{day(r["claimed_at"])}</td><td>{e(r["subject"])}</td>'
            f"<td>{e(r['metric'])}</td><td>{e(r['claimant'] or UNATTRIBUTED)}</td>"
            f'<td class="n">{num(r["previous_value"])}</td><td class="n">{num(r["value"])}'
            f'</td><td>{e(r["qualifier"])}</td><td class="d">{kind}</td>'
            f'<td class="n">{e(r["independent_stories"])}</td>'
            f"<td>{link(r['url'], outlet_name(r['outlet'], r['url']))}</td>"
            f"<td>{e(r['sentence'])}</td></tr>")
    return (f"{csv_link('changes', rows, columns_of(rows))}"
            '<table id="changes"><tr><th>claimed</th><th>subject</th><th>metric</th>'
            "<th>claimant</th><th>previous</th><th>value</th><th>qualifier</th><th>kind</th>"
            "<th>stories</th><th>outlet</th><th>sentence</th></tr>" + "".join(body)
            + "</table>")


def stories_table(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No stories.</p>"
    syndicated = ' <span class="tag">syndicated</span>'
    outlets = [", ".join(s["outlets"]) or outlet_name(None, s["earliest_url"]) for s in rows]
    body = "".join(
        f'<tr><td class="d">{day(s["first_published"])}</td><td class="n">{s["copies"]}'
        f"{syndicated if s['copies'] > 1 else ''}</td>"
        f"<td>{e(names)}</td><td>{link(s['earliest_url'], s['title'])}"
        "</td></tr>" for s, names in zip(rows, outlets, strict=True))
    return (f"{csv_link('stories', rows, STORY_COLUMNS)}"
            '<table id="stories"><tr><th>first published</th><th>copies</th>'
            f"<th>outlets</th><th>title (earliest copy)</th></tr>{body}</table>")


def _diff(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        cls = ("ctx" if line.startswith(("+++", "---", "@@")) else "add" if line.startswith("+")
               else "del" if line.startswith("-") else "ctx")
        lines.append(f'<span class="{cls}">{e(line)}</span>')
    return '<pre class="diff">' + "\n".join(lines) + "</pre>"


def _figure_changes(changes: dict[str, Any] | None) -> str:
    figs = (changes or {}).get("figures") or {}
    items = []
    for c in figs.get("changed", []):
        items.append(f"{e(c['metric'])} ({e(c['subject'])}, {e(c['claimant'])}): "
                     f"{e(', '.join(map(num, c['from'])))} → "
                     f"<b>{e(', '.join(map(num, c['to'])))}</b>")
    for verb in ("added", "removed"):
        for c in figs.get(verb, []):
            items.append(f"{verb}: {e(c['metric'])} ({e(c['subject'])}, "
                         f"{e(c['claimant'])}) {e(', '.join(map(num, c['values'])))}")
    if not items:
        return "<p>No figure changed (text only).</p>"
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


def edited(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No article was edited after publication.</p>"
    parts = []
    for h in rows:
        parts.append(f'<article class="edited"><h3>{link(h["url"], h["title"])}</h3>'
                     f'<p class="sub">{e(outlet_name(h["outlet"], h["url"]))}, published '
                     f"{day(h['published_at'])}, {len(h['versions'])} versions</p>")
        for v in h["versions"][1:]:
            parts.append(f"<h4>version {v['number']}, fetched {e(v['fetched_at'][:16])}</h4>"
                         + _figure_changes(v["changes"]) + (_diff(v["diff"]) if v["diff"]
                                                            else ""))
        parts.append("</article>")
    return "".join(parts)
