"""Conditional re-checks of stored articles against the local server, on SQLite and PostgreSQL:
the validators of the last fetch are sent, a 304 or an identical body ends the re-check
without analysis, a changed body becomes a version, and lying validators are caught by the
periodic unconditional re-check."""

from __future__ import annotations

from sqlalchemy import select

from tests.helpers.server import rss
from tests.helpers.world import EDITED, World, now_rfc, recheck_now
from worker.store.models import Article, ArticleVersion, IngestEvent

V1, V2 = EDITED[0].read_bytes(), EDITED[1].read_bytes()


def _publish(world: World, **headers: str) -> Article:
    srv = world.srv
    srv.route("/story", body=V1, headers=headers, conditional=True)
    srv.route("/feed", body=rss([{"guid": "s", "link": srv.url("/story"), "title": "Seoul",
                                  "pubDate": now_rfc()}]))
    world.add("/feed")
    world.cycle()
    return _article(world)


def _article(world: World) -> Article:
    with world.factory() as s:
        return s.scalars(select(Article)).one()


def _recheck(world: World) -> None:
    before = world.srv.count("/story")
    recheck_now(world)
    assert world.srv.count("/story") == before + 1


def test_the_first_fetch_stores_the_validators_and_the_page_digest(world: World) -> None:
    art = _publish(world, ETag='"v1"', **{"Last-Modified": "Wed, 30 Apr 2025 10:00:00 GMT"})
    assert art.relevant
    assert (art.etag, art.last_modified) == ('"v1"', "Wed, 30 Apr 2025 10:00:00 GMT")
    assert art.raw_sha256 is not None and len(art.raw_sha256) == 64
    assert art.rechecks_since_full == 0


def test_a_304_ends_the_recheck_without_analysis(world: World) -> None:
    _publish(world, ETag='"v1"')
    events = world.count(IngestEvent)
    _recheck(world)
    last = world.srv.seen("/story")[-1]
    assert last.headers.get("if-none-match") == '"v1"'
    art = _article(world)
    assert art.rechecks_since_full == 1 and art.etag == '"v1"'
    assert art.next_recheck_at is not None
    assert world.count(IngestEvent) == events  # nothing was analysed or stored
    assert world.count(ArticleVersion) == 1


def test_the_same_body_with_new_validators_is_unchanged_and_keeps_the_new_ones(
        world: World) -> None:
    _publish(world, ETag='"v1"')
    world.srv.route("/story", body=V1, headers={"ETag": '"v2"'})  # no 304: a full 200
    events = world.count(IngestEvent)
    _recheck(world)
    art = _article(world)
    assert art.etag == '"v2"'
    assert world.count(IngestEvent) == events
    assert world.count(ArticleVersion) == 1


def test_a_changed_body_is_analysed_and_becomes_a_version(world: World) -> None:
    first = _publish(world, ETag='"v1"')
    world.srv.route("/story", body=V2, headers={"ETag": '"v2"'}, conditional=True)
    _recheck(world)
    art = _article(world)
    assert world.count(ArticleVersion) == 2
    assert art.etag == '"v2"' and art.raw_sha256 != first.raw_sha256
    # and the next re-check of the new page is conditional on the new validators
    _recheck(world)
    assert world.srv.seen("/story")[-1].headers.get("if-none-match") == '"v2"'
    assert world.count(ArticleVersion) == 2


def test_lying_validators_are_caught_by_the_unconditional_recheck(world: World) -> None:
    world.env["WORKER_SCHEDULE_FULL_FETCH_EVERY"] = "3"
    _publish(world, ETag='"v1"')
    # the page is edited but the server keeps answering 304 to the old ETag
    world.srv.route("/story", body=V2, headers={"ETag": '"v1"'}, conditional=True)
    _recheck(world)
    _recheck(world)
    assert world.count(ArticleVersion) == 1  # fooled twice, as any conditional client is
    assert _article(world).rechecks_since_full == 2
    _recheck(world)
    third = world.srv.seen("/story")[-1]
    assert "if-none-match" not in third.headers
    assert world.count(ArticleVersion) == 2
    assert _article(world).rechecks_since_full == 0
