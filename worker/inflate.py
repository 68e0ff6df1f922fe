"""Bounded decompression of a response body, for the fetcher (`worker.fetch`).

httpx inflates a whole network chunk at once, so one 64 KiB chunk of a gzip bomb may become
gigabytes before any cap is checked; here inflation yields at most `CHUNK` bytes a step, so the
fetcher's size cap is checked after every step. gzip, deflate (zlib or raw) and brotli; a stream
that ends before its encoding does is an error, not a short body."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any

import brotli
import httpx

CHUNK = 64 * 1024


class Inflate:
    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.first = True
        if encoding == "br":
            self.br: Any = brotli.Decompressor()
        else:
            # gzip and zlib headers are auto-detected; raw deflate is tried on the first chunk
            self.z = zlib.decompressobj(47 if encoding in ("gzip", "x-gzip") else 15)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding == "br":
            yield self.br.process(data, output_buffer_limit=CHUNK)
            while not self.br.can_accept_more_data():
                yield self.br.process(b"", output_buffer_limit=CHUNK)
            return
        if self.first and self.encoding == "deflate" and data and (data[0] & 0x0F) != 8:
            self.z = zlib.decompressobj(-15)  # raw deflate, as some servers send it
        self.first = False
        out = self.z.decompress(data, CHUNK)
        yield out
        while self.z.unconsumed_tail:
            yield self.z.decompress(self.z.unconsumed_tail, CHUNK)

    def finish(self) -> Iterator[bytes]:
        """What the decoder still holds once the input has ended (brotli buffers output).
        A stream that ends before its encoding does (a cut gzip member, its checksum
        missing, a brotli stream without its last block) is an error, not a short body."""
        if self.encoding == "br":
            while not self.br.is_finished():
                out = self.br.process(b"", output_buffer_limit=CHUNK)
                if not out:
                    raise brotli.error("the brotli stream is truncated")
                yield out
            return
        yield self.z.flush()
        if not self.z.eof:
            raise zlib.error(f"the {self.encoding} stream is truncated")


def decoded(raw: Iterator[bytes], encodings: list[str]) -> Iterator[bytes]:
    stream: Iterator[bytes] = raw
    for enc in reversed(encodings):  # the last applied encoding is undone first
        stream = _through(Inflate(enc), stream)
    return stream


def _through(dec: Inflate, stream: Iterator[bytes]) -> Iterator[bytes]:
    for chunk in stream:
        yield from dec.feed(chunk)
    yield from dec.finish()


def content_encodings(headers: httpx.Headers) -> list[str]:
    value = headers.get("content-encoding", "")
    encs = [e.strip().lower() for e in value.split(",") if e.strip()]
    return [e for e in encs if e != "identity"]


