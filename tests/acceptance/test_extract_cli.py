"""`worker extract`: one document or a JSON Lines batch, analysed without a database."""

from __future__ import annotations

import json

from tests.helpers.cli import run_worker
from tests.helpers.paths import SEED

NO_DB = "sqlite:////nonexistent-dir/never-created.db"


def test_extract_json_gives_the_batch_object_for_the_seed() -> None:
    res = run_worker(["extract", str(SEED), "--json"], NO_DB)
    assert res.returncode == 0, res.stderr
    obj = json.loads(res.stdout)
    assert obj["language"] == "fr" and obj["relevant"] is True
    assert "Que se passe-t-il" not in obj["text"]
    figures = {(f["metric"], f["value"]) for f in obj["figures"]}
    assert figures == {("killed", 600), ("casualties", 4700), ("wounded", 2000),
                       ("deployed", 18000)}
    for f in obj["figures"]:
        assert obj["text"][f["start"]:f["end"]].replace(" ", "").isdigit()
        assert set(f) >= {"metric", "subject", "value", "low", "high", "qualifier", "modality",
                          "claimant", "claimant_raw", "scope", "sentence", "start", "end"}


def test_extract_table_for_people() -> None:
    res = run_worker(["extract", str(SEED)], NO_DB)
    assert res.returncode == 0, res.stderr
    assert "language: fr" in res.stdout and "18 000" in res.stdout and "KR-NIS" in res.stdout


def test_batch_reads_json_lines_and_answers_one_line_each() -> None:
    lines = [
        {"id": "a", "text": "Около 600 северокорейских военных погибли в Курской области, "
                            "сообщила разведка Южной Кореи.", "lang": "ru"},
        {"id": "b", "html": "<html><body><article><p>About 300 North Korean soldiers have "
                            "been killed fighting for Russia in Kursk, Seoul's spy agency "
                            "said.</p></article></body></html>"},
        {"id": "c", "text": "North Korea has an army of 1.2 million soldiers."},
    ]
    stdin = "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\nnot json\n"
    res = run_worker(["extract", "--batch"], NO_DB, input_=stdin)
    assert res.returncode == 1, res.stderr  # the last line failed: a partial failure
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o.get("id") for o in out[:3]] == ["a", "b", "c"]
    a, b, c, bad = out
    assert a["language"] == "ru"
    assert [(f["metric"], f["value"], f["subject"]) for f in a["figures"]] == [
        ("killed", 600, "KP")]
    assert [(f["metric"], f["value"]) for f in b["figures"]] == [("killed", 300)]
    assert b["text"].startswith("About 300 North Korean soldiers")
    assert b["text"][b["figures"][0]["start"]:b["figures"][0]["end"]] == "300"
    assert c["figures"] == []
    assert bad["line"] == 4 and "error" in bad


def test_batch_error_lines_keep_the_id_of_their_input() -> None:
    lines = [json.dumps({"id": "no-text", "lang": "en"}),
             json.dumps({"id": 7, "text": 12}),
             json.dumps({"id": "ok", "text": "Nothing to see here."}),
             json.dumps(["not", "an", "object"])]
    res = run_worker(["extract", "--batch"], NO_DB, input_="\n".join(lines) + "\n")
    assert res.returncode == 1, res.stderr  # some lines failed
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(o["id"], o.get("line"), "error" in o) for o in out] == [
        ("no-text", 1, True), (7, 2, True), ("ok", None, False), (None, 4, True)]
