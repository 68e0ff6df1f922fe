"""The fetcher with httpx.MockTransport and a fake resolver: no network at all."""

from __future__ import annotations

import gzip
import socket
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest

from worker.config import FetchSettings
from worker.errors import FetchError
from worker.fetch import Fetcher, is_public_address

PUBLIC = "93.184.216.34"


def resolver(table: dict[str, str]) -> Callable[..., list[tuple[Any, ...]]]:
    def resolve(host: str, port: int, *_: Any) -> list[tuple[Any, ...]]:
        if host not in table:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (table[host], port))]
    return resolve


@pytest.fixture
def make() -> Iterator[Callable[..., Fetcher]]:
    made: list[Fetcher] = []

    def factory(handler: Callable[[httpx.Request], httpx.Response], *,
                hosts: dict[str, str] | None = None, **settings: Any) -> Fetcher:
        f = Fetcher(FetchSettings(host_delay=0, **settings),
                    resolver=resolver(hosts or {"example.org": PUBLIC}),
                    transport=httpx.MockTransport(handler), base_dir=Path("/"))
        made.append(f)
        return f

    yield factory
    for f in made:
        f.close()


def ok(body: bytes = b"<rss/>", **headers: str) -> Callable[[httpx.Request], httpx.Response]:
    # a generator keeps the body a stream, as from a real server (bytes would be pre-read)
    return lambda request: httpx.Response(200, content=iter([body]), headers=headers)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.0.1",
                                     "169.254.169.254", "::1", "fd00:ec2::254", "fe80::1",
                                     "100.64.0.1", "0.0.0.0", "::ffff:127.0.0.1"])
def test_non_public_addresses_are_recognised(address: str) -> None:
    assert not is_public_address(address)


def test_public_addresses_pass() -> None:
    assert is_public_address(PUBLIC) and is_public_address("2606:2800:220:1::1")


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "10.0.0.5"])
def test_a_host_resolving_to_a_private_address_is_blocked(make: Any, address: str) -> None:
    f = make(ok(), hosts={"evil.example": address})
    with pytest.raises(FetchError) as exc:
        f.fetch("http://evil.example/feed")
    assert exc.value.error_class == "blocked"


def test_private_addresses_are_allowed_when_configured(make: Any) -> None:
    f = make(ok(), hosts={"local.test": "127.0.0.1"}, allow_private_networks=True)
    assert f.fetch("http://local.test/feed").status == 200


def test_every_redirect_hop_is_checked(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://metadata.test/latest"})
    f = make(handler, hosts={"example.org": PUBLIC, "metadata.test": "169.254.169.254"})
    with pytest.raises(FetchError) as exc:
        f.fetch("http://example.org/feed")
    assert exc.value.error_class == "blocked"


def test_unresolvable_hosts_fail_as_dns(make: Any) -> None:
    with pytest.raises(FetchError) as exc:
        make(ok()).fetch("http://nowhere.invalid/feed")
    assert exc.value.error_class == "dns"


@pytest.mark.parametrize("url", ["ftp://example.org/x", "gopher://example.org/",
                                 "file:///etc/passwd"])
def test_other_schemes_and_foreign_files_are_blocked(make: Any, url: str) -> None:
    with pytest.raises(FetchError) as exc:
        make(ok()).fetch(url)
    assert exc.value.error_class == "blocked"


def test_file_urls_under_fixture_paths_are_read(make: Any, tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(b"<rss/>")
    f = make(ok(), fixture_paths=[str(tmp_path)])
    assert f.fetch((tmp_path / "feed.xml").as_uri()).body == b"<rss/>"


def test_user_agent_and_validators_are_sent(make: Any) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(304, headers={"ETag": '"v2"'})
    f = make(handler, user_agent="tester/1 (+https://example.org/contact)")
    res = f.fetch("http://example.org/feed", etag='"v1"', last_modified="Mon, 01 Jan 2024")
    assert res.not_modified and res.etag == '"v2"'
    h = seen[0].headers
    assert h["user-agent"] == "tester/1 (+https://example.org/contact)"
    assert h["if-none-match"] == '"v1"' and h["if-modified-since"] == "Mon, 01 Jan 2024"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_caps_count_bytes_after_decompression(make: Any, encoding: str) -> None:
    raw = b"\0" * 3_000_000
    packed = {"gzip": gzip.compress, "deflate": zlib.compress,
              "br": lambda b: bytes(brotli.compress(b))}[encoding](raw)
    assert len(packed) < 100_000
    f = make(ok(packed, **{"Content-Encoding": encoding}), max_feed_bytes=1_000_000)
    with pytest.raises(FetchError) as exc:
        f.fetch("http://example.org/feed")
    assert exc.value.error_class == "too_large"
    f2 = make(ok(packed, **{"Content-Encoding": encoding}), max_feed_bytes=5_000_000)
    assert f2.fetch("http://example.org/feed").body == raw


def test_raw_deflate_is_accepted(make: Any) -> None:
    c = zlib.compressobj(wbits=-15)
    packed = c.compress(b"<rss>hello</rss>") + c.flush()
    f = make(ok(packed, **{"Content-Encoding": "deflate"}))
    assert f.fetch("http://example.org/feed").body == b"<rss>hello</rss>"


def test_announced_length_over_the_cap_fails_before_reading(make: Any) -> None:
    f = make(ok(b"x" * 2000), max_feed_bytes=1000)
    with pytest.raises(FetchError) as exc:
        f.fetch("http://example.org/feed")
    assert exc.value.error_class == "too_large"


@pytest.mark.parametrize(("status", "cls"), [(404, "http_4xx"), (403, "http_4xx"),
                                             (410, "gone"), (429, "http_429"),
                                             (500, "http_5xx"), (503, "http_5xx")])
def test_statuses_are_classified(make: Any, status: int, cls: str) -> None:
    f = make(lambda r: httpx.Response(status, headers={"Retry-After": "120"}))
    with pytest.raises(FetchError) as exc:
        f.fetch("http://example.org/feed")
    assert (exc.value.error_class, exc.value.status) == (cls, status)
    assert exc.value.retry_after == (120 if status in (429, 503) else None)


def test_permanent_redirects_are_reported_temporary_ones_are_not(make: Any) -> None:
    routes = {"/a": (301, "/b"), "/b": (308, "/c"), "/c": (302, "/d"), "/x": (302, "/y"),
              "/y": (301, "/d")}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path in routes:
            status, to = routes[request.url.path]
            return httpx.Response(status, headers={"Location": to})
        return httpx.Response(200, content=iter([b"<rss/>"]))
    f = make(handler)
    res = f.fetch("http://example.org/a")
    assert res.final_url == "http://example.org/d"
    assert res.permanent_redirect_url == "http://example.org/c"
    assert f.fetch("http://example.org/x").permanent_redirect_url is None


@pytest.mark.parametrize(("encoding", "cut"), [("gzip", 4), ("gzip", 40), ("deflate", 3),
                                               ("br", 3)])
def test_a_truncated_compressed_body_is_rejected(make: Any, encoding: str, cut: int) -> None:
    raw = bytes(range(256)) * 200
    packed = {"gzip": gzip.compress, "deflate": zlib.compress,
              "br": lambda b: bytes(brotli.compress(b))}[encoding](raw)
    whole = make(ok(packed, **{"Content-Encoding": encoding}))
    assert whole.fetch("http://example.org/feed").body == raw
    f = make(ok(packed[:-cut], **{"Content-Encoding": encoding}))
    with pytest.raises(FetchError) as exc:
        f.fetch("http://example.org/feed")
    assert exc.value.error_class == "parse" and "truncated" in str(exc.value)
