"""The fetcher against a real local server that misbehaves slowly or lies: deadlines that
hold while bytes trickle, and the connection going to the address the SSRF guard approved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.httpserver import LocalServer
from worker.config import FetchSettings
from worker.errors import FetchError
from worker.fetch import TOTAL_TIME_FACTOR, Fetcher


@pytest.fixture
def srv() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def local_fetcher(**settings: Any) -> Fetcher:
    return Fetcher(FetchSettings(host_delay=0, allow_private_networks=True,
                                 **settings),
                   base_dir=Path("/"))


def test_a_body_dripping_one_byte_a_second_is_cut_at_the_total_deadline(
        srv: LocalServer) -> None:
    srv.route("/drip", body=b"x" * 120, drip=1.0)
    timeout = 1.0
    deadline = timeout * TOTAL_TIME_FACTOR
    with local_fetcher(timeout=timeout) as f:
        started = time.monotonic()
        with pytest.raises(FetchError) as exc:
            f.fetch(srv.url("/drip"))
        took = time.monotonic() - started
    assert exc.value.error_class == "timeout"
    # every byte arrives within the read timeout, so only the total deadline can stop it;
    # it is checked after each read, so at most one second (one byte) late
    assert deadline <= took < deadline + 1.5


def test_a_slow_body_that_ends_within_the_deadline_is_read_whole(srv: LocalServer) -> None:
    srv.route("/drip", body=b"abc", drip=0.3)
    with local_fetcher(timeout=1.0) as f:
        assert f.fetch(srv.url("/drip")).body == b"abc"
