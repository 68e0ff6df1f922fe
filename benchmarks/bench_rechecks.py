"""Re-checks of stored articles against a local HTTP server: what a conditional re-check of an
unchanged article costs next to a full one.

1,000 relevant articles are stored (one seed page analysed once, stored under 1,000 URLs with
the server's ETag and the page's digest), then each is re-checked through the daemon's
`Poller.recheck`, three ways:
- "304": the server answers the conditional request with 304 Not Modified;
- "same body": the server ignores the validators and sends the same page again (200);
- "full": the page changed (a paragraph of its own per article), so it is downloaded, analysed
  and stored, as every re-check was before validators were kept (`--full` of them).
Wall time and CPU time (this process and the analysis pool's) per re-check."""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from benchmarks.common import ROOT, emit_json, show
from worker.config import load_settings
from worker.daemon import Daemon
from worker.pipeline import CoreConfig, Document, analyse
from worker.store.db import make_engine, session_factory, upgrade
from worker.store.models import Article, utcnow
from worker.store.writer import Store

PAGE = (ROOT / "seeds" / "017_yonhap-2000-killed.html").read_bytes()
ETAG = '"v1"'


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    mode = "304"


def _handler() -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            mode = self.server.mode  # type: ignore[attr-defined]
            if mode == "304" and self.headers.get("If-None-Match") == ETAG:
                self.send_response(304)
                self.send_header("ETag", ETAG)
                self.end_headers()
                return
            body = PAGE
            if mode == "full":
                body = PAGE.replace(b"</body>", f"<p>Edit of {self.path}.</p></body>".encode())
            self.send_response(200)
            self.send_header("ETag", ETAG if mode != "full" else f'"{self.path}"')
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--full", type=int, default=100, help="full re-checks timed (of them)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    srv = _Server(("127.0.0.1", 0), _handler())
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_address[1]}"
    result: dict[str, Any] = {"articles": args.articles, "modes": []}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={
            "WORKER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'rechecks.db'}",
            "WORKER_FETCH_ALLOW_PRIVATE_NETWORKS": "true", "WORKER_FETCH_HOST_DELAY": "0",
            "WORKER_FETCH_PER_HOST_CONNECTIONS": "16", "WORKER_PIPELINE_PROCESSES": "1",
            "WORKER_LOG_LEVEL": "WARNING"})
        engine = make_engine(settings.database.url)
        upgrade(engine)
        factory = session_factory(engine)
        core = CoreConfig.from_settings(settings)
        first = Document(url=f"{base}/a0", locator="bench", html=PAGE, etag=ETAG,
                         published=utcnow())
        analysis = analyse(first, core)
        store = Store(engine, settings.dedupe)
        for i in range(args.articles):
            doc = dataclasses.replace(first, url=f"{base}/a{i}")
            store.save(doc, dataclasses.replace(analysis, fingerprint=f"{i:064x}"))
        with factory() as s:
            ids = list(s.scalars(select(Article.id).order_by(Article.id)))
        daemon = Daemon(settings, factory)
        try:
            for mode, n in (("304", len(ids)), ("same body", len(ids)), ("full", args.full)):
                srv.mode = "same" if mode == "same body" else mode
                with factory() as s, s.begin():  # conditional, none due for a forced one
                    s.execute(update(Article).values(rechecks_since_full=0))
                outcomes: dict[str, int] = {}
                cpu0, t0 = _cpu(), time.perf_counter()
                for article_id in ids[:n]:
                    outcome = daemon.poller.recheck(article_id)
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
                result["modes"].append({"mode": mode, "rechecks": n, "outcomes": outcomes,
                                        "wall_ms": wall / n * 1000, "cpu_ms": cpu / n * 1000})
        finally:
            daemon.close()
            engine.dispose()
            srv.shutdown()
    full = next(m for m in result["modes"] if m["mode"] == "full")
    for m in result["modes"]:
        m["vs_full"] = m["wall_ms"] / full["wall_ms"]
    if args.json:
        emit_json(result)
    else:
        show(f"Re-checks of {args.articles:,} stored articles (local server, SQLite)",
             ("re-check", "count", "outcomes", "wall ms each", "CPU ms each", "of a full one"),
             [(m["mode"], m["rechecks"], ", ".join(f"{k} {v}" for k, v in m["outcomes"].items()),
               m["wall_ms"], m["cpu_ms"], f"{m['vs_full']:.2f}×") for m in result["modes"]])
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
