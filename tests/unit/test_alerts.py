"""The pure part of the change alerts: stable change ids, the signed payload (checked with
the Standard Webhooks library's own verifier), filters, back-off, the Atom feed (parsed back
by feedparser) and the [alerts] settings."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from worker.alerts import (
    WebhookSpec,
    backoff,
    body,
    change_id,
    change_record,
    sentence_line,
    signed_headers,
)
from worker.alerts_atom import atom_feed, entry_id
from worker.config import load_settings
from worker.errors import ConfigError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
ATOM = "{http://www.w3.org/2005/Atom}"


def change(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "claim_id": 77, "article_id": 15, "version_number": 2, "subject": "KP",
        "metric": "killed", "claimant": "KR-NIS", "value": 600, "previous_value": 300,
        "low": 600, "high": 600, "qualifier": "approx", "kind": "article_revision",
        "claimed_at": "2025-05-02T15:00:00+00:00", "url": "https://news.example/euronews",
        "outlet": "Euronews", "sentence": "Around 600 North Korean soldiers were killed.",
        "independent_stories": 4}
    row.update(kw)
    return change_record(row)


def test_a_change_id_depends_on_what_was_stated_not_on_row_ids() -> None:
    a = change()
    assert a["change_id"] == change(claim_id=999)["change_id"]  # re-analysed: new claim row
    assert a["change_id"] == change(previous_value=100)["change_id"]
    for other in ({"value": 700}, {"version_number": 1}, {"claimant": None},
                  {"article_id": 16}, {"kind": "new_report"}):
        assert change(**other)["change_id"] != a["change_id"], other
    assert a["change_id"].startswith("chg_") and a["change_id"] == change_id(a)


def test_the_payload_is_signed_so_the_receivers_library_verifies_it() -> None:
    spec = WebhookSpec(name="desk", url="https://hooks.example/in", secret=SECRET)
    c = change()
    published = datetime(2025, 5, 2, 15, 1, tzinfo=UTC)
    payload = body(c, published_at=published)
    assert payload == body(dict(c), published_at=published)  # the same bytes on every retry
    headers = signed_headers(spec, c["change_id"], payload, datetime.now(UTC))
    assert headers["webhook-id"] == c["change_id"]
    got = Webhook(SECRET).verify(payload, headers)
    assert got["type"] == "figure.changed" and got["data"]["value"] == 600
    assert got["data"]["previous_value"] == 300 and got["timestamp"] == published.isoformat()
    with pytest.raises(WebhookVerificationError):  # another secret
        Webhook("whsec_" + "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=").verify(payload, headers)
    with pytest.raises(WebhookVerificationError):  # a changed body
        Webhook(SECRET).verify(payload.replace("600", "6000", 1), headers)
    old = signed_headers(spec, c["change_id"], payload,
                         datetime.now(UTC) - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError):  # a replayed old attempt
        Webhook(SECRET).verify(payload, old)


def test_filters_by_subject_metric_and_claimant() -> None:
    every = WebhookSpec(name="a", url="https://x", secret=SECRET)
    killed_nis = WebhookSpec(name="b", url="https://x", secret=SECRET, metrics=("killed",),
                             claimants=("KR-NIS",))
    ua = WebhookSpec(name="c", url="https://x", secret=SECRET, subjects=("UA",))
    c = change()
    assert every.wants(c) and killed_nis.wants(c) and not ua.wants(c)
    assert not killed_nis.wants(change(metric="wounded"))
    assert not killed_nis.wants(change(claimant="UA-HUR"))


def test_backoff_doubles_up_to_the_cap_so_an_hour_down_costs_at_most_the_cap() -> None:
    waits = [backoff(n, base=10, cap=600) for n in range(0, 12)]
    assert waits[:6] == [0, 10, 20, 40, 80, 160] and waits[-1] == 600
    assert all(b >= a for a, b in zip(waits, waits[1:], strict=False))
    # a receiver down for an hour: attempts go on, never more than 600 s apart
    t, attempts = 0.0, 0
    while t < 3600:
        attempts += 1
        t += backoff(attempts, base=10, cap=600)
    assert backoff(attempts, base=10, cap=600) == 600 and attempts < 20
    assert backoff(10_000, base=10, cap=600) == 600  # no overflow after days of failures


def test_the_atom_feed_is_valid_atom_with_one_entry_per_change_newest_first() -> None:
    first = change(kind="new_report", version_number=1, value=300, previous_value=100,
                   claimed_at="2025-01-13T06:20:00+00:00", outlet="France 24")
    second = change()
    data = atom_feed([second, first], self_link="https://desk.example/changes.atom")
    assert data == atom_feed([second, first], self_link="https://desk.example/changes.atom")
    feed = feedparser.parse(data)
    assert not feed.bozo and feed.version == "atom10"
    assert [e.id for e in feed.entries] == [entry_id(second["change_id"]),
                                            entry_id(first["change_id"])]
    top = feed.entries[0]
    assert top.title == "KR-NIS: KP killed 300 → 600 (article revision, Euronews)"
    assert top.link == "https://news.example/euronews"
    assert "300 before, 600 now" in top.content[0].value
    assert "Around 600 North Korean soldiers" in top.content[0].value
    assert {t.term for t in top.tags} == {"KP", "killed", "KR-NIS", "article_revision"}
    root = ET.fromstring(data)  # RFC 4287: id, title, updated on the feed and every entry
    for el in (root, *root.findall(f"{ATOM}entry")):
        assert all(el.find(f"{ATOM}{tag}") is not None for tag in ("id", "title", "updated"))
    assert root.find(f"{ATOM}updated").text.startswith("2025-05-02T15:00")  # type: ignore[union-attr]
    assert feedparser.parse(atom_feed([])).feed.title.startswith("Reported figures")


def test_sentence_line_of_a_first_statement_and_an_unattributed_one() -> None:
    assert sentence_line(change(previous_value=None, kind="new_report", outlet=None,
                                claimant=None)) == "unattributed: KP killed 600 (new report)"


def test_webhooks_settings_from_the_file_and_the_environment(tmp_path: Path) -> None:
    cfg = tmp_path / "worker.toml"
    cfg.write_text(f"""
[alerts]
atom_path = "out/changes.atom"
[[alerts.webhooks]]
name = "desk"
url = "https://hooks.example/in"
secret = "{SECRET}"
metrics = ["killed"]
[[alerts.webhooks]]
url = "https://other.example/in"
secret_env = "OTHER_SECRET"
""", encoding="utf-8")
    s = load_settings(cfg, env={"OTHER_SECRET": SECRET})
    assert s.alerts.atom_path == str(tmp_path / "out" / "changes.atom")
    assert [h.get("name") for h in s.alerts.webhooks] == ["desk", None]
    with pytest.raises(ConfigError, match="OTHER_SECRET"):
        load_settings(cfg, env={})
    env = {"WORKER_ALERTS_WEBHOOKS": f'[{{url = "http://127.0.0.1:9/h", secret = "{SECRET}"}}]'}
    assert load_settings(env=env).alerts.webhooks[0]["url"] == "http://127.0.0.1:9/h"


@pytest.mark.parametrize(("entry", "message"), [
    ('{url = "ftp://x", secret = "whsec_AAAA"}', "http:// or https://"),
    ('{url = "https://x"}', "needs secret or secret_env"),
    ('{url = "https://x", secret = "not base64 !!"}', "not a Standard Webhooks secret"),
    ('{url = "https://x", secret = "whsec_AAAA", metric = ["killed"]}', "unknown key metric"),
    ('{url = "https://x", secret = "whsec_AAAA", metrics = "killed"}', "list of strings"),
])
def test_a_bad_webhook_entry_is_one_line_naming_it(entry: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(env={"WORKER_ALERTS_WEBHOOKS": f"[{entry}]"})
    assert "WORKER_ALERTS_WEBHOOKS" in str(info.value) and "\n" not in str(info.value)


def test_the_lineage_dates_are_carried_when_the_changes_have_them() -> None:
    plain = change()
    assert "stated_for" not in plain
    dated = change(stated_for="2025-04-30T00:00:00+00:00",
                   reported_on="2025-05-02T15:00:00+00:00", through_recall=False)
    assert dated["stated_for"].startswith("2025-04-30")
    assert dated["change_id"] == plain["change_id"]  # the id does not depend on them
    entry = feedparser.parse(atom_feed([dated])).entries[0]
    assert "Stated for 2025-04-30." in entry.content[0].value
