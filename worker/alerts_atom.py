"""The changes as an Atom feed (RFC 4287), written by feedgen: one entry per change, newest
first, its id the change's stable id, so a feed reader shows each change once however often
the feed is rebuilt. Pure: change records (`worker.alerts.change_record`) in, bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from worker.alerts import sentence_line

FEED_ID = "tag:dprk-ru-news-worker,2025:changes"
TITLE = "Reported figures: changes (North Korean troops in Russia's war)"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def entry_id(change_id: str) -> str:
    return f"tag:dprk-ru-news-worker,2025:change:{change_id}"


def _when(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if value:
        parsed = datetime.fromisoformat(str(value))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return EPOCH


def _stories(n: int) -> str:
    return "1 independent story carries" if n == 1 else f"{n} independent stories carry"


def _content(c: dict[str, Any]) -> str:
    prev = c.get("previous_value")
    lines = [
        f"{c.get('claimant') or 'Unattributed'} on {c.get('subject') or '?'} {c['metric']}: "
        + (f"{prev:,} before, {c['value']:,} now" if prev is not None
           else f"{c['value']:,} (first statement)")
        + f" ({c.get('qualifier')}).",
        f"Kind: {c.get('kind')}; reported on {str(c.get('claimed_at'))[:10]}"
        + (f" by {c['outlet']}" if c.get("outlet") else "")
        + f"; {_stories(c.get('independent_stories') or 1)} the value.",
        *([f"Stated for {str(c['stated_for'])[:10]}"
           + (" (known through a later report recalling it)" if c.get("through_recall")
              else "") + "."] if c.get("stated_for") else []),
        f"Sentence: {c.get('sentence')}",
        f"Link: {c.get('url')}",
    ]
    return "\n".join(lines)


def atom_feed(changes: Sequence[dict[str, Any]], *, self_link: str = "") -> bytes:
    """The feed of `changes` (given newest first). Its `updated` is the newest entry's, so
    the same changes give the same bytes."""
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(FEED_ID)
    fg.title(TITLE)
    fg.author({"name": "dprk-ru-news-worker"})
    fg.subtitle("Every change of a reported figure: who claimed it, the value before and "
                "after, the outlet and the sentence.")
    if self_link:
        fg.link(href=self_link, rel="self")
    fg.language("en")
    newest = EPOCH
    for c in changes:
        when = _when(c.get("claimed_at"))
        newest = max(newest, when)
        fe = fg.add_entry(order="append")
        fe.id(entry_id(str(c["change_id"])))
        fe.title(sentence_line(c))
        fe.updated(when)
        fe.published(when)
        if c.get("url"):
            fe.link(href=str(c["url"]), rel="alternate")
        fe.author({"name": str(c.get("outlet") or "unknown outlet")})
        for term in (c.get("subject"), c.get("metric"), c.get("claimant"), c.get("kind")):
            if term:
                fe.category(term=str(term))
        fe.content(_content(c), type="text")
    fg.updated(newest)
    out: bytes = fg.atom_str(pretty=True)
    return out
