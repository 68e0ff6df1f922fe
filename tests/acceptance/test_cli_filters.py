"""Filters that say what they mean (real subprocesses on a replayed database): codes in any
case, an unknown value is exit 2 with the known ones listed, `--limit N` is the newest N."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEED, SEEDS
from worker.cli.filters import METRICS


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('filters') / 'worker.db'}"
    res = run_worker(["replay", str(SEEDS)], url)
    assert res.returncode == 0, res.stderr
    return url


def rows(args: list[str], url: str) -> list[dict]:
    res = run_worker([*args, "--json"], url)
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


def test_the_cli_spells_the_extractor_metrics() -> None:
    from worker.figures.model import METRICS as EXTRACTOR_METRICS

    assert METRICS == EXTRACTOR_METRICS


@pytest.mark.parametrize("command", ["figures", "changes"])
def test_codes_match_in_any_case(command: str, replayed: str) -> None:
    upper = rows([command, "--subject", "KP", "--metric", "killed", "--claimant", "KR-NIS"],
                 replayed)
    lower = rows([command, "--subject", "kp", "--metric", "KILLED", "--claimant", "kr-nis"],
                 replayed)
    assert upper and lower == upper
    assert {(r["subject"], r["metric"], r["claimant"]) for r in upper} == {
        ("KP", "killed", "KR-NIS")}


@pytest.mark.parametrize(("args", "listed"), [
    (["figures", "--subject", "xx"], "KP"),
    (["figures", "--claimant", "nobody"], "KR-NIS"),
    (["changes", "--claimant", "kr-nsi"], "UA-GENSTAFF"),
    (["changes", "--metric", "dead"], "casualties"),
    (["report", "--subject", "zz"], "KP"),
    (["export", "--subject", "zz"], "KP"),
])
def test_an_unknown_value_is_exit_2_listing_the_known_ones(args: list[str], listed: str,
                                                           replayed: str) -> None:
    res = run_worker(args, replayed)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    (line,) = res.stderr.strip().splitlines()
    assert "unknown value" in line and listed in line and args[2] in line


def test_extract_with_an_unknown_language_is_exit_2(sqlite_url: str) -> None:
    res = run_worker(["extract", "--lang", "xx", str(SEED)], sqlite_url)
    assert res.returncode == 2
    assert "known: en, fr, de, es, ru, uk, ko" in res.stderr
    ok = run_worker(["extract", "--lang", "FR", str(SEED), "--json"], sqlite_url)
    assert ok.returncode == 0 and json.loads(ok.stdout)["language"] == "fr"


@pytest.mark.parametrize("command", ["figures", "changes"])
def test_limit_gives_the_newest_rows(command: str, replayed: str) -> None:
    # changes are in series order: what a figure is stated for, then when it was reported
    order = ("claimed_at",) if command == "figures" else ("stated_for", "reported_on")

    def key(r: dict) -> tuple:
        return tuple(r[k] for k in order)

    every = rows([command], replayed)
    assert len(every) > 3
    newest = sorted(every, key=key, reverse=True)[:3]
    limited = rows([command, "--limit", "3"], replayed)
    assert len(limited) == 3
    assert sorted(key(r) for r in limited) == sorted(key(r) for r in newest)
    assert min(key(r) for r in limited) >= sorted(map(key, every), reverse=True)[2]


def test_figures_csv_has_the_json_rows(replayed: str) -> None:
    res = run_worker(["figures", "--csv", "--metric", "deployed"], replayed)
    assert res.returncode == 0, res.stderr
    read = list(csv.DictReader(io.StringIO(res.stdout)))
    as_json = rows(["figures", "--metric", "deployed"], replayed)
    assert [int(r["value"]) for r in read] == [r["value"] for r in as_json] != []
    assert {r["metric"] for r in read} == {"deployed"}


@pytest.mark.parametrize("args", [["stories", "--min-copies", "-1"],
                                  ["stories", "--min-copies", "0"],
                                  ["changes", "--limit", "0"], ["figures", "--limit", "x"]])
def test_counts_below_one_are_refused(args: list[str], replayed: str) -> None:
    res = run_worker(args, replayed)
    assert res.returncode == 2
    assert "must be 1 or more" in res.stderr or "not a whole number" in res.stderr
