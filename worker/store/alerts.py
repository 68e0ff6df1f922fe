"""Change alerts in the database: the changes to publish (with their stable ids), the outbox,
each webhook's cursor, lease and back-off, and the delivery log (see worker.alerts for the
rule that makes delivery at least once)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from worker.alerts import change_id, change_record
from worker.store import queries
from worker.store.models import (
    AlertDelivery,
    AlertEndpoint,
    AlertOutbox,
    ClaimReview,
    DerivedState,
    FigureClaim,
    utcnow,
)

STATE = "alerts:changes"
_LOCK_KEY = 7_214_001  # PostgreSQL advisory lock: one publisher at a time


def _check(alias: Any = FigureClaim) -> Any:
    """A checksum of the claim fields a change depends on, so an update in place (a review,
    an inferred claimant) shows even when no claim is added or removed."""
    return func.coalesce(func.sum(
        alias.value % 9973 + func.length(func.coalesce(alias.claimant, "")) * 31
        + func.length(func.coalesce(alias.subject, "")) * 17
        + func.length(alias.metric) * 13 + func.length(alias.modality) * 11
        + case((alias.recalled, 5), else_=0) + case((alias.partial, 7), else_=0)
        + case((alias.excluded, 19), else_=0)), 0)


def _state(session: Session) -> tuple[int, int, int, str]:
    """(claims, largest claim id, checksum, reviews) of the claims now."""
    n, top, check = session.execute(select(func.count(), func.coalesce(func.max(
        FigureClaim.id), 0), _check())).one()
    reviews = session.execute(select(func.count(), func.max(ClaimReview.id))).one()
    return int(n), int(top), int(check), f"{reviews[0]}:{reviews[1]}"


def claims_fingerprint(session: Session) -> str:
    return ":".join(map(str, _state(session)))


def current_changes(session: Session, **filters: Any) -> list[dict[str, Any]]:
    """The changes (`queries.changes`, which reads the materialised lineage, and its
    filters), each with the alerts' `change_id`: the one read of changes the alerts make. The
    id is derived from what was stated (see worker.alerts.change_id), so it stayed the same
    when the changes moved from the views to the lineage tables."""
    rows = queries.changes(session, **filters)
    for row in rows:
        row["change_id"] = change_id(row)
    return rows


def _lock(session: Session) -> None:
    """Serialise publishers, so outbox ids are given in commit order (a webhook's cursor must
    never pass an id that commits later). SQLite's BEGIN IMMEDIATE already does."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _changed_series(session: Session, last: tuple[int, int, int, str],
                    now: tuple[int, int, int, str]) -> list[dict[str, Any]] | None:
    """The series touched since the last scan, when the only difference is claims added
    (then only their series can have new changes: a series is computed from its own claims);
    None when claims were also removed or changed in place (the scan must see everything)."""
    n, top, check, reviews = last
    new = session.execute(select(func.count(), _check()).where(FigureClaim.id > top)).one()
    if (now[0] - n, now[2] - check, now[3]) != (int(new[0]), int(new[1]), reviews):
        return None
    rows = session.execute(select(FigureClaim.subject, FigureClaim.metric,
                                  FigureClaim.claimant).where(FigureClaim.id > top)
                           .distinct()).all()
    return [{"subject": r[0], "metric": r[1], "claimant": r[2]} for r in rows]


def publish_new(session: Session, *, force: bool = False) -> int:
    """Put every change not yet in the outbox into it, oldest first; returns how many. In the
    caller's transaction. Skipped when the claims did not change since the last scan; only
    the touched series are read when claims were only added."""
    _lock(session)
    now = _state(session)
    fingerprint = ":".join(map(str, now))
    state = session.get(DerivedState, STATE)
    if state is not None and state.fingerprint == fingerprint and not force:
        return 0
    series = None
    if state is not None and not force:
        parts = state.fingerprint.split(":")
        if len(parts) == 5:
            last = (int(parts[0]), int(parts[1]), int(parts[2]), f"{parts[3]}:{parts[4]}")
            series = _changed_series(session, last, now)
    if series is None:
        changes = current_changes(session)
    else:  # an unattributed series is read with every claimant of its subject and metric
        changes = [c for key in series for c in current_changes(session, **key)]
    changes.sort(key=lambda c: (str(c["claimed_at"]), c["claim_id"]))  # as reported
    known: set[str] = set()
    ids = [c["change_id"] for c in changes]
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        known.update(session.scalars(select(AlertOutbox.change_id).where(
            AlertOutbox.change_id.in_(chunk))))
    fresh = []
    for c in changes:
        if c["change_id"] in known:
            continue
        known.add(c["change_id"])
        fresh.append({"change_id": c["change_id"], "subject": c.get("subject"),
                      "metric": c["metric"], "claimant": c.get("claimant"),
                      "payload": change_record(c), "created_at": utcnow()})
    if fresh:
        session.execute(insert(AlertOutbox), fresh)
    if state is None:
        session.add(DerivedState(name=STATE, fingerprint=fingerprint))
    else:
        state.fingerprint, state.updated_at = fingerprint, utcnow()
    session.flush()
    return len(fresh)


def newest(session: Session, limit: int) -> list[dict[str, Any]]:
    """The payloads of the `limit` most recently published changes, newest first."""
    return [o.payload for o in session.scalars(
        select(AlertOutbox).order_by(AlertOutbox.id.desc()).limit(limit))]


def outbox_size(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AlertOutbox)) or 0


def sync_endpoints(session: Session, names_urls: list[tuple[str, str]]) -> None:
    """A row for every configured webhook (a new one starts at the beginning of the outbox:
    it receives every change published so far)."""
    for name, url in names_urls:
        row = session.get(AlertEndpoint, name)
        if row is None:
            session.add(AlertEndpoint(name=name, url=url, cursor=0, delivered=0, failures=0))
        elif row.url != url:
            row.url = url
    session.flush()


def lease(session: Session, name: str, worker_id: str, seconds: float,
          now: datetime | None = None) -> AlertEndpoint | None:
    """Take the webhook `name` for `seconds` if it is due (its back-off over) and nobody else
    holds it; None otherwise."""
    now = now or utcnow()
    taken = session.execute(
        update(AlertEndpoint)
        .where(AlertEndpoint.name == name,
               or_(AlertEndpoint.lease_until.is_(None), AlertEndpoint.lease_until < now,
                   AlertEndpoint.leased_by == worker_id),
               or_(AlertEndpoint.next_attempt_at.is_(None), AlertEndpoint.next_attempt_at <= now))
        .values(leased_by=worker_id, lease_until=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False))
    if getattr(taken, "rowcount", 0) != 1:
        return None
    return session.get(AlertEndpoint, name, populate_existing=True)


def pending(session: Session, after: int, limit: int) -> list[AlertOutbox]:
    return list(session.scalars(select(AlertOutbox).where(AlertOutbox.id > after)
                                .order_by(AlertOutbox.id).limit(limit)))


def skip_to(session: Session, name: str, outbox_id: int) -> None:
    """Move the cursor past changes this webhook's filters leave out."""
    session.execute(update(AlertEndpoint).where(AlertEndpoint.name == name,
                                                AlertEndpoint.cursor < outbox_id)
                    .values(cursor=outbox_id, updated_at=utcnow()))


def record(session: Session, name: str, item: AlertOutbox, *, attempt: int, ok: bool,
           status: int | None, error: str | None, duration_ms: int,
           next_attempt_at: datetime | None) -> None:
    """Log one attempt; on success move the cursor past the change, on failure count it and
    set when the next attempt may be made."""
    session.add(AlertDelivery(endpoint=name, outbox_id=item.id, change_id=item.change_id,
                              attempt=attempt, ok=ok, status=status, error=error,
                              duration_ms=duration_ms, at=utcnow()))
    values: dict[str, Any] = {"last_status": status, "last_error": error,
                              "updated_at": utcnow()}
    if ok:
        values.update(cursor=item.id, failures=0, next_attempt_at=None,
                      delivered=AlertEndpoint.delivered + 1)
    else:
        values.update(failures=AlertEndpoint.failures + 1, next_attempt_at=next_attempt_at)
    session.execute(update(AlertEndpoint).where(AlertEndpoint.name == name).values(**values))
    session.flush()


def release(session: Session, name: str, worker_id: str) -> None:
    session.execute(update(AlertEndpoint).where(AlertEndpoint.name == name,
                                                AlertEndpoint.leased_by == worker_id)
                    .values(leased_by=None, lease_until=None))


def status(session: Session) -> list[dict[str, Any]]:
    """Every webhook's state: delivered, waiting (changes after its cursor), failures, when it
    is tried next, the last answer."""
    top = session.scalar(select(func.max(AlertOutbox.id))) or 0
    out = []
    for e in session.scalars(select(AlertEndpoint).order_by(AlertEndpoint.name)):
        waiting = session.scalar(select(func.count()).select_from(AlertOutbox).where(
            AlertOutbox.id > e.cursor)) or 0
        out.append({"name": e.name, "url": e.url, "cursor": e.cursor, "outbox": top,
                    "waiting": waiting, "delivered": e.delivered, "failures": e.failures,
                    "next_attempt_at": e.next_attempt_at.isoformat() if e.next_attempt_at
                    else None, "last_status": e.last_status, "last_error": e.last_error})
    return out


def deliveries(session: Session, *, endpoint: str | None = None,
               limit: int = 50) -> list[dict[str, Any]]:
    """The delivery log, newest first."""
    q = select(AlertDelivery).order_by(AlertDelivery.id.desc()).limit(limit)
    if endpoint is not None:
        q = q.where(AlertDelivery.endpoint == endpoint)
    return [{"endpoint": d.endpoint, "change_id": d.change_id, "outbox_id": d.outbox_id,
             "attempt": d.attempt, "at": d.at.isoformat(), "ok": d.ok, "status": d.status,
             "error": d.error, "duration_ms": d.duration_ms} for d in session.scalars(q)]
