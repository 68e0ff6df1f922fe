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
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.helpers.real_devset import build  # noqa: E402


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
