"""Tables that fit (real subprocesses at 60, 80 and 200 columns on a replayed database):
numbers, dates and identifiers are never cut or wrapped, URLs are whole on one line, long text
is cut with an ellipsis and shown whole with --wide."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEED, SEEDS

WIDTHS = (60, 80, 200)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 'worker.db'}"
    res = run_worker(["replay", str(SEEDS)], url)
    assert res.returncode == 0, res.stderr
    res = run_worker(["feeds", "add", "seeds", "--name", "fixture seeds"], url)
    assert res.returncode == 0, res.stderr
    return url


def shown(args: list[str], url: str, width: int) -> tuple[str, list]:
    text = run_worker(args, url, COLUMNS=str(width))
    assert text.returncode == 0, text.stderr
    data = run_worker([*args, "--json"], url)
    assert data.returncode == 0, data.stderr
    return text.stdout, json.loads(data.stdout)


def tokens(text: str) -> set[str]:
    return set(text.split())


def assert_fits(text: str, width: int, urls: list[str]) -> None:
    for line in text.splitlines():
        if cell_len(line.rstrip()) > width:
            assert any(u in line for u in urls), f"a line wider than {width}: {line!r}"


def assert_urls_whole(text: str, urls: list[str]) -> None:
    lines = text.splitlines()
    for u in urls:
        assert any(u in line for line in lines), f"{u} is not whole on one line"


def n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


@pytest.mark.parametrize("width", WIDTHS)
def test_figures(width: int, replayed: str) -> None:
    text, rows = shown(["figures"], replayed, width)
    assert rows
    seen = tokens(text)
    for r in rows:
        assert {n(r["value"]), r["claimed_at"][:10], r["metric"], r["subject"]} <= seen
        if r["claimant"]:
            assert r["claimant"] in seen
    assert_fits(text, width, [])


@pytest.mark.parametrize("width", WIDTHS)
def test_announcements(width: int, replayed: str) -> None:
    text, rows = shown(["announcements"], replayed, width)
    assert rows
    seen = tokens(text)
    for r in rows:
        assert r["claimant"] in seen
        assert r["announced_on"] in text  # "~" after it: dated by its first report
        for figure in r["headline"].split(" · "):
            assert figure in text, f"{figure!r} cut or wrapped"
    assert_fits(text, width, [])


@pytest.mark.parametrize("width", WIDTHS)
def test_changes(width: int, replayed: str) -> None:
    text, rows = shown(["changes"], replayed, width)
    assert rows
    seen = tokens(text)
    for r in rows:
        assert {n(r["value"]), r["claimed_at"][:10], r["kind"]} <= seen
        if r["previous_value"] is not None:
            assert n(r["previous_value"]) in seen
        if r["claimant"]:
            assert r["claimant"] in seen
    assert_fits(text, width, [])
    in_data = sum(r["sentence"].count("…") for r in rows)
    assert text.count("…") > in_data  # long sentences are cut...
    wide, _ = shown(["changes", "--wide"], replayed, width)
    assert wide.count("…") == in_data  # ...and whole with --wide
    if width < 200:  # one block a row: the folded sentence reads back whole
        joined = " ".join(wide.split())
        for r in rows:
            assert " ".join(r["sentence"].split()) in joined


@pytest.mark.parametrize("width", WIDTHS)
def test_articles(width: int, replayed: str) -> None:
    text, rows = shown(["articles", "--all"], replayed, width)
    assert rows
    urls = [r["url"] for r in rows]
    assert_urls_whole(text, urls)
    assert_fits(text, width, urls)
    seen = tokens(text)
    for r in rows:
        assert str(r["versions"]) in seen and str(r["figures"]) in seen
        if r["published_at"]:
            assert r["published_at"][:10] in seen
        if r["story_id"] is not None:
            assert str(r["story_id"]) in seen


@pytest.mark.parametrize("width", WIDTHS)
def test_stories(width: int, replayed: str) -> None:
    text, rows = shown(["stories"], replayed, width)
    assert rows
    seen = tokens(text)
    for r in rows:
        assert {str(r["story_id"]), str(r["copies"])} <= seen
        if r["first_published"]:
            assert str(r["first_published"])[:10] in seen
    assert_fits(text, width, [])


@pytest.mark.parametrize("width", WIDTHS)
def test_extract(width: int, replayed: str) -> None:
    text = run_worker(["extract", str(SEED)], replayed, COLUMNS=str(width))
    data = run_worker(["extract", str(SEED), "--json"], replayed)
    assert text.returncode == 0 and data.returncode == 0, text.stderr
    figures = json.loads(data.stdout)["figures"]
    assert figures
    table = text.stdout.split("Figures", 1)[1]
    seen = tokens(table)
    for c in figures:
        assert {f"{c['value']:,}", c["metric"], c["modality"]} <= seen
        if c["claimant"]:
            assert c["claimant"] in seen


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("action", ["list", "status"])
def test_feeds(action: str, width: int, replayed: str) -> None:
    text, rows = shown(["feeds", action], replayed, width)
    assert rows
    urls = [r["url"] for r in rows]
    assert_urls_whole(text, urls)
    assert_fits(text, width, urls)


@pytest.fixture(scope="module")
def reviewed(replayed: str) -> str:
    res = run_worker(["figures", "--json", "--metric", "killed"], replayed)
    claim = json.loads(res.stdout)[0]["claim_id"]
    res = run_worker(["claims", "mark", str(claim), "--claimant", "us-dod", "--by", "tester",
                      "--note", "the sentence quotes a Pentagon briefing, not the NIS; "
                      "checked against the transcript of that day"], replayed)
    assert res.returncode == 0, res.stderr
    return replayed


@pytest.mark.parametrize("width", WIDTHS)
def test_claims_reviewed(width: int, reviewed: str) -> None:
    text, rows = shown(["claims", "reviewed"], reviewed, width)
    assert rows
    urls = [r["url"] for r in rows if r["url"]]
    assert_urls_whole(text, urls)
    assert_fits(text, width, urls)
    seen = tokens(text)
    for r in rows:
        assert {str(r["review_id"]), str(r["claim_id"]), f"{r['value']:,}"} <= seen
