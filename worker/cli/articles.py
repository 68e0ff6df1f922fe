"""`worker articles` (stored articles, or one article's version history) and `worker stories`
(syndicated copies grouped), read through `worker.store.queries`."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.command import add_command, open_store
from worker.cli.output import out, output_options, positive_int, print_json, table
from worker.config import Settings
from worker.errors import UsageError, WorkerError


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.queries import article_history, articles

    _, factory = open_store(settings)
    with factory() as session:
        if args.action == "history":
            if not args.url:
                raise UsageError("articles history needs a URL")
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
    from rich.markup import escape

    out.print(f"[bold]{escape(h['title'] or '')}[/bold]", highlight=False)
    out.print(f"{h['url']} ({h['outlet'] or 'unknown outlet'}, status {h['status']})",
              markup=False, highlight=False)  # the URL whole, on a line of its own
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


def register(sub: Any) -> None:
    sp = add_command(sub, "articles", cmd_articles,
                     "stored articles, or one article's version history",
                     "worker articles history https://example.org/a --json")
    sp.add_argument("action", nargs="?", choices=["list", "history"], default="list")
    sp.add_argument("url", nargs="?")
    sp.add_argument("--all", action="store_true", help="include irrelevant articles")
    output_options(sp, limit=True, wide=True)

    sp = add_command(sub, "stories", cmd_stories,
                     "stories (syndicated copies grouped) with their outlets",
                     "worker stories --json")
    sp.add_argument("--min-copies", type=positive_int, default=1, metavar="N",
                    help="only stories with at least N copies (default 1)")
    output_options(sp, wide=True)
