"""The real-text development set of the figure extractor rebuilt from its committed manifest
(`tests/data/figures_real_manifest/`) and passages copied by a session: `benchmarks/real_devset.py`
runs it, `tests/unit/test_figures_real_data.py` tests it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.paths import ROOT

MANIFEST = ROOT / "tests" / "data" / "figures_real_manifest"


def build(src: Path, out: Path, manifest: Path = MANIFEST) -> tuple[int, int, list[str]]:
    """(entries written, entries in the manifest, problems)."""
    out.mkdir(parents=True, exist_ok=True)
    total = written = 0
    problems: list[str] = []
    for man in sorted(manifest.glob("*.jsonl")):
        texts: dict[str, str] = {}
        tsv = src / f"{man.stem}.tsv"
        if tsv.exists():
            for line in tsv.read_text(encoding="utf-8").splitlines():
                if "\t" in line:
                    key, passage = line.split("\t", 1)
                    texts[key.strip()] = passage.replace("\\n", "\n")
        rows = []
        for line in man.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            total += 1
            text = texts.get(entry["id"])
            if text is None:
                problems.append(f"{entry['id']}: no passage")
                continue
            lost = [f["number_text"] for f in entry["expected"] if f["number_text"] not in text]
            if lost:
                problems.append(f"{entry['id']}: passage lacks {lost}")
                continue
            rows.append({**entry, "text": text})
        if rows:
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            (out / man.name).write_text(body, encoding="utf-8")
            written += len(rows)
    return written, total, problems
