"""A webhook receiver on 127.0.0.1 (a thread) that answers as told: 2xx, an error status,
or not at all for a while (a hang); it can be stopped and started again on the same port
(a receiver that is down). Every request is kept, with its headers, body and the answer.

    rx = Receiver().start()
    rx.script = ["fail", "hang", "ok"]   # one answer per request; the last one repeats
    ...
    rx.stop(); rx = rx.restarted()       # down, then back on the same port
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    answer: str
    at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and hung up is expected here


class Receiver:
    def __init__(self, port: int = 0, *, hang_seconds: float = 30.0,
                 requests: list[Request] | None = None) -> None:
        self.script: list[str] = ["ok"]
        self.hang_seconds = hang_seconds
        self.requests: list[Request] = requests if requests is not None else []
        self.lock = threading.Lock()
        self.release = threading.Event()
        self._httpd = _Server(("127.0.0.1", port), self._handler())
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
        self._httpd.server_close()

    def restarted(self) -> Receiver:
        """A new receiver on the same port, keeping the requests seen so far."""
        again = Receiver(self.port, hang_seconds=self.hang_seconds, requests=self.requests)
        again.script = list(self.script)
        return again.start()

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _next_answer(self) -> str:
        with self.lock:
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def delivered_ids(self, path: str | None = None) -> list[str]:
        """webhook-id of every request answered 2xx (to `path`), in arrival order."""
        with self.lock:
            return [r.headers["webhook-id"] for r in self.requests
                    if r.answer == "ok" and path in (None, r.path)]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        rx = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                answer = rx._next_answer()
                with rx.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    rx.requests.append(Request(self.path, headers, body, answer,
                                               time.monotonic()))
                if answer == "hang":
                    rx.release.wait(rx.hang_seconds)
                    answer = "fail"
                status = {"ok": 204, "fail": 500, "gone": 410}.get(answer, 500)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    pass

        return Handler
