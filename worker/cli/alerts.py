"""`worker alerts status|deliver|log`: the change alerts (worker.alerts) seen from the
command line (`worker changes --atom` is in worker.cli.figures)."""

from __future__ import annotations

import argparse
from typing import Any

from worker.cli.command import add_command, add_group, open_store
from worker.cli.output import err, output_options, print_json, table
from worker.config import Settings


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store import alerts as store

    _, factory = open_store(settings)
    with factory() as session:
        rows = store.status(session)
        published = store.outbox_size(session)
    if args.json:
        print_json({"published": published, "webhooks": rows})
        return 0
    table(f"Webhooks ({published} changes published)",
          ["name", "delivered", "waiting", "failures", "next attempt", "last"],
          [(r["name"], r["delivered"], r["waiting"], r["failures"],
            (r["next_attempt_at"] or "")[:19], r["last_error"] or r["last_status"] or "")
           for r in rows], wrap=["name", "last"])
    if not settings.alerts.webhooks:
        err.print("no webhook configured: see [alerts] webhooks in config/worker.toml",
                  markup=False)
    return 0


def cmd_deliver(args: argparse.Namespace, settings: Settings) -> int:
    """Publish what is new and deliver now (what the daemon does every [alerts] interval)."""
    from worker.alerts_publish import after_ingest

    _, factory = open_store(settings)
    report = after_ingest(factory, settings)
    if args.json:
        print_json(report.as_dict())
    else:
        err.print(f"published {report.published} new changes; delivered "
                  + (", ".join(f"{n} to {name}" for name, n in report.delivered.items())
                     or "none (no webhook configured)")
                  + "".join(f"; {name} failed: {why}" for name, why in report.failed.items()))
    return 1 if report.failed else 0


def cmd_log(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store import alerts as store

    _, factory = open_store(settings)
    with factory() as session:
        rows = store.deliveries(session, endpoint=args.webhook, limit=args.limit or 50)
    if args.json:
        print_json(rows)
        return 0
    table("Deliveries (newest first)", ["at", "webhook", "change", "attempt", "ok", "status",
                                         "ms", "error"],
          [(r["at"][:19], r["endpoint"], r["change_id"], r["attempt"], r["ok"], r["status"],
            r["duration_ms"], r["error"]) for r in rows], wrap=["webhook", "error"])
    return 0


def register(sub: Any) -> None:
    group = add_group(sub, "alerts", "change alerts: the webhooks' delivery state, deliver "
                      "now, the delivery log", "worker alerts status --json")
    sp = add_command(group, "status", cmd_status,
                     "each webhook: delivered, waiting, failures, next attempt",
                     "worker alerts status --json")
    output_options(sp)
    sp = add_command(group, "deliver", cmd_deliver,
                     "publish new changes and deliver them now (exit 1 if a webhook failed)",
                     "worker alerts deliver --json")
    output_options(sp)
    sp = add_command(group, "log", cmd_log, "the delivery log, newest first",
                     "worker alerts log --webhook desk --limit 20")
    sp.add_argument("--webhook", help="only this webhook (its name)")
    output_options(sp, limit=True)
