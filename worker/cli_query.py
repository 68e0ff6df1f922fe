"""The query and analysis commands: `figures`, `changes`, `articles`, `stories`, `extract` and
`export` (registered by worker.cli). Each reads through `worker.store.queries` (or analyses
without storing) and formats: a table for people, `--json` (or `--csv`) for scripts."""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from worker.cli import _date, err, open_store, out, print_json, table
from worker.config import Settings
from worker.errors import InputError, WorkerError


def cmd_figures(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import latest_figures

    _, factory = open_store(settings)
    with factory() as session:
        rows = latest_figures(session, as_of=args.as_of, subject=args.subject)
    if args.limit:
        rows = rows[: args.limit]
    if args.json:
        print_json(rows)
        return 0
    title = "Latest figures" + (f" as known on {args.as_of}" if args.as_of else "")
    table(title, ["subject", "metric", "claimant", "value", "range", "qualifier", "claimed",
                  "stories", "outlet"],
          [(r["subject"], r["metric"], r["claimant"], f"{r['value']:,}", _range(r),
            r["qualifier"], str(r["claimed_at"])[:10], r["independent_stories"], r["outlet"])
           for r in rows])
    if not rows:
        err.print("no figures yet: run `worker replay seeds/` or `worker run --once`")
    return 0


def _range(r: dict[str, Any]) -> str:
    low, high = r.get("low"), r.get("high")
    if low == high:
        return ""
    return f"{'' if low is None else f'{low:,}'}–{'' if high is None else f'{high:,}'}"


def cmd_changes(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import CHANGE_COLUMNS, changes

    _, factory = open_store(settings)
    with factory() as session:
        rows = changes(session, subject=args.subject, metric=args.metric,
                       claimant=args.claimant, since=args.since, kind=args.kind,
                       limit=args.limit)
    rows = [{k: r[k] for k in CHANGE_COLUMNS} for r in rows]
    if args.json:
        print_json(rows)
    elif args.csv:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(CHANGE_COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buf.getvalue())
    else:
        table("Figure changes", ["claimed", "subject", "metric", "claimant", "previous",
                                 "value", "qualifier", "kind", "stories", "outlet", "sentence"],
              [(str(r["claimed_at"])[:10], r["subject"], r["metric"], r["claimant"],
                "" if r["previous_value"] is None else f"{r['previous_value']:,}",
                f"{r['value']:,}", r["qualifier"], r["kind"], r["independent_stories"],
                r["outlet"], r["sentence"]) for r in rows], wrap=["sentence"])
    return 0


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import article_history, articles

    _, factory = open_store(settings)
    with factory() as session:
        if args.action == "history":
            if not args.url:
                raise WorkerError("articles history needs a URL")
            history = article_history(session, args.url)
            if history is None:
                raise WorkerError(f"no stored article has the URL {args.url}")
            if args.json:
                print_json(history)
            else:
                _print_history(history)
            return 0
        rows = articles(session, limit=args.limit,
                        relevant=None if args.all else True)
    if args.json:
        print_json(rows)
    else:
        table("Articles", ["published", "lang", "outlet", "title", "versions", "figures",
                           "story", "status", "url"],
              [(str(r["published_at"])[:10], r["language"], r["outlet"], r["title"],
                r["versions"], r["figures"], r["story_id"], r["status"], r["url"])
               for r in rows], wrap=["title", "url"])
    return 0


def _print_history(h: dict[str, Any]) -> None:
    out.print(f"[bold]{h['title']}[/bold]\n{h['url']} ({h['outlet'] or 'unknown outlet'}, "
              f"status {h['status']})")
    for v in h["versions"]:
        out.print(f"\n[bold]version {v['number']}[/bold] fetched {v['fetched_at']}, "
                  f"{v['chars']} characters, {len(v['figures'])} figures")
        if v["diff"]:
            for line in v["diff"].splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith(
                    "-") else "dim"
                out.print(line, style=style, markup=False, highlight=False)
        figs = (v["changes"] or {}).get("figures") if v["changes"] else None
        if figs:
            for c in figs.get("changed", []):
                out.print(f"  figure changed: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['from']} -> {c['to']}")
            for c in figs.get("added", []):
                out.print(f"  figure added: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['values']}")
            for c in figs.get("removed", []):
                out.print(f"  figure removed: {c['subject']} {c['metric']} ({c['claimant']}): "
                          f"{c['values']}")
    for e in h["events"]:
        out.print(f"event: {e['kind']} at {e['at']}")


def cmd_stories(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import stories

    _, factory = open_store(settings)
    with factory() as session:
        rows = stories(session, min_copies=args.min_copies)
    if args.json:
        print_json(rows)
    else:
        table("Stories", ["story", "first published", "copies", "outlets", "title"],
              [(r["story_id"], str(r["first_published"])[:10], r["copies"],
                ", ".join(r["outlets"]), r["title"]) for r in rows], wrap=["title", "outlets"])
    return 0


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from worker.datafiles import check_data_files
    from worker.extract import analyse_one

    check_data_files(settings, ("boilerplate_file", "topics_file", "claimants_file"))
    if args.batch:
        for lineno, raw_line in enumerate(sys.stdin.buffer, 1):
            if not raw_line.strip():
                continue
            item: Any = None
            try:
                line = raw_line.decode("utf-8")  # JSON is UTF-8; a bad line is one error line
                item = json.loads(line)
                if not isinstance(item, dict):
                    raise ValueError("not a JSON object")
                result = analyse_one(settings, text=item.get("text"), html=item.get("html"),
                                     language=item.get("lang"), item_id=item.get("id"))
            except (ValueError, WorkerError) as exc:  # the id, when the line had one, is kept
                result = {"id": item.get("id") if isinstance(item, dict) else None,
                          "line": lineno, "error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - one bad input must not end the batch
                logging.getLogger(__name__).exception("extract --batch line %d failed", lineno)
                result = {"id": item.get("id") if isinstance(item, dict) else None,
                          "line": lineno, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 0
    source = args.file
    try:
        data = sys.stdin.buffer.read() if source in (None, "-") else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    raw = _decoded(data)
    is_html = args.html or (source not in (None, "-") and
                            Path(source).suffix.lower() in (".html", ".htm"))
    result = analyse_one(settings, text=None if is_html else raw, html=raw if is_html else None,
                         language=args.lang, item_id=source)
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return 0
    out.print(f"language: {result['language']}   relevant: {result['relevant']} "
              f"(score {result['relevance']})")
    out.print(result["text"], markup=False, highlight=False)
    table("Figures", ["metric", "subject", "value", "range", "qualifier", "modality",
                      "claimant", "scope", "as printed"],
          [(c["metric"], c["subject"], f"{c['value']:,}", _range(c), c["qualifier"],
            c["modality"], c["claimant"], c["scope"], result["text"][c["start"]:c["end"]])
           for c in result["figures"]])
    return 0


def _decoded(data: bytes) -> str:
    """Input bytes as text: UTF-8, else the charset declared or detected (as replay reads
    files), never a traceback."""
    from worker.charset import decode_page

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_page(data)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from worker.export import export_claims

    _, factory = open_store(settings)
    with factory() as session:
        n = export_claims(session, args.format, args.out,
                          subject=args.subject.upper() if args.subject else None,
                          metric=args.metric,
                          claimant=args.claimant.upper() if args.claimant else None,
                          since=args.since, include_excluded=args.include_excluded)
    err.print(f"exported {n} claims" + (f" to {args.out}" if args.out else ""))
    return 0


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    sp = add("figures", cmd_figures, "the latest value of every figure series",
             "worker figures --as-of 2025-02-01 --json")
    sp.add_argument("--as-of", type=_date, help="as known at the end of this date")
    sp.add_argument("--subject", help="ISO code of the side counted, e.g. KP")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")

    sp = add("changes", cmd_changes, "every change of a reported figure over time",
             "worker changes --subject KP --metric killed --json")
    sp.add_argument("--subject")
    sp.add_argument("--metric", choices=["killed", "wounded", "casualties", "captured",
                                         "missing", "deployed"])
    sp.add_argument("--claimant")
    sp.add_argument("--since", type=_date)
    sp.add_argument("--kind", choices=["new_report", "article_revision"])
    sp.add_argument("--limit", type=int)
    fmt = sp.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    sp = add("articles", cmd_articles, "stored articles, or one article's version history",
             "worker articles history https://example.org/a --json")
    sp.add_argument("action", nargs="?", choices=["list", "history"], default="list")
    sp.add_argument("url", nargs="?")
    sp.add_argument("--all", action="store_true", help="include irrelevant articles")
    sp.add_argument("--limit", type=int)
    sp.add_argument("--json", action="store_true")

    sp = add("stories", cmd_stories, "stories (syndicated copies grouped) with their outlets",
             "worker stories --json")
    sp.add_argument("--min-copies", type=int, default=1)
    sp.add_argument("--json", action="store_true")

    sp = add("extract", cmd_extract, "clean and analyse one document without storing it",
             "worker extract seeds/000_b80b5a2a3a82875b.txt --json")
    sp.add_argument("file", nargs="?", help="a file, or - for standard input")
    sp.add_argument("--lang", help="language code, skips detection")
    sp.add_argument("--html", action="store_true", help="the input is HTML")
    sp.add_argument("--batch", action="store_true",
                    help='JSON Lines on stdin: {"id", "text" or "html", "lang"?}')
    sp.add_argument("--json", action="store_true")

    sp = add("export", cmd_export, "export claims with their provenance",
             "worker export --format parquet --out claims.parquet")
    sp.add_argument("--format", choices=["csv", "json", "parquet"], default="csv")
    sp.add_argument("--out", type=Path, help="output file (default: standard output; "
                    "required for parquet)")
    sp.add_argument("--subject", help="only claims counting this side, e.g. KP")
    sp.add_argument("--metric", choices=["killed", "wounded", "casualties", "captured",
                                         "missing", "deployed"])
    sp.add_argument("--claimant", help="only this claimant's claims, e.g. KR-NIS")
    sp.add_argument("--since", type=_date, help="only claims made on or after this date")
    sp.add_argument("--include-excluded", action="store_true",
                    help="also the claims a reviewer marked wrong (column excluded)")
