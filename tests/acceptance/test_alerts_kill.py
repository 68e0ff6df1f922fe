"""A worker killed (SIGKILL) while a change is on its way to a webhook: after a restart the
daemon delivers every change, in order, to a receiver that hung, then erred, then recovered.
Real processes, a real SQLite file, a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select
from standardwebhooks import Webhook

from tests.helpers.cli import worker_env
from tests.helpers.paths import ROOT, SEEDS
from tests.integration.webhook_receiver import Receiver
from worker.store.db import make_engine, session_factory
from worker.store.models import AlertDelivery, AlertEndpoint, AlertOutbox

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def _wait(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _state(db_url: str) -> tuple[list[str], list[AlertEndpoint], list[AlertDelivery]]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as s:
            return (list(s.scalars(select(AlertOutbox.change_id).order_by(AlertOutbox.id))),
                    list(s.scalars(select(AlertEndpoint))),
                    list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id))))
    finally:
        engine.dispose()


def test_killed_while_delivering_then_restarted_delivers_everything_in_order(
        sqlite_url: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text("# no feeds: this daemon only publishes\n", encoding="utf-8")
    with Receiver(hang_seconds=60) as rx:
        rx.script = ["hang"]
        env = worker_env(
            sqlite_url, WORKER_ALERTS_WEBHOOKS=f'[{{name = "desk", url = "{rx.url}", '
                                               f'secret = "{SECRET}"}}]',
            WORKER_ALERTS_TIMEOUT="3", WORKER_ALERTS_BACKOFF_BASE="0.2",
            WORKER_ALERTS_BACKOFF_CAP="1", WORKER_ALERTS_INTERVAL="0.5",
            WORKER_PIPELINE_FEEDS_FILE=str(feeds), WORKER_DAEMON_METRICS_PORT="0",
            WORKER_DAEMON_TICK_SECONDS="0.5")
        replay = subprocess.Popen([sys.executable, "-m", "worker", "replay", str(SEEDS)],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _wait(lambda: len(rx.requests) >= 1, 120, "the first delivery attempt")
        finally:
            os.killpg(replay.pid, signal.SIGKILL)  # mid-POST: the receiver has not answered
            replay.wait(30)
        outbox, endpoints, log = _state(sqlite_url)
        assert len(outbox) >= 10  # stored and published, but not delivered:
        assert [e.cursor for e in endpoints] == [0] and not any(d.ok for d in log)
        first = rx.requests[0].headers["webhook-id"]
        assert first == outbox[0]

        rx.script = ["fail", "ok"]  # when it comes back it errs once, then recovers
        rx.release.set()
        daemon = subprocess.Popen([sys.executable, "-m", "worker", "run"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True, start_new_session=True)
        try:
            _wait(lambda: len(rx.delivered_ids()) >= len(outbox), 120,
                  f"{len(outbox)} deliveries after the restart")
        finally:
            daemon.send_signal(signal.SIGTERM)
            try:
                _, stderr = daemon.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(daemon.pid, signal.SIGKILL)
                raise
        assert daemon.returncode == 0, stderr[-2000:]
        requests = list(rx.requests)

    # at least once: the change in flight at the kill was sent again (same webhook-id);
    # never lost, in order, each acknowledged change once
    assert rx.delivered_ids() == outbox
    assert [r.headers["webhook-id"] for r in requests[:3]] == [first, first, first]
    assert [r.answer for r in requests[:3]] == ["hang", "fail", "ok"]
    for r in requests:
        assert Webhook(SECRET).verify(r.body, r.headers)["data"]["change_id"] == (
            r.headers["webhook-id"])
    _, endpoints, log = _state(sqlite_url)
    assert endpoints[0].cursor > 0 and endpoints[0].delivered == len(outbox)
    assert [d.ok for d in log][:2] == [False, True] and log[0].status == 500
