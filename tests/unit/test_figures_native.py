"""worker.figures.native: the compiled extractor is used only when it is the build of the
sources beside it, and gives the same claims as the sources."""

from __future__ import annotations

import datetime as dt
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from worker import figures
from worker.figures import native

SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]
DATA = Path(__file__).resolve().parents[1] / "data"


def _package(tmp_path: Path, built: tuple[str, ...] = ("alpha", "beta")) -> Path:
    """A directory shaped like worker/figures: two modules, the ones never compiled, and a
    fake build of `built`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in ("alpha", "beta", "model", "native", "__init__"):
        (tmp_path / f"{name}.py").write_text(f"X = {name!r}\n", encoding="utf-8")
    for name in built:
        (tmp_path / f"{name}{SUFFIX}").write_bytes(b"")
    sources = native.compiled_sources(tmp_path)
    (tmp_path / native.DIGEST_FILE).write_text(native.digest(sources) + "\n", encoding="ascii")
    return tmp_path


def test_compiled_sources_leave_out_what_must_stay_python(tmp_path: Path) -> None:
    names = [p.name for p in native.compiled_sources(_package(tmp_path))]
    assert names == ["alpha.py", "beta.py"]
    # and in the real package: the model (pickled by the pool) and the selector stay source
    real = {p.name for p in native.compiled_sources()}
    assert "extract.py" in real and not real & {"model.py", "native.py", "__init__.py"}


def test_a_build_of_these_sources_is_used(tmp_path: Path) -> None:
    assert native.status(_package(tmp_path), {}) == (True, "compiled with mypyc")


def test_an_edited_source_makes_the_build_stale(tmp_path: Path) -> None:
    d = _package(tmp_path)
    (d / "beta.py").write_text("X = 'edited'\n", encoding="utf-8")
    compiled, why = native.status(d, {})
    assert not compiled and "changed since the build" in why


def test_no_build_a_partial_build_or_no_digest_is_not_used(tmp_path: Path) -> None:
    assert native.status(_package(tmp_path / "a", built=()), {})[0] is False
    compiled, why = native.status(_package(tmp_path / "b", built=("alpha",)), {})
    assert not compiled and "lacks beta" in why
    d = _package(tmp_path / "c")
    (d / native.DIGEST_FILE).unlink()
    assert native.status(d, {})[0] is False


def test_the_environment_switches_the_build_off(tmp_path: Path) -> None:
    d = _package(tmp_path)
    assert native.status(d, {native.PURE_ENV: "1"}) == (False, f"{native.PURE_ENV} is set")
    assert native.status(d, {native.PURE_ENV: "0"})[0] is True


def _loaded_file(env: dict[str, str]) -> str:
    code = "import worker.figures.extract as e, worker.figures as f; print(e.__file__, f.COMPILED)"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    return run.stdout.strip()


def test_switched_off_the_sources_load() -> None:
    loaded = _loaded_file({**os.environ, native.PURE_ENV: "1"})
    assert loaded.endswith("extract.py False")


def test_ci_runs_the_compiled_extractor() -> None:
    """A clean clone's `make install` compiles the extractor (a silent fall-back to the
    sources would make every speed figure of CI wrong)."""
    if os.environ.get("CI", "").lower() != "true" and not figures.COMPILED:
        pytest.skip(f"not compiled here ({figures.COMPILED_WHY}); CI requires it")
    assert figures.COMPILED, figures.COMPILED_WHY
    assert not _loaded_file(dict(os.environ)).endswith(".py True")


_DUMP = """
import datetime as dt, json, sys
from worker.figures import extract_claims
out = []
for line in sys.stdin:
    item = json.loads(line)
    day = dt.date.fromisoformat(item["published"]) if item.get("published") else None
    out.append([c.to_dict() for c in extract_claims(item["text"], item["lang"], day)])
print(json.dumps(out, sort_keys=True))
"""


def test_compiled_and_source_extractors_find_the_same_claims() -> None:
    """Every committed figure set, one sentence at a time and as joined paragraphs (context
    across sentences), claim by claim with its `why`, in a process of each kind."""
    if not figures.COMPILED:
        pytest.skip(f"only the sources here ({figures.COMPILED_WHY})")
    items = [json.loads(line) for path in sorted(DATA.glob("figures_*/*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = [it for it in items if "text" in it]
    by_lang: dict[str, list[str]] = {}
    for it in items:
        by_lang.setdefault(it["lang"], []).append(it["text"])
    joined = [{"lang": lang, "published": dt.date(2025, 3, 1).isoformat(),
               "text": "\n\n".join(texts[i:i + 5])}
              for lang, texts in by_lang.items() for i in range(0, len(texts), 5)]
    feed = "".join(json.dumps(it) + "\n" for it in items + joined)

    def dump(env: dict[str, str]) -> list[object]:
        run = subprocess.run([sys.executable, "-c", _DUMP], input=feed, env=env,
                             capture_output=True, text=True, check=True, timeout=600)
        return json.loads(run.stdout)  # type: ignore[no-any-return]

    compiled = dump(dict(os.environ))
    source = dump({**os.environ, native.PURE_ENV: "1"})
    assert len(compiled) == len(items) + len(joined) > 1000
    assert sum(map(len, compiled)) > 1000  # type: ignore[arg-type]
    assert compiled == source
