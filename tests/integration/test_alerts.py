"""Change alerts end to end (SQLite and PostgreSQL): the fixture feed's changes go into the
outbox once, a webhook receives each of them signed and in order through an outage, errors
and a hang, filters hold, the delivery log tells what happened, and the Atom file follows."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEEDS
from tests.integration.webhook_receiver import Receiver
from worker.alerts_publish import after_ingest
from worker.config import load_settings
from worker.store import alerts as store
from worker.store.db import make_engine, session_factory
from worker.store.models import (
    AlertDelivery,
    AlertOutbox,
    Article,
    ArticleVersion,
    DerivedState,
    FigureClaim,
)
from worker.store.stories import refresh_lineage

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
KEY = ("KP", "killed", "KR-NIS")


def _settings(db_url: str, tmp_path: Path, hooks: str, **extra: str):  # type: ignore[no-untyped-def]
    env = {"WORKER_DATABASE_URL": db_url, "WORKER_ALERTS_WEBHOOKS": hooks,
           "WORKER_ALERTS_TIMEOUT": "1", "WORKER_ALERTS_BACKOFF_BASE": "0.05",
           "WORKER_ALERTS_BACKOFF_CAP": "0.2",
           "WORKER_ALERTS_ATOM_PATH": str(tmp_path / "feed" / "changes.atom"), **extra}
    return load_settings(env=env)


def _outbox(factory: sessionmaker[Session]) -> list[str]:
    with factory() as s:
        return list(s.scalars(select(AlertOutbox.change_id).order_by(AlertOutbox.id)))


def test_delivery_survives_an_outage_errors_and_a_hang_in_order(db_url: str,
                                                                tmp_path: Path) -> None:
    assert run_worker(["replay", str(SEEDS)], db_url).returncode == 0  # publishes the changes
    engine = make_engine(db_url)
    factory = session_factory(engine)
    try:
        outbox = _outbox(factory)
        assert len(outbox) >= 10 and len(set(outbox)) == len(outbox)
        # a worker killed after storing the claims and before publishing leaves them out of
        # the outbox: the next scan, by whoever runs it, publishes the same changes
        with factory() as s, s.begin():
            s.execute(delete(AlertOutbox))
            s.execute(delete(DerivedState).where(DerivedState.name == store.STATE))
        down = Receiver()  # a port nobody listens on: the receiver is down
        port = down.port
        down.stop()
        hooks = (f'[{{name = "desk", url = "http://127.0.0.1:{port}/desk", '
                 f'secret = "{SECRET}"}}, {{name = "killed", url = '
                 f'"http://127.0.0.1:{port}/killed", secret = "{SECRET}", '
                 f'metrics = ["killed"], claimants = ["KR-NIS"]}}]')
        settings = _settings(db_url, tmp_path, hooks)
        report = after_ingest(factory, settings)
        assert report.published == len(outbox) and _outbox(factory) == outbox
        assert set(report.failed) == {"desk", "killed"}  # connection refused
        assert after_ingest(factory, settings).published == 0  # each change published once
        atom = feedparser.parse((tmp_path / "feed" / "changes.atom").read_bytes())
        assert not atom.bozo and len(atom.entries) == len(outbox)

        rx = Receiver(port, hang_seconds=5).start()  # back, but it errs twice, then hangs
        rx.script = ["fail", "fail", "ok", "hang", "ok"]
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                after_ingest(factory, settings)
                with factory() as s:
                    waiting = {e["name"]: e["waiting"] for e in store.status(s)}
                if not any(waiting.values()):
                    break
                time.sleep(0.1)
            else:
                raise AssertionError(f"not everything delivered: {waiting}")
        finally:
            rx.stop()
        with factory() as s:
            log = list(s.scalars(select(AlertDelivery).order_by(AlertDelivery.id)))
            status = {e["name"]: e for e in store.status(s)}
            killed = list(s.scalars(select(AlertOutbox.change_id).where(
                AlertOutbox.metric == "killed", AlertOutbox.claimant == "KR-NIS")
                .order_by(AlertOutbox.id)))
    finally:
        engine.dispose()

    for r in rx.requests:  # every attempt is signed; the receiver's own library verifies it
        assert Webhook(SECRET).verify(r.body, r.headers)["data"]["change_id"] == (
            r.headers["webhook-id"])
    # everything, in outbox order, each acknowledged change once; the filter holds
    assert rx.delivered_ids("/desk") == outbox
    assert rx.delivered_ids("/killed") == killed and len(killed) >= 3
    assert [r.answer for r in rx.requests][:4] == ["fail", "fail", "ok", "hang"]
    assert {d.endpoint for d in log} == {"desk", "killed"}
    assert any(d.status is None and "ConnectError" in (d.error or "") for d in log)
    assert any(d.status == 500 for d in log) and any("Timeout" in (d.error or "") for d in log)
    assert max(d.attempt for d in log) >= 3  # the head change was tried again and again
    assert sum(d.ok for d in log) == len(outbox) + len(killed)
    assert status["desk"]["delivered"] == len(outbox) and status["desk"]["failures"] == 0


def test_changes_atom_and_alerts_commands(sqlite_url: str, tmp_path: Path) -> None:
    assert run_worker(["replay", str(SEEDS)], sqlite_url).returncode == 0
    listed = run_worker(["changes", "--subject", "KP", "--metric", "killed", "--json"],
                        sqlite_url)
    atom = run_worker(["changes", "--subject", "KP", "--metric", "killed", "--atom"],
                      sqlite_url)
    assert atom.returncode == 0, atom.stderr
    feed = feedparser.parse(atom.stdout.encode())
    changes = json.loads(listed.stdout)
    assert not feed.bozo and len(feed.entries) == len(changes) >= 3
    assert [e.updated[:10] for e in feed.entries] == [
        c["claimed_at"][:10] for c in reversed(changes)]  # newest first
    assert all(e.id.startswith("tag:dprk-ru-news-worker,2025:change:chg_") for e in feed.entries)
    revision = next(e for e in feed.entries if "article revision" in e.title)
    assert revision.title == "KR-NIS: KP killed 300 → 600 (article revision, Euronews)"
    assert revision.link.startswith("https://www.euronews.com/")
    both = run_worker(["changes", "--atom", "--json"], sqlite_url)
    assert both.returncode == 2 and "--atom cannot be combined" in both.stderr
    status = run_worker(["alerts", "status", "--json"], sqlite_url)
    assert json.loads(status.stdout) == {"published": len(json.loads(run_worker(
        ["changes", "--json"], sqlite_url).stdout)), "webhooks": []}
    deliver = run_worker(["alerts", "deliver", "--json"], sqlite_url)
    assert deliver.returncode == 0 and json.loads(deliver.stdout)["published"] == 0


def test_new_claims_are_published_by_reading_only_their_series(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_worker(["replay", str(SEEDS)], db_url).returncode == 0
    engine = make_engine(db_url)
    factory = session_factory(engine)
    reads: list[dict[str, object]] = []
    real = store.current_changes

    def spy(session: Session, **filters: object) -> list[dict[str, object]]:
        reads.append(filters)
        return real(session, **filters)

    monkeypatch.setattr(store, "current_changes", spy)
    try:
        with factory() as s, s.begin():
            assert store.publish_new(s) == 0  # the replay published everything already
        published = datetime(2025, 10, 1, 9, tzinfo=UTC)
        with factory() as s, s.begin():
            a = Article(canonical_url="https://ex.com/oct", url="https://ex.com/oct",
                        title="October", outlet="Yonhap", language="en",
                        published_at=published, relevant=True, relevance=9.0, fingerprint="o")
            s.add(a)
            s.flush()
            v = ArticleVersion(article_id=a.id, number=1, fetched_at=published, text="t",
                               fingerprint="o1")
            s.add(v)
            s.flush()
            claim = FigureClaim(version_id=v.id, article_id=a.id, metric="killed",
                                subject="KP", value=5000, low=5000, high=5000,
                                qualifier="approx", modality="reported", claimant="KR-NIS",
                                sentence="About 5,000 were killed.", start=0, end=5,
                                claimed_at=published)
            s.add(claim)
            s.flush()
            refresh_lineage(s, {KEY})  # as the writer does
        with factory() as s, s.begin():
            assert store.publish_new(s) == 1
        assert reads == [{"subject": "KP", "metric": "killed", "claimant": "KR-NIS"}]
        with factory() as s:
            [last] = store.newest(s, 1)
        assert (last["value"], last["previous_value"], last["outlet"]) == (5000, 2000, "Yonhap")
        with factory() as s, s.begin():  # corrected in place (a review): a full scan
            s.get(FigureClaim, claim.id).value = 6000  # type: ignore[union-attr]
            s.flush()
            refresh_lineage(s, {KEY})
        with factory() as s, s.begin():
            assert store.publish_new(s) == 1
        assert reads[-1] == {}
        with factory() as s, s.begin():
            assert store.publish_new(s) == 0
    finally:
        engine.dispose()
