"""Change alerts, the pure part: what identifies a change, what a webhook receives, which
webhook wants which change, and when a failed delivery is tried again. The I/O is in
`worker.alerts_publish` (the outbox, the HTTP POSTs, the Atom file) and `worker.store.alerts`.

The rule that makes delivery at least once and never lost:

- A change is identified by its content, not by a row id: `change_id` hashes the article, its
  version, the series and the value, so re-analysing an article (new claim rows) or rebuilding
  the lineage tables gives the same id, and a change already published is never published
  twice.
- Every change found is put in the outbox (`alert_outbox`, unique on the change id) by a scan
  of the changes after each cycle: a worker killed after storing claims and before publishing
  publishes them at the next scan, whoever runs it.
- Each webhook has a cursor into the outbox: the changes after it are POSTed in outbox order,
  one at a time, and the cursor moves past a change only once the receiver answered 2xx (a
  kill in between sends that change again: same `webhook-id`, which is the idempotency key).
  A failure stops that webhook until its back-off has passed, so nothing is skipped: a
  receiver down for an hour gets every change, in order, when it comes back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EVENT_TYPE = "figure.changed"
# What a change says, in the payload and the Atom entry (the `worker changes` columns).
CHANGE_FIELDS = (
    "change_id", "kind", "subject", "metric", "claimant", "value", "previous_value", "low",
    "high", "qualifier", "claimed_at", "url", "outlet", "sentence",
    "independent_stories", "article_id", "version_number", "claim_id",
)


# Carried too when the changes query gives them (the materialised lineage's dates).
OPTIONAL_FIELDS = ("stated_for", "reported_on", "through_recall", "refers_to", "title",
                   "language")


def change_id(row: Mapping[str, Any]) -> str:
    """The stable id of a change: the same article version stating the same value of the same
    series is the same change, whatever row ids the claims have."""
    key = "|".join(str(row.get(k) if row.get(k) is not None else "") for k in (
        "article_id", "version_number", "subject", "metric", "claimant", "value", "kind"))
    return "chg_" + hashlib.sha256(key.encode()).hexdigest()[:24]


def change_record(row: Mapping[str, Any]) -> dict[str, Any]:
    """A change as alerts carry it: the fields of `CHANGE_FIELDS`, JSON-ready."""
    out = {k: row.get(k) for k in CHANGE_FIELDS}
    out.update({k: row[k] for k in OPTIONAL_FIELDS if k in row})
    out["change_id"] = row.get("change_id") or change_id(row)
    for k, v in out.items():
        if isinstance(v, datetime):
            out[k] = v.isoformat()
    return out


def sentence_line(change: Mapping[str, Any]) -> str:
    """"KR-NIS: KP killed 300 → 600 (article revision, Euronews)"."""
    prev = change.get("previous_value")
    moved = f"{prev:,} → {change['value']:,}" if prev is not None else f"{change['value']:,}"
    kind = "article revision" if change.get("kind") == "article_revision" else "new report"
    who = change.get("claimant") or "unattributed"
    where = f", {change['outlet']}" if change.get("outlet") else ""
    return f"{who}: {change.get('subject') or '?'} {change['metric']} {moved} ({kind}{where})"


def body(change: Mapping[str, Any], *, published_at: datetime) -> str:
    """The JSON a webhook receives (Standard Webhooks' recommended envelope), byte for byte
    the same on every retry of the change."""
    return json.dumps({"type": EVENT_TYPE, "timestamp": published_at.isoformat(),
                       "data": dict(change)}, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookSpec:
    """One `[[alerts.webhooks]]` entry; empty filters let everything through."""

    name: str
    url: str
    secret: str
    subjects: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    claimants: tuple[str, ...] = ()

    def wants(self, change: Mapping[str, Any]) -> bool:
        return all(not allowed or change.get(key) in allowed for key, allowed in (
            ("subject", self.subjects), ("metric", self.metrics),
            ("claimant", self.claimants)))


def webhook_specs(hooks: Sequence[Mapping[str, Any]], secrets: Sequence[str],
                  ) -> list[WebhookSpec]:
    return [WebhookSpec(name=str(h.get("name") or h["url"]), url=str(h["url"]), secret=secret,
                        subjects=tuple(h.get("subjects", ())),
                        metrics=tuple(h.get("metrics", ())),
                        claimants=tuple(h.get("claimants", ())))
            for h, secret in zip(hooks, secrets, strict=True)]


def signed_headers(spec: WebhookSpec, message_id: str, payload: str,
                   now: datetime) -> dict[str, str]:
    """The Standard Webhooks headers for one attempt: the id stays, the timestamp is the
    attempt's (receivers refuse old ones), the signature covers id, timestamp and body."""
    from standardwebhooks import Webhook

    signature = Webhook(spec.secret).sign(message_id, now, payload)
    return {"content-type": "application/json", "webhook-id": message_id,
            "webhook-timestamp": str(int(now.timestamp())), "webhook-signature": signature}


def backoff(failures: int, *, base: float, cap: float) -> float:
    """Seconds before the next attempt after `failures` consecutive failures: doubling from
    `base`, never more than `cap`, so a receiver back after a long outage waits at most
    `cap` for its backlog."""
    if failures <= 0:
        return 0.0
    return float(min(cap, base * 2 ** min(failures - 1, 40)))
