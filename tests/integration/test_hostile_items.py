"""Feed items whose links are not pages: refused schemes and local file links, through a real
poll cycle on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.integration.httpserver import rss
from tests.integration.test_daemon_polling import PAGES, World, world  # noqa: F401
from worker.daemon import FeedSpec, upsert_feeds
from worker.store.models import Article, ArticleVersion, FeedItem


def test_javascript_data_and_ftp_links_are_never_article_urls(world: World) -> None:  # noqa: F811
    srv = world.srv
    links = {"js": "javascript:alert(document.cookie)", "data": "data:text/html,<b>hi</b>",
             "ftp": "ftp://example.org/pub/report.txt"}
    texts = {"js": "A weather report: rain over the coast on Monday.",
             "data": "Football: the cup final ended in a draw after extra time.",
             "ftp": "Markets: the central bank left its rate unchanged this week."}
    srv.route("/feed", body=rss([{"guid": f"urn:item:{g}", "link": link, "title": f"Item {g}",
                                  "description": texts[g]} for g, link in links.items()]))
    url = world.add("/feed")
    world.cycle()
    stored = {u for (u,) in world.rows(select(Article.url))}
    assert stored and all(u.startswith(f"{url}#urn:item:") for u in stored)  # feed URL#GUID
    remembered = world.rows(select(FeedItem.guid, FeedItem.url))
    assert sorted(g for g, _ in remembered) == sorted(f"urn:item:{g}" for g in links)
    assert all(u is None for _, u in remembered)
    assert srv.count("/feed") == 1 and len(srv.requests) == 1  # nothing else was fetched


def test_file_item_links_of_a_local_feed_are_read(world: World, tmp_path: Path) -> None:  # noqa: F811
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "one.html").write_bytes(PAGES[0].read_bytes())
    feed = pages / "feed.xml"
    feed.write_bytes(rss([{"guid": "one", "link": (pages / "one.html").as_uri(),
                           "title": "Item one", "description": "short"}]))
    upsert_feeds(world.factory, [FeedSpec(url=feed.as_uri())])
    world.cycle(WORKER_FETCH_FIXTURE_PATHS=str(tmp_path))
    (art,) = world.rows(select(Article.url, ArticleVersion.text).join(ArticleVersion))
    assert art.url == (pages / "one.html").as_uri()
    assert len(art.text) > 500  # the page's text, not the feed's one-word summary
