"""A local HTTP server (127.0.0.1, a thread) that misbehaves on demand.

    with LocalServer() as srv:
        srv.route("/feed.xml", body=rss, headers={"ETag": '"v1"'}, conditional=True)
        srv.route("/flaky", responses=[Reply(500)] * 3 + [Reply(200, body=b"ok")])
        srv.route("/slow", delay=30)                 # hangs (until the server stops)
        srv.route("/huge", stream=50 * 2**20)        # 50 MB of body, no Content-Length
        srv.route("/drip", body=b"x" * 60, drip=1)   # one byte a second
        srv.redirect("/old", "/new", status=301)
        ...
        srv.count("/feed.xml"), srv.conditional_count("/feed.xml"), srv.requests

A route answers with its replies in turn (the last one repeats). `conditional=True` answers
304 when the request's If-None-Match / If-Modified-Since match the reply's validators.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import brotli


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stream: int = 0  # send this many bytes of b"x" in chunks instead of `body`
    conditional: bool = False
    encoding: str | None = None  # gzip, deflate or br: compress `body` on the fly
    drip: float = 0.0  # send `body` one byte at a time, this many seconds apart
    drip_headers: float = 0.0  # the same for the status line and headers


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up on purpose (size caps, timeouts) are not errors here


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.handlers: dict[str, Callable[[Seen], Reply]] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), self._handler_class())
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- programming it ----------------------------------------------------------------

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def route(self, path: str, status: int = 200, body: bytes | str = b"",
              headers: dict[str, str] | None = None, *, delay: float = 0.0, stream: int = 0,
              conditional: bool = False, encoding: str | None = None, drip: float = 0.0,
              drip_headers: float = 0.0, responses: list[Reply] | None = None) -> None:
        if responses is None:
            data = body.encode() if isinstance(body, str) else body
            responses = [Reply(status, data, dict(headers or {}), delay, stream, conditional,
                               encoding, drip, drip_headers)]
        with self.lock:
            self.routes[path] = list(responses)
            self.handlers.pop(path, None)

    def handle(self, path: str, fn: Callable[[Seen], Reply]) -> None:
        with self.lock:
            self.handlers[path] = fn

    def redirect(self, path: str, target: str, status: int = 302) -> None:
        self.route(path, status, headers={"Location": target})

    # -- what it saw -------------------------------------------------------------------

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def count(self, path: str) -> int:
        return len(self.seen(path))

    def conditional_count(self, path: str) -> int:
        return sum(1 for r in self.seen(path)
                   if "if-none-match" in r.headers or "if-modified-since" in r.headers)

    # -- serving -----------------------------------------------------------------------

    def _next(self, seen: Seen) -> Reply:
        with self.lock:
            self.requests.append(seen)
            fn = self.handlers.get(seen.path)
            if fn is None:
                replies = self.routes.get(seen.path)
                if not replies:
                    return Reply(404, b"not found")
                return replies.pop(0) if len(replies) > 1 else replies[0]
        return fn(seen)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                seen = Seen(self.path, {k.lower(): v for k, v in self.headers.items()},
                            time.monotonic())
                reply = server._next(seen)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError,
                                         ConnectionAbortedError):
                    self._send(reply, seen)

            def _send(self, reply: Reply, seen: Seen) -> None:
                if reply.delay and server.stopping.wait(reply.delay):
                    return
                headers = dict(reply.headers)
                if reply.conditional and _matches(seen.headers, headers):
                    self.send_response(304)
                    for k in ("ETag", "Last-Modified", "Cache-Control", "Expires"):
                        if k in headers:
                            self.send_header(k, headers[k])
                    self.end_headers()
                    return
                body = reply.body
                if reply.encoding:
                    body = _compress(body, reply.encoding)
                    headers["Content-Encoding"] = reply.encoding
                if reply.drip_headers:
                    self._drip_headers(reply, headers, len(body))
                    return
                self.send_response(reply.status)
                for k, v in headers.items():
                    self.send_header(k, v)
                if reply.drip:
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self._drip(body, reply.drip)
                    return
                if reply.stream:
                    self.end_headers()
                    chunk = b"x" * 65536
                    sent = 0
                    while sent < reply.stream and not server.stopping.is_set():
                        self.wfile.write(chunk)
                        sent += len(chunk)
                    return
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _drip(self, data: bytes, every: float) -> None:
                self.wfile.flush()
                for i in range(len(data)):
                    if server.stopping.wait(every):
                        return
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()

            def _drip_headers(self, reply: Reply, headers: dict[str, str], length: int) -> None:
                lines = [f"HTTP/1.1 {reply.status} OK"]
                lines += [f"{k}: {v}" for k, v in headers.items()]
                lines += [f"Content-Length: {length}", "", ""]
                self._drip("\r\n".join(lines).encode("latin-1"), reply.drip_headers)
                self.wfile.write(reply.body)

        return Handler


def _matches(request: dict[str, str], headers: dict[str, str]) -> bool:
    etag = headers.get("ETag")
    if etag and request.get("if-none-match") == etag:
        return True
    lm = headers.get("Last-Modified")
    return bool(lm and not etag and request.get("if-modified-since") == lm)


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return bytes(brotli.compress(body))
    raise ValueError(encoding)


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzipped (about 1000:1)."""
    out = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    parts = [out.compress(block) for _ in range(size >> 20)]
    parts.append(out.flush())
    return b"".join(parts)


def rss(items: list[dict[str, str]], *, title: str = "Test feed", ttl: int | None = None,
        encoding: str = "utf-8", declared: str | None = None) -> bytes:
    """An RSS 2.0 document; each item a dict of guid, link, title, description, pubDate."""
    parts = [f'<?xml version="1.0" encoding="{declared or encoding}"?>',
             '<rss version="2.0"><channel>', f"<title>{title}</title>",
             "<link>http://example.invalid/</link><description>test</description>"]
    if ttl:
        parts.append(f"<ttl>{ttl}</ttl>")
    for it in items:
        parts.append("<item>")
        for key in ("guid", "link", "title", "description", "pubDate"):
            if key in it:
                parts.append(f"<{key}>{_escape(it[key])}</{key}>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
