"""`worker extract`: clean and analyse one document (or a JSON Lines batch) without storing
it."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from worker.cli.command import add_command
from worker.cli.output import out, output_options, print_json_line, table, value_range
from worker.config import Settings
from worker.errors import InputError, UsageError, WorkerError


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from worker.datafiles import check_data_files
    from worker.extract import analyse_one

    check_data_files(settings, ("boilerplate_file", "topics_file", "claimants_file"))
    if args.lang is not None:
        args.lang = known_language(args.lang)
    if args.batch:
        failed = 0
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
            failed += "error" in result
            print_json_line(result)
        return 1 if failed else 0  # some lines failed (each has its error line)
    source = args.file
    try:
        data = sys.stdin.buffer.read() if source in (None, "-") else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None
    if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{source or 'standard input'}: a binary file, not text or HTML")
    raw = _decoded(data)
    is_html = args.html or (source not in (None, "-") and
                            Path(source).suffix.lower() in (".html", ".htm"))
    result = analyse_one(settings, text=None if is_html else raw, html=raw if is_html else None,
                         language=args.lang, item_id=source)
    if args.json:
        print_json_line(result)
        return 0
    out.print(f"language: {result['language']}   relevant: {result['relevant']} "
              f"(score {result['relevance']})")
    out.print(result["text"], markup=False, highlight=False)
    table("Figures", ["metric", "subject", "value", "range", "qualifier", "modality",
                      "claimant", "scope", "as printed"],
          [(c["metric"], c["subject"], f"{c['value']:,}", value_range(c), c["qualifier"],
            c["modality"], c["claimant"], c["scope"], result["text"][c["start"]:c["end"]])
           for c in result["figures"]])
    return 0


def known_language(code: str) -> str:
    """A language the pipeline handles (any case), else a usage error listing them."""
    from worker.language import SUPPORTED

    low = code.strip().lower()
    if low not in SUPPORTED:
        raise UsageError(f"--lang: unknown language {code!r}; known: {', '.join(SUPPORTED)}")
    return low


def _decoded(data: bytes) -> str:
    """Input bytes as text: UTF-8, else the charset declared or detected (as replay reads
    files), never a traceback."""
    from worker.charset import decode_page

    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return decode_page(data)


def register(sub: Any) -> None:
    sp = add_command(sub, "extract", cmd_extract,
                     "clean and analyse one document without storing it",
                     "worker extract seeds/000_b80b5a2a3a82875b.txt --json")
    sp.add_argument("file", nargs="?", help="a file, or - for standard input")
    sp.add_argument("--lang", help="language code (en, fr, de, es, ru, uk, ko), skips "
                    "detection")
    sp.add_argument("--html", action="store_true", help="the input is HTML")
    sp.add_argument("--batch", action="store_true",
                    help='JSON Lines on stdin: {"id", "text" or "html", "lang"?}')
    output_options(sp, wide=True)
