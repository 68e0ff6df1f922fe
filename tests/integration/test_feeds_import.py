"""`worker feeds import`, `feeds export --opml` and `feeds add` with several URLs, through the
real CLI on a real database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.cli import run_worker

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline text="Korea">
  <outline type="rss" text="Yonhap &amp; co" xmlUrl="https://en.yna.co.kr/RSS/nk.xml"/>
  <outline type="rss" text="한겨레" xmlUrl="https://www.hani.co.kr/rss/international/"/>
</outline>
<outline type="rss" text="Local" xmlUrl="file:///etc/passwd"/>
</body></opml>
"""


def _listing(db_url: str) -> list[tuple[str, str | None]]:
    r = run_worker(["feeds", "list", "--json"], db_url)
    assert r.returncode == 0, r.stderr
    return sorted((f["url"], f["name"]) for f in json.loads(r.stdout)
                  if f["loaded"])  # not those of the feeds file that `run` has not loaded


def test_import_is_idempotent_and_says_what_it_did(db_url: str, tmp_path: Path) -> None:
    listing = tmp_path / "subs.opml"
    listing.write_text(OPML, encoding="utf-8")
    r = run_worker(["feeds", "import", str(listing), "--json"], db_url)
    assert r.returncode == 1, r.stderr  # one line rejected: a partial failure
    first = json.loads(r.stdout)
    assert first["added"] == ["https://en.yna.co.kr/RSS/nk.xml",
                              "https://www.hani.co.kr/rss/international/"]
    assert first["already_present"] == []
    assert first["rejected"] == [{"where": "outline 3", "url": "file:///etc/passwd",
                                  "reason": "not an http(s) URL"}]
    r = run_worker(["feeds", "import", str(listing)], db_url)
    assert r.returncode == 1
    assert "added 0, already present 2, rejected 1" in r.stdout
    assert "rejected outline 3: file:///etc/passwd: not an http(s) URL" in r.stderr
    assert _listing(db_url) == [("https://en.yna.co.kr/RSS/nk.xml", "Yonhap & co"),
                                ("https://www.hani.co.kr/rss/international/", "한겨레")]


def test_opml_round_trip_keeps_every_feed(db_url: str, sqlite_url: str, tmp_path: Path) -> None:
    urls = [f"https://feeds.example.org/{n}.xml?a=1&b=2" for n in range(5)]
    r = run_worker(["feeds", "add", *urls[:3], "--name", "Ça & Co <news>"], db_url)
    assert r.returncode == 0, r.stderr
    assert run_worker(["feeds", "add", *urls[3:]], db_url).returncode == 0
    exported = tmp_path / "feeds.opml"
    r = run_worker(["feeds", "export", "--opml", "--out", str(exported)], db_url)
    assert r.returncode == 0, r.stderr
    other = f"sqlite:///{tmp_path / 'other.db'}"
    r = run_worker(["feeds", "import", str(exported), "--json"], other)
    assert r.returncode == 0, r.stderr
    assert sorted(json.loads(r.stdout)["added"]) == sorted(urls)
    assert _listing(other) == _listing(db_url)
    r = run_worker(["feeds", "export", "--opml"], other)
    assert r.stdout == exported.read_text(encoding="utf-8")


def test_add_several_urls_reports_each_known_one(sqlite_url: str) -> None:
    r = run_worker(["feeds", "add", "https://a.example/rss"], sqlite_url)
    assert r.returncode == 0
    r = run_worker(["feeds", "add", "https://b.example/rss", "https://a.example/rss"], sqlite_url)
    assert r.returncode == 1
    assert "added https://b.example/rss" in r.stdout
    assert "already a feed: https://a.example/rss" in r.stderr
    assert [u for u, _ in _listing(sqlite_url)] == ["https://a.example/rss",
                                                    "https://b.example/rss"]


def test_a_url_given_twice_is_added_once(sqlite_url: str, tmp_path: Path) -> None:
    r = run_worker(["feeds", "add", "https://c.example/rss", "https://c.example/rss"],
                   sqlite_url)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["added https://c.example/rss"]
    listing = tmp_path / "twice.txt"
    listing.write_text("https://d.example/rss\nhttps://d.example/rss\n", encoding="utf-8")
    r = run_worker(["feeds", "import", str(listing), "--json"], sqlite_url)
    assert json.loads(r.stdout)["added"] == ["https://d.example/rss"], r.stderr
    assert [u for u, _ in _listing(sqlite_url)] == ["https://c.example/rss",
                                                    "https://d.example/rss"]


def test_import_of_a_missing_or_unreadable_file_is_one_line(sqlite_url: str,
                                                           tmp_path: Path) -> None:
    r = run_worker(["feeds", "import", str(tmp_path / "nope.opml")], sqlite_url)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "nope.opml" in r.stderr
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x81")
    r = run_worker(["feeds", "import", str(bad)], sqlite_url)
    assert r.returncode == 1 and "neither OPML nor UTF-8 text" in r.stderr
