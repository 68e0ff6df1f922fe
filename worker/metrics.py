"""Prometheus metrics of the daemon (an own registry, so tests and several daemons in one
process never collide) and the small HTTP server behind `/metrics` and `/healthz`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.feeds_polled = Counter("worker_feeds_polled", "Feed polls by result "
                                    "(ok, not_modified, unchanged, error)", ["result"],
                                    registry=r)
        self.items = Counter("worker_items", "Feed items by outcome (new, duplicate, revised, "
                             "irrelevant, error)", ["outcome"], registry=r)
        self.fetch_errors = Counter("worker_fetch_errors", "Failed fetches by error class",
                                    ["kind", "error_class"], registry=r)
        self.fetch_seconds = Histogram("worker_fetch_duration_seconds", "HTTP fetch durations",
                                       ["kind"], buckets=DURATION_BUCKETS, registry=r)
        self.poll_seconds = Histogram("worker_feed_poll_duration_seconds",
                                      "Whole feed polls, articles included",
                                      buckets=DURATION_BUCKETS, registry=r)
        self.rechecks = Counter("worker_rechecks", "Article re-checks by outcome", ["outcome"],
                                registry=r)
        self.last_tick = Gauge("worker_last_tick_timestamp_seconds",
                               "When the scheduler last looked for due feeds", registry=r)
        self.in_flight = Gauge("worker_jobs_in_flight", "Feed polls and re-checks running",
                               registry=r)

    def observe_fetch(self, kind: str, seconds: float, error_class: str | None) -> None:
        self.fetch_seconds.labels(kind).observe(seconds)
        if error_class and error_class != "cancelled":
            self.fetch_errors.labels(kind, error_class).inc()

    def value(self, name: str, **labels: str) -> float:
        """A sample's current value (0 when absent); for tests and the benchmark."""
        v = self.registry.get_sample_value(name, labels or None)
        return float(v or 0.0)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsServer:
    """`/metrics` (Prometheus text format) and `/healthz` (200 while `healthy()`, else 503)."""

    def __init__(self, metrics: Metrics, host: str, port: int,
                 healthy: Callable[[], bool]) -> None:
        handler = _handler(metrics, healthy)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="metrics",
                                       kwargs={"poll_interval": 0.2}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def _handler(metrics: Metrics, healthy: Callable[[], bool]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._reply(200, metrics.render(), CONTENT_TYPE_LATEST)
            elif path == "/healthz":
                ok = healthy()
                self._reply(200 if ok else 503, b"ok\n" if ok else b"stalled\n", "text/plain")
            else:
                self._reply(404, b"not found\n", "text/plain")

        def _reply(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def healthy_since(last_tick: Callable[[], float], max_age: float) -> Callable[[], bool]:
    return lambda: time.monotonic() - last_tick() <= max_age
