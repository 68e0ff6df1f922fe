"""Rebuild the real-text development set of the figure extractor from its committed manifest.

The manifest (``tests/data/figures_real_manifest/<lang>.jsonl``) holds, per passage, the URL,
the search query that finds it, the publication date and the gold figures, but no text.  A
session finds each page again with the search tool (corpus ``pages``, the entry's query),
copies the passage that holds the gold figures into ``SRC/<lang>.tsv`` (one line per entry:
``id<TAB>passage``, ``\\n`` for a line break) and runs::

    python benchmarks/real_devset.py SRC OUT   # OUT defaults to /work/devset/real

which writes ``OUT/<lang>.jsonl`` in the format ``bench_figures.py --real OUT`` reads (the
manifest entry plus ``text``), keeping only passages in which every gold ``number_text``
occurs.  The text stays outside the repository (common brief: real articles are for
measuring only)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("src", type=Path, help="directory of <lang>.tsv passages")
    parser.add_argument("out", type=Path, nargs="?", default=Path("/work/devset/real"))
    args = parser.parse_args(argv)
    written, total, problems = build(args.src, args.out)
    for p in problems:
        print(p, file=sys.stderr)
    print(f"{written} of {total} manifest entries rebuilt in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
