"""The daemon against a real, misbehaving HTTP server on 127.0.0.1, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.helpers.server import LocalServer, Reply, gzip_bomb, rss
from tests.helpers.world import EDITED, World, atom, items, now_rfc, recheck_now
from worker.errors import FetchError
from worker.fetch import Fetcher
from worker.store.feeds import claim_feeds, release_leases
from worker.store.models import (
    Article,
    ArticleEvent,
    ArticleVersion,
    Feed,
    FeedItem,
    FetchEvent,
    utcnow,
)

# -- feeds that work -----------------------------------------------------------------------

def test_200_with_items_stores_articles_items_validators_and_an_event(world: World) -> None:
    srv = world.srv
    srv.route("/feed", body=rss(items(srv, 3)), headers={"ETag": '"v1"'}, conditional=True)
    url = world.add("/feed", name="Local")
    summary = world.cycle()
    assert summary["polls"] == {"ok": 1}
    assert sum(summary["items"].values()) == 3
    f = world.feed(url)
    assert (f.etag, f.consecutive_failures, f.items_seen) == ('"v1"', 0, 3)
    assert f.last_success_at is not None and f.next_poll_at > utcnow()
    assert f.leased_by is None
    assert world.count(FeedItem) == 3 and world.count(Article) == 3
    assert world.count(FetchEvent) == 1
    assert srv.seen("/feed")[0].headers["user-agent"].startswith("dprk-ru-news-worker")


def test_304_sends_validators_and_keeps_everything(world: World) -> None:
    srv = world.srv
    srv.route("/feed", body=rss(items(srv, 1)),
              headers={"ETag": '"v1"', "Last-Modified": "Fri, 02 May 2025 10:00:00 GMT"},
              conditional=True)
    url = world.add("/feed")
    world.cycle()
    summary = world.cycle()
    assert summary["polls"] == {"not_modified": 1}
    assert srv.conditional_count("/feed") == 1
    assert srv.seen("/feed")[1].headers["if-none-match"] == '"v1"'
    assert srv.seen("/feed")[1].headers["if-modified-since"] == "Fri, 02 May 2025 10:00:00 GMT"
    assert world.count(FeedItem) == 1 and world.feed(url).etag == '"v1"'


def test_a_304_with_a_new_etag_stores_it(world: World) -> None:
    srv = world.srv
    body = rss(items(srv, 1))
    srv.route("/feed", responses=[Reply(200, body, {"ETag": '"v1"'}),
                                  Reply(304, b"", {"ETag": '"v2"'})])
    url = world.add("/feed")
    world.cycle()
    world.cycle()
    assert world.feed(url).etag == '"v2"'


@pytest.mark.parametrize("header", ["ETag", "Last-Modified"])
def test_an_unchanged_body_with_new_validators_is_not_reparsed(world: World,
                                                               header: str) -> None:
    srv = world.srv
    body = rss(items(srv, 1))
    first, second = ('"v1"', '"v2"') if header == "ETag" else (
        "Fri, 02 May 2025 10:00:00 GMT", "Sat, 03 May 2025 10:00:00 GMT")
    srv.route("/feed", responses=[Reply(200, body, {header: first}),
                                  Reply(200, body, {header: second})])
    url = world.add("/feed")
    world.cycle()
    summary = world.cycle()
    assert summary["polls"] == {"unchanged": 1}
    f = world.feed(url)
    assert (f.etag if header == "ETag" else f.last_modified) == second
    assert srv.count("/a0") == 1


def test_a_full_fetch_is_forced_now_and_then(world: World) -> None:
    srv = world.srv
    srv.route("/feed", body=rss(items(srv, 1)), headers={"ETag": '"v1"'}, conditional=True)
    world.add("/feed")
    for _ in range(4):
        world.cycle(WORKER_SCHEDULE_FULL_FETCH_EVERY="2")
    assert srv.count("/feed") == 4
    assert [bool(r.headers.get("if-none-match")) for r in srv.seen("/feed")] == [
        False, True, False, True]


# -- redirects -----------------------------------------------------------------------------

def test_301_then_200_updates_the_stored_url(world: World) -> None:
    srv = world.srv
    srv.redirect("/old", "/new", status=301)
    srv.route("/new", body=rss(items(srv, 1)))
    world.add("/old")
    world.cycle()
    assert world.feed().url == srv.url("/new")
    world.cycle()
    assert srv.count("/old") == 1 and srv.count("/new") == 2


def test_302_keeps_the_stored_url(world: World) -> None:
    srv = world.srv
    srv.redirect("/old", "/new", status=302)
    srv.route("/new", body=rss(items(srv, 1)))
    url = world.add("/old")
    world.cycle()
    f = world.feed()
    assert f.url == url and f.consecutive_failures == 0 and f.items_seen == 1


@pytest.mark.parametrize("chain", ["loop", "too_long"])
def test_redirect_loops_and_long_chains_fail(world: World, chain: str) -> None:
    srv = world.srv
    if chain == "loop":
        srv.redirect("/r0", "/r1")
        srv.redirect("/r1", "/r0")
    else:
        for i in range(7):
            srv.redirect(f"/r{i}", f"/r{i + 1}", status=307)
        srv.route("/r7", body=rss([]))
    world.add("/r0")
    world.cycle()
    f = world.feed()
    assert f.last_error_class == "redirect" and f.consecutive_failures == 1
    if chain == "too_long":
        assert srv.count("/r7") == 0 and srv.count("/r6") == 0


# -- failures ------------------------------------------------------------------------------

@pytest.mark.parametrize(("setup", "error_class"), [
    (lambda s: s.route("/feed", 404), "http_4xx"),
    (lambda s: s.route("/feed", body=b"<rss><channel><title>broken</tit"), "parse"),
    (lambda s: s.route("/feed", body=b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aa">'
                       b'<!ENTITY b "&a;&a;&a;&a;">]><rss><channel><title>&b;</title>'
                       b"</channel></rss>"), "parse"),
    (lambda s: s.route("/feed", stream=50 * 2**20), "too_large"),
    (lambda s: s.route("/feed", body=gzip_bomb(64 * 2**20),
                       headers={"Content-Encoding": "gzip"}), "too_large"),
    (lambda s: s.route("/feed", delay=30), "timeout"),
], ids=["404", "malformed", "billion-laughs", "50MB", "gzip-bomb", "hanging"])
def test_failures_are_classified_and_backed_off(world: World,
                                                setup: Callable[[LocalServer], None],
                                                error_class: str) -> None:
    setup(world.srv)
    world.add("/feed")
    started = time.monotonic()
    summary = world.cycle()
    assert time.monotonic() - started < 10
    assert summary["errors"] == {error_class: 1}
    f = world.feed()
    assert f.last_error_class == error_class and f.consecutive_failures == 1
    assert not f.gone
    delay = (f.next_poll_at - utcnow()).total_seconds()
    assert 50 < delay <= 60  # backoff_base
    with world.factory() as s:
        event = s.scalars(select(FetchEvent)).one()
    assert event.error_class == error_class and event.error


def test_410_marks_the_feed_gone_but_still_tries_daily(world: World) -> None:
    world.srv.route("/feed", 410)
    world.add("/feed")
    world.cycle()
    f = world.feed()
    assert f.gone and f.last_error_class == "gone"
    assert (f.next_poll_at - utcnow()).total_seconds() > 86_000


def test_429_retry_after_is_honoured(world: World) -> None:
    world.srv.route("/feed", 429, headers={"Retry-After": "3600"})
    world.add("/feed")
    world.cycle()
    f = world.feed()
    assert f.last_error_class == "http_429"
    assert 3500 < (f.next_poll_at - utcnow()).total_seconds() <= 3600


def test_500_three_times_backs_off_then_recovers(world: World) -> None:
    srv = world.srv
    srv.route("/feed", responses=[Reply(500)] * 3 + [Reply(200, rss(items(srv, 1)))])
    world.add("/feed")
    delays = []
    for _ in range(3):
        world.cycle()
        f = world.feed()
        delays.append((f.next_poll_at - utcnow()).total_seconds())
    assert f.consecutive_failures == 3 and f.last_error_class == "http_5xx"
    assert delays[0] < delays[1] < delays[2] and 230 < delays[2] <= 240
    world.cycle()
    f = world.feed()
    assert f.consecutive_failures == 0 and f.items_seen == 1 and f.last_error_class == "http_5xx"
    with world.factory() as s:
        statuses = [e.status for e in s.scalars(select(FetchEvent).order_by(FetchEvent.id))]
    assert statuses == [500, 500, 500, 200]


def test_private_addresses_are_refused_unless_allowed(world: World) -> None:
    world.srv.route("/feed", body=rss([]))
    world.add("/feed")
    world.cycle(WORKER_FETCH_ALLOW_PRIVATE_NETWORKS="false")
    assert world.feed().last_error_class == "blocked" and world.srv.count("/feed") == 0


# -- what feeds send ------------------------------------------------------------------------

def test_a_wrong_declared_charset_is_repaired(world: World) -> None:
    srv = world.srv
    its = items(srv, 1)
    its[0]["title"] = "Северокорейские войска под Курском"
    srv.route("/feed", body=rss(its, declared="iso-8859-1"),
              headers={"Content-Type": "application/rss+xml; charset=iso-8859-1"})
    world.add("/feed")
    world.cycle()
    titles = [t for (t,) in world.rows(select(FeedItem.title))]
    assert titles == ["Северокорейские войска под Курском"]


def test_items_sharing_one_guid_are_all_processed(world: World) -> None:
    srv = world.srv
    its = items(srv, 3)
    for it in its:
        it["guid"] = "same-guid"
    srv.route("/feed", body=rss(its))
    world.add("/feed")
    world.cycle()
    assert world.count(FeedItem) == 3 and world.count(Article) == 3
    assert all(srv.count(f"/a{i}") == 1 for i in range(3))


def test_old_items_resent_with_new_guids_are_not_duplicated(world: World) -> None:
    srv = world.srv
    its = items(srv, 2)
    srv.route("/feed", responses=[Reply(200, rss(its)),
                                  Reply(200, rss([dict(i, guid=i["guid"] + "-new") for i in its]))])
    world.add("/feed")
    world.cycle()
    summary = world.cycle()
    assert summary["items"] == {"duplicate": 2}
    assert world.count(Article) == 2 and world.count(FeedItem) == 4
    assert srv.count("/a0") == 1  # known by its URL: the page is not fetched again


def test_an_item_whose_page_404s_uses_the_summary_and_is_retried(world: World) -> None:
    srv = world.srv
    text = EDITED[0].read_text(encoding="utf-8")
    srv.route("/feed", body=rss([{"guid": "x", "link": srv.url("/missing"), "title": "Seoul",
                                  "description": text}]))
    world.add("/feed")
    world.cycle()
    with world.factory() as s:
        art = s.scalars(select(Article)).one()
    assert art.needs_retry and art.next_recheck_at is not None
    assert world.count(ArticleVersion) == 1
    srv.route("/missing", body=EDITED[0].read_bytes())
    world.cycle(due=False)  # nothing due yet
    with world.factory() as s, s.begin():
        s.execute(update(Article).values(next_recheck_at=utcnow() - timedelta(seconds=1)))
    summary = world.cycle(due=False)
    assert summary["rechecks"]
    with world.factory() as s:
        assert not s.scalars(select(Article)).one().needs_retry


def test_an_edited_article_becomes_a_new_version_and_a_removed_one_unpublished(
        world: World) -> None:
    srv = world.srv
    srv.route("/story", body=EDITED[0].read_bytes())
    srv.route("/feed", body=rss([{"guid": "s", "link": srv.url("/story"), "title": "Seoul",
                                  "pubDate": now_rfc()}]))
    world.add("/feed")
    world.cycle()
    with world.factory() as s:
        art = s.scalars(select(Article)).one()
    assert art.relevant and art.next_recheck_at is not None
    srv.route("/story", body=EDITED[1].read_bytes())
    recheck_now(world)
    assert world.count(ArticleVersion) == 2
    srv.route("/story", 404)
    recheck_now(world)
    with world.factory() as s:
        art = s.scalars(select(Article)).one()
        kinds = [e.kind for e in s.scalars(select(ArticleEvent))]
    assert art.status == "unpublished" and kinds == ["unpublished"]
    assert world.count(ArticleVersion) == 2  # recorded, never deleted


def test_a_moved_feed_updated_date_triggers_a_recheck(world: World) -> None:
    srv = world.srv
    srv.route("/story", body=EDITED[0].read_bytes())
    item = {"guid": "s", "link": srv.url("/story"), "title": "Seoul", "pubDate": now_rfc()}
    atom1, atom2 = (atom(item, "2025-05-02T10:00:00Z"), atom(item, "2025-05-02T12:00:00Z"))
    srv.route("/feed", responses=[Reply(200, atom1), Reply(200, atom2)])
    world.add("/feed")
    world.cycle()
    srv.route("/story", body=EDITED[1].read_bytes())
    world.cycle()
    assert srv.count("/story") == 2 and world.count(ArticleVersion) == 2


# -- several workers -----------------------------------------------------------------------

def test_claims_never_overlap_and_expired_leases_come_back(world: World) -> None:
    for i in range(5):
        world.add(f"/f{i}")
    a = claim_feeds(world.factory, "w1", 3, 300)
    b = claim_feeds(world.factory, "w2", 10, 300)
    assert len(a) == 3 and len(b) == 2 and not set(a) & set(b)
    assert claim_feeds(world.factory, "w3", 10, 300) == []
    with world.factory() as s, s.begin():
        s.execute(update(Feed).where(Feed.id.in_(a)).values(
            lease_until=utcnow() - timedelta(seconds=1)))
    assert sorted(claim_feeds(world.factory, "w3", 10, 300)) == sorted(a)
    assert release_leases(world.factory, "w2") == 2
    assert sorted(claim_feeds(world.factory, "w4", 10, 300)) == sorted(b)


def test_a_429_from_a_page_leaves_its_host_alone_for_the_cycle(world: World) -> None:
    """After a 429 (Retry-After 600) the worker sends no more requests to that host: the
    other items fall back to the feed's text and are marked for a later retry."""
    srv = world.srv
    entries = items(srv, 3)
    srv.route("/a0", 429, headers={"Retry-After": "600"})
    srv.route("/feed", body=rss(entries))
    world.add("/feed")
    summary = world.cycle(WORKER_FETCH_PER_HOST_CONNECTIONS="1", WORKER_FETCH_MAX_CONNECTIONS="1")
    assert sorted(r.path for r in srv.requests) == ["/a0", "/feed"]
    assert sum(summary["items"].values()) == 3
    with world.factory() as s:
        arts = list(s.scalars(select(Article)))
    assert len(arts) == 3 and all(a.needs_retry for a in arts)
    assert world.feed().last_error_class is None  # the feed itself was fine


def test_a_host_that_answered_429_is_not_asked_again_before_its_retry_after(
        world: World) -> None:
    srv = world.srv
    srv.route("/busy", 429, headers={"Retry-After": "120"})
    srv.route("/other", body=rss([]))
    with Fetcher(world.settings().fetch) as f:
        with pytest.raises(FetchError) as first:
            f.fetch(srv.url("/busy"))
        assert first.value.error_class == "http_429"
        with pytest.raises(FetchError) as second:
            f.fetch(srv.url("/other"))
        assert second.value.error_class == "throttled"
        assert second.value.retry_after is not None and 115 < second.value.retry_after <= 120
        assert [r.path for r in srv.requests] == ["/busy"]  # refused without a request
        assert f.fetch(srv.url("/other", host="localhost")).status == 200  # another host
    with Fetcher(world.settings(WORKER_FETCH_HOST_THROTTLE="0.3").fetch) as f:
        srv.route("/busy", 503)  # no Retry-After: [fetch] host_throttle
        with pytest.raises(FetchError):
            f.fetch(srv.url("/busy"))
        with pytest.raises(FetchError, match="throttled|asked to wait"):
            f.fetch(srv.url("/other"))
        time.sleep(0.35)
        assert f.fetch(srv.url("/other")).status == 200


def test_per_host_limit_and_delay_are_respected(world: World) -> None:
    srv = world.srv
    for i in range(4):
        srv.route(f"/f{i}", body=rss([]), delay=0.2)
        world.add(f"/f{i}")
    world.cycle(WORKER_FETCH_PER_HOST_CONNECTIONS="1", WORKER_FETCH_HOST_DELAY="0.1")
    times = sorted(r.at for r in srv.requests)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 4 and min(gaps) >= 0.29  # one at a time: 0.2 s answer + 0.1 s delay
