"""What follows new claims, after each daemon cycle (`[alerts] interval`), each replay and
`worker alerts deliver`: the announcements are rebuilt, new changes go into the outbox, the
Atom file is rewritten and the webhooks receive what they have not had yet (see worker.alerts
for why nothing is lost)."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from worker.alerts import (
    WebhookSpec,
    backoff,
    body,
    change_record,
    signed_headers,
    webhook_specs,
)
from worker.alerts_atom import atom_feed
from worker.config import Settings
from worker.errors import WorkerError
from worker.store import alerts as store
from worker.store import announcements
from worker.store.db import database_failure
from worker.store.models import utcnow
from worker.webhook_settings import webhook_secret

log = logging.getLogger(__name__)


@dataclass
class PublishReport:
    announcements_rebuilt: int = 0
    published: int = 0
    atom_written: bool = False
    delivered: dict[str, int] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"announcements_rebuilt": self.announcements_rebuilt,
                "published": self.published, "atom_written": self.atom_written,
                "delivered": self.delivered, "failed": self.failed}


def specs(settings: Settings) -> list[WebhookSpec]:
    hooks = settings.alerts.webhooks
    return webhook_specs(hooks, [webhook_secret(h, os.environ) for h in hooks])


def after_ingest(factory: sessionmaker[Session], settings: Settings, *,
                 stop: threading.Event | None = None,
                 client: httpx.Client | None = None) -> PublishReport:
    """Every step in its own transaction; a step that fails is logged and the others still
    run: the claims are stored already, and the next call catches up."""
    report = PublishReport()
    try:
        with factory() as session, session.begin():
            report.announcements_rebuilt = len(announcements.refresh(session))
    except SQLAlchemyError as exc:  # a full disk, a lost server: one line, no traceback
        log.error("could not rebuild the announcements; the next cycle tries again: %s",
                  database_failure(exc))
    except Exception:  # noqa: BLE001 - derived data; the next cycle rebuilds it
        log.exception("could not rebuild the announcements; the next cycle tries again")
    try:
        with factory() as session, session.begin():
            report.published = store.publish_new(session)
    except SQLAlchemyError as exc:
        log.error("could not publish the new changes; the next cycle tries again: %s",
                  database_failure(exc))
        return report
    except Exception:  # noqa: BLE001 - the next scan finds the same changes
        log.exception("could not publish the new changes; the next cycle tries again")
        return report
    if settings.alerts.atom_path:
        try:
            report.atom_written = write_atom_file(factory, settings,
                                                  only_if_new=report.published == 0)
        except (OSError, WorkerError):
            log.exception("could not write the Atom file %s", settings.alerts.atom_path)
    if settings.alerts.webhooks:
        own = client is None
        client = client or http_client(settings)
        try:
            for spec in specs(settings):
                if stop is not None and stop.is_set():
                    break
                n, error = deliver(factory, settings, spec, client, stop=stop)
                report.delivered[spec.name] = n
                if error:
                    report.failed[spec.name] = error
        finally:
            if own:
                client.close()
    return report


def write_atom_file(factory: sessionmaker[Session], settings: Settings, *,
                    only_if_new: bool = False) -> bool:
    """Rewrite `[alerts] atom_path` with the newest published changes, atomically (a reader
    sees the old file or the new one, never half of one)."""
    path = Path(settings.alerts.atom_path)
    if only_if_new and path.exists():
        return False
    with factory() as session:
        changes = store.newest(session, settings.alerts.atom_entries)
    data = atom_feed(changes, self_link=settings.alerts.atom_link)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
    return True


def changes_atom(factory: sessionmaker[Session], settings: Settings, *,
                 limit: int | None = None, **filters: Any) -> bytes:
    """`worker changes --atom`: the changes the filters select, newest first, as Atom."""
    with factory() as session:
        rows = store.current_changes(session, **filters)
    newest = [change_record(r) for r in reversed(rows)][: limit or settings.alerts.atom_entries]
    return atom_feed(newest, self_link=settings.alerts.atom_link)


def http_client(settings: Settings) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(settings.alerts.timeout),
                        follow_redirects=False,
                        headers={"user-agent": settings.fetch.user_agent})


def worker_id(settings: Settings) -> str:
    return settings.daemon.worker_id or f"{socket.gethostname()}:{os.getpid()}"


def deliver(factory: sessionmaker[Session], settings: Settings, spec: WebhookSpec,
            client: httpx.Client, *, stop: threading.Event | None = None,
            ) -> tuple[int, str | None]:
    """POST the changes after the webhook's cursor, oldest first, each committed as it is
    answered; stop at the first failure (its back-off set) or after `[alerts] batch_size`.
    Returns (delivered, the failure if one stopped it)."""
    a = settings.alerts
    me = worker_id(settings)
    hold = 2 * a.timeout + 5
    with factory() as session, session.begin():
        store.sync_endpoints(session, [(spec.name, spec.url)])
    delivered = 0
    try:
        while delivered < a.batch_size and not (stop is not None and stop.is_set()):
            with factory() as session, session.begin():
                endpoint = store.lease(session, spec.name, me, hold)
                if endpoint is None:
                    return delivered, None  # backing off, or another worker has it
                items = store.pending(session, endpoint.cursor, 50)
                failures = endpoint.failures
            if not items:
                return delivered, None
            for item in items:
                if not spec.wants(item.payload):
                    with factory() as session, session.begin():
                        store.skip_to(session, spec.name, item.id)
                    continue
                ok, status, error, ms = _post(client, spec, item.change_id, item.payload,
                                              item.created_at)
                wait = None if ok else utcnow() + timedelta(
                    seconds=backoff(failures + 1, base=a.backoff_base, cap=a.backoff_cap))
                with factory() as session, session.begin():
                    store.record(session, spec.name, item, attempt=failures + 1, ok=ok,
                                 status=status, error=error, duration_ms=ms,
                                 next_attempt_at=wait)
                    if ok:
                        store.lease(session, spec.name, me, hold)  # renewed per change
                if not ok:
                    log.warning("webhook %s: %s; next attempt in %.0f s", spec.name, error,
                                backoff(failures + 1, base=a.backoff_base, cap=a.backoff_cap))
                    return delivered, error
                delivered += 1
                failures = 0
                if delivered >= a.batch_size or (stop is not None and stop.is_set()):
                    break
    finally:
        with factory() as session, session.begin():
            store.release(session, spec.name, me)
    return delivered, None


def _post(client: httpx.Client, spec: WebhookSpec, message_id: str, change: dict[str, Any],
          published_at: Any) -> tuple[bool, int | None, str | None, int]:
    payload = body(change, published_at=published_at)
    started = time.monotonic()
    try:
        response = client.post(spec.url, content=payload.encode(),
                               headers=signed_headers(spec, message_id, payload, utcnow()))
    except httpx.HTTPError as exc:
        ms = int((time.monotonic() - started) * 1000)
        return False, None, f"{type(exc).__name__}: {exc}"[:500], ms
    ms = int((time.monotonic() - started) * 1000)
    if 200 <= response.status_code < 300:
        return True, response.status_code, None, ms
    return False, response.status_code, f"HTTP {response.status_code}", ms
