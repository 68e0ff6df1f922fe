"""`worker claims mark` and `worker claims reviewed`: an analyst's corrections of the claims the
machine got wrong (see worker.store.reviews), and the list of them."""

from __future__ import annotations

import argparse
import getpass
import os
import re
from typing import Any

from worker.cli.command import add_command, add_group, open_store
from worker.cli.filters import claimant_codes
from worker.cli.output import err, output_options, print_json, table
from worker.config import Settings
from worker.errors import InputError

_SUBJECT = re.compile(r"[A-Z]{2}")


def _reviewer(args: argparse.Namespace) -> str:
    if args.by:
        return str(args.by)
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a bare container)
        raise InputError("who is reviewing? set $USER or give --by NAME") from None


def _action(args: argparse.Namespace, settings: Settings) -> tuple[str, str | None]:
    if args.wrong:
        return "wrong", None
    if args.recalled:
        return "recalled", None
    if args.part_of is not None:
        return "part_of", str(args.part_of)
    if args.claimant is not None:
        codes = claimant_codes(settings)
        found = {c.upper(): c for c in codes}.get(args.claimant.strip().upper())
        if found is None:
            raise InputError(f"unknown claimant {args.claimant!r}; known: {', '.join(codes)}")
        return "claimant", found
    code = args.subject.strip().upper()
    if not _SUBJECT.fullmatch(code):
        raise InputError(f"--subject: not a two-letter country code: {args.subject!r}")
    return "subject", code


def cmd_mark(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.reviews import mark

    action, value = _action(args, settings)
    reviewer = _reviewer(args)
    _, factory = open_store(settings)
    with factory() as session, session.begin():
        row = mark(session, args.claim_id, action, value, reviewer=reviewer, note=args.note)
    if args.json:
        print_json(row)
        return 0
    what = {"wrong": "marked wrong (left out of every series)",
            "recalled": "marked as restating an earlier figure",
            "part_of": f"marked as a part of claim {value}",
            "claimant": f"claimant set to {value}", "subject": f"subject set to {value}"}
    err.print(f"claim {row['claim_id']} {what[action]}; review {row['review_id']} by "
              f"{row['reviewer']}", markup=False, highlight=False)
    return 0


def cmd_unmark(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.reviews import withdraw

    reviewer = _reviewer(args)
    _, factory = open_store(settings)
    with factory() as session, session.begin():
        row = withdraw(session, args.review_id, reviewer=reviewer, note=args.note)
    if args.json:
        print_json(row)
        return 0
    err.print(f"review {args.review_id} withdrawn; claim {row['claim_id']} as before it, with "
              f"its other corrections; review {row['review_id']} by {row['reviewer']}",
              markup=False, highlight=False)
    return 0


def _change(r: dict[str, Any]) -> str:
    if r["action"] == "undo":
        return f"withdrew review {r['new_value']}"
    if r["withdrawn"]:
        return f"{_standing_change(r)} (withdrawn)"
    return _standing_change(r)


def _standing_change(r: dict[str, Any]) -> str:
    before = r["original"] or {}
    if r["action"] in ("claimant", "subject"):
        return f"{r['action']}: {before.get(r['action']) or '-'} → {r['new_value']}"
    if r["action"] == "part_of":
        return f"part of claim {r['new_value']}"
    return r["action"]


def cmd_reviewed(args: argparse.Namespace, settings: Settings) -> int:
    from worker.store.reviews import reviewed

    _, factory = open_store(settings)
    with factory() as session:
        rows = reviewed(session, claim_id=args.claim)
    if args.json:
        print_json(rows)
        return 0
    table("Reviewed claims", ["review", "claim", "reviewed", "by", "change", "metric", "value",
                              "note", "url"],
          [(r["review_id"], r["claim_id"] if r["claim_id"] is not None else "gone",
            r["reviewed_at"][:16].replace("T", " "), r["reviewer"], _change(r), r["metric"],
            f"{r['value']:,}", r["note"], r["url"]) for r in rows], wrap=["note"])
    if not rows:
        err.print("no reviewed claims yet: `worker claims mark CLAIM_ID --wrong --note WHY`")
    return 0


def register(sub: Any) -> None:
    actions = add_group(sub, "claims", "review claims: correct what the extraction got wrong",
                        "worker claims mark 42 --wrong --note 'a figure of another war'")
    mk = add_command(actions, "mark", cmd_mark,
                     "record a correction of one claim (who, when, why), applied at once and "
                     "again after a re-analysis",
                     "worker claims mark 42 --claimant KR-NIS --note 'the NIS briefing'")
    mk.add_argument("claim_id", type=int, metavar="CLAIM_ID",
                    help="the claim's id (claim_id in --json output and exports)")
    what = mk.add_mutually_exclusive_group(required=True)
    what.add_argument("--wrong", action="store_true",
                      help="not a figure of this war: left out of every series")
    what.add_argument("--recalled", action="store_true",
                      help="restates an earlier figure: not a new value of its series")
    what.add_argument("--part-of", type=int, metavar="CLAIM_ID",
                      help="a part of that total (a figure of the same article version)")
    what.add_argument("--claimant", metavar="CODE", help="who made the claim, e.g. KR-NIS")
    what.add_argument("--subject", metavar="CODE", help="the side counted, e.g. KP")
    mk.add_argument("--note", required=True, help="why (kept with the review)")
    mk.add_argument("--by", help="who reviews (default: $USER)")
    output_options(mk, json_help="print the review as JSON")
    um = add_command(actions, "unmark", cmd_unmark,
                     "withdraw a correction made by mistake (recorded too, with who and why)",
                     "worker claims unmark 3 --note 'the claimant was right after all'")
    um.add_argument("review_id", type=int, metavar="REVIEW_ID",
                    help="the review to withdraw (review in `worker claims reviewed`)")
    um.add_argument("--note", required=True, help="why (kept with the withdrawal)")
    um.add_argument("--by", help="who reviews (default: $USER)")
    output_options(um, json_help="print the withdrawal as JSON")
    rv = add_command(actions, "reviewed", cmd_reviewed,
                     "list the corrections made (who, when, why, the values before)",
                     "worker claims reviewed --json")
    rv.add_argument("--claim", type=int, metavar="CLAIM_ID", help="only this claim's reviews")
    output_options(rv, wide=True)
