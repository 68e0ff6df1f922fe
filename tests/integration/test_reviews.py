"""Review overrides (`worker claims mark`, `claims reviewed`) on SQLite and PostgreSQL: a
correction is applied to its claim, every reader (figures, changes, statements, export, report)
sees it, the claim's values before it are kept, and a re-analysis that extracts the claims
again gets the correction back."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers.cli import run_worker
from tests.helpers.reports import claims_of
from worker import report
from worker.errors import InputError
from worker.store import exports, lineage, queries, reviews
from worker.store.models import ArticleVersion, ClaimReview, FigureClaim


def _series(s: Session, metric: str = "killed") -> list[tuple[str | None, int]]:
    return [(r["claimant"], r["value"]) for r in queries.changes(s, subject="KP", metric=metric)]


def _mark(factory: sessionmaker[Session], claim: int, action: str, value: str | None = None,
          note: str = "checked against the source") -> dict:
    with factory() as s, s.begin():
        return reviews.mark(s, claim, action, value, reviewer="analyst", note=note)


def test_wrong_leaves_every_series_and_export_and_keeps_the_original(
        ids: dict[str, int], factory: sessionmaker[Session]) -> None:
    with factory() as s:
        assert _series(s) == [("KR-NIS", 100), ("KR-NIS", 300), ("KR-NIS", 120),
                              ("KR-NIS", 5000)]
    row = _mark(factory, ids["c0"], "wrong", note="a figure of another war")
    assert row["original"]["excluded"] is False and row["excluded"] is True
    assert row["reviewer"] == "analyst" and row["url"] == "https://news.example/c"
    assert row["keys"] == [("KP", "killed", "KR-NIS")]
    with factory() as s:
        assert _series(s) == [("KR-NIS", 100), ("KR-NIS", 300), ("KR-NIS", 120)]
        latest = {(r["metric"], r["claimant"]): r["value"] for r in queries.latest_figures(s)}
        assert latest[("killed", "KR-NIS")] == 120
        assert ids["c0"] not in {r.id for r in queries.statements(s)}
        exported = {r["claim_id"]: r for r in exports.claim_rows(s, include_excluded=True)}
        assert exported[ids["c0"]]["excluded"] is True
        assert ids["c0"] not in {r["claim_id"] for r in exports.claim_rows(s)}
        data = report.build(s, database="test")
        killed = next(g for g in data.groups if g.key == "KP-killed")
        assert 5000 not in [p.value for p in killed.points]


def test_part_of_and_recalled_leave_the_series_claimant_moves_it(
        ids: dict[str, int], factory: sessionmaker[Session]) -> None:
    _mark(factory, ids["b1"], "part_of", str(ids["b0"]))
    with factory() as s:
        claim = s.get(FigureClaim, ids["b1"])
        assert claim is not None and claim.partial and claim.part_of == 0
        assert _series(s) == [("KR-NIS", 100), ("KR-NIS", 300), ("KR-NIS", 5000)]
    _mark(factory, ids["a0"], "recalled")
    _mark(factory, ids["c0"], "claimant", "UA-HUR")
    with factory() as s:
        assert _series(s) == [("KR-NIS", 300), ("UA-HUR", 5000)]
        listed = reviews.reviewed(s)
    assert [(r["action"], r["new_value"]) for r in listed] == [
        ("part_of", str(ids["b0"])), ("recalled", None), ("claimant", "UA-HUR")]
    assert listed[2]["original"]["claimant"] == "KR-NIS" and listed[2]["claimant"] == "UA-HUR"
    _mark(factory, ids["c1"], "subject", "RU")
    with factory() as s:
        assert _series(s, "deployed") == []


def test_bad_reviews_are_one_line_errors_and_store_nothing(
        ids: dict[str, int], factory: sessionmaker[Session]) -> None:
    for claim, action, value, note, message in [
            (999_999, "wrong", None, "x", "no claim has the id 999999"),
            (ids["b1"], "part_of", str(ids["a0"]), "x", "not another figure of the same"),
            (ids["b1"], "part_of", str(ids["b1"]), "x", "not another figure of the same"),
            (ids["b1"], "wrong", None, "  ", "needs a note"),
            (ids["b1"], "claimant", None, "x", "needs a code")]:
        with pytest.raises(InputError, match=message), factory() as s, s.begin():
            reviews.mark(s, claim, action, value, reviewer="analyst", note=note)
    with factory() as s:
        assert s.scalars(select(ClaimReview)).all() == []


def test_a_reanalysis_that_extracts_the_claims_again_gets_the_corrections_back(
        ids: dict[str, int], factory: sessionmaker[Session]) -> None:
    _mark(factory, ids["b1"], "part_of", str(ids["b0"]))
    _mark(factory, ids["c0"], "wrong")
    _mark(factory, ids["c1"], "claimant", "US-DOD")
    # what a re-analysis does: the versions' claims are deleted and extracted anew
    with factory() as s, s.begin():
        for name in ("b", "c"):
            vid = ids[f"v_{name}"]
            rows = [(c.metric, c.subject, c.claimant_raw, c.value, c.sentence)
                    for c in s.scalars(select(FigureClaim).where(FigureClaim.version_id == vid)
                                       .order_by(FigureClaim.start))]
            article_id = s.get(ArticleVersion, vid).article_id  # type: ignore[union-attr]
            at = s.get(FigureClaim, ids[f"{name}0"]).claimed_at  # type: ignore[union-attr]
            s.execute(delete(FigureClaim).where(FigureClaim.version_id == vid))
            s.add_all(claims_of(rows, vid, article_id, at))
            s.flush()
            lineage.refresh_article(s, article_id)  # as a re-analysis does
    with factory() as s:
        assert [r["claim_id"] for r in reviews.reviewed(s)] == [None, None, None]
        assert (None, 5000) not in _series(s)
        assert ("KR-NIS", 5000) in _series(s)  # the fresh claim, not yet corrected
    with factory() as s, s.begin():
        keys = reviews.reapply(s, [ids["v_b"], ids["v_c"]])
    assert ("KP", "deployed", "US-DOD") in keys and ("KP", "deployed", None) in keys
    with factory() as s:
        assert _series(s) == [("KR-NIS", 100), ("KR-NIS", 300)]
        assert [(r["claimant"], r["value"]) for r in queries.changes(s, metric="deployed")] == [
            ("US-DOD", 11000)]
        listed = reviews.reviewed(s)
        assert all(r["claim_id"] is not None for r in listed)
        assert {r["claim_id"] for r in listed}.isdisjoint({ids["b1"], ids["c0"], ids["c1"]})
    with factory() as s, s.begin():  # applying again changes nothing
        reviews.reapply(s)
    with factory() as s:
        assert _series(s) == [("KR-NIS", 100), ("KR-NIS", 300)]


def test_claims_mark_and_reviewed_commands(ids: dict[str, int], db_url: str) -> None:
    res = run_worker(["claims", "mark", str(ids["c0"]), "--wrong", "--note",
                      "another war", "--json"], db_url, USER="desk-analyst")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["reviewer"] == "desk-analyst"
    res = run_worker(["claims", "mark", str(ids["c1"]), "--claimant", "us-dod", "--by", "kim",
                      "--note", "the Pentagon briefing"], db_url)
    assert res.returncode == 0, res.stderr
    assert f"claim {ids['c1']} claimant set to US-DOD" in res.stderr
    res = run_worker(["claims", "reviewed", "--json"], db_url)
    assert res.returncode == 0, res.stderr
    listed = json.loads(res.stdout)
    assert [(r["claim_id"], r["action"], r["reviewer"]) for r in listed] == [
        (ids["c0"], "wrong", "desk-analyst"), (ids["c1"], "claimant", "kim")]
    assert listed[1]["original"]["claimant"] is None
    table = run_worker(["claims", "reviewed"], db_url)
    assert "the Pentagon briefing" in table.stdout and "claimant: - → US-DOD" in table.stdout
    res = run_worker(["figures", "--json"], db_url)
    latest = {(r["metric"], r["claimant"]): r["value"] for r in json.loads(res.stdout)}
    assert latest[("killed", "KR-NIS")] == 120 and ("deployed", "US-DOD") in latest
    for args, message in [
            (["claims", "mark", str(ids["c1"]), "--claimant", "nobody", "--note", "x"],
             "unknown claimant 'nobody'; known: "),
            (["claims", "mark", "999999", "--wrong", "--note", "x"],
             "no claim has the id 999999")]:
        res = run_worker(args, db_url)
        assert res.returncode == 1 and message in res.stderr, res.stderr
        assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    res = run_worker(["claims", "mark", str(ids["c1"]), "--wrong"], db_url)
    assert res.returncode == 2 and "--note" in res.stderr


def test_a_withdrawn_correction_gives_the_claim_back_its_values_and_keeps_the_others(
        ids: dict[str, int], factory: sessionmaker[Session]) -> None:
    first = _mark(factory, ids["c0"], "claimant", "UA-HUR")
    wrong = _mark(factory, ids["c0"], "wrong", note="another war")
    with factory() as s:
        assert (None, 5000) not in _series(s) and ("UA-HUR", 5000) not in _series(s)
    with factory() as s, s.begin():
        undo = reviews.withdraw(s, wrong["review_id"], reviewer="lead", note="it is this war")
    assert undo["action"] == "undo" and undo["new_value"] == str(wrong["review_id"])
    assert undo["excluded"] is False and undo["claimant"] == "UA-HUR"  # the claimant stands
    with factory() as s:
        assert ("UA-HUR", 5000) in _series(s)
        listed = {r["review_id"]: r for r in reviews.reviewed(s)}
    assert listed[wrong["review_id"]]["withdrawn"] is True
    assert listed[first["review_id"]]["withdrawn"] is False
    with factory() as s, s.begin():
        reviews.withdraw(s, first["review_id"], reviewer="lead", note="NIS after all")
    with factory() as s:
        assert ("KR-NIS", 5000) in _series(s)
    # a re-analysis applies no withdrawn review
    with factory() as s, s.begin():
        reviews.reapply(s)
    with factory() as s:
        assert ("KR-NIS", 5000) in _series(s)
        claim = s.get(FigureClaim, ids["c0"])
        assert claim is not None and not claim.excluded and claim.claimant == "KR-NIS"
    for review_id, message in [(wrong["review_id"], "already withdrawn"),
                               (undo["review_id"], "withdraws another"),
                               (999_999, "no review has the id 999999")]:
        with pytest.raises(InputError, match=message), factory() as s, s.begin():
            reviews.withdraw(s, review_id, reviewer="lead", note="x")


def test_claims_unmark_command(ids: dict[str, int], db_url: str) -> None:
    res = run_worker(["claims", "mark", str(ids["c0"]), "--wrong", "--note", "x", "--json"],
                     db_url, USER="desk-analyst")
    review = json.loads(res.stdout)["review_id"]
    res = run_worker(["claims", "unmark", str(review), "--note", "my mistake", "--by", "kim"],
                     db_url)
    assert res.returncode == 0, res.stderr
    assert f"review {review} withdrawn" in res.stderr
    listed = json.loads(run_worker(["claims", "reviewed", "--json"], db_url).stdout)
    assert [(r["action"], r["withdrawn"], r["reviewer"]) for r in listed] == [
        ("wrong", True, "desk-analyst"), ("undo", False, "kim")]
    table = run_worker(["claims", "reviewed"], db_url, COLUMNS="200").stdout
    assert f"withdrew review {review}" in table and "wrong (withdrawn)" in table
    res = run_worker(["claims", "unmark", str(review), "--note", "again"], db_url)
    assert res.returncode == 1 and "already withdrawn" in res.stderr
