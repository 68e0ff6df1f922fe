"""Whether the figure extractor runs compiled or from its Python source, and why.

An install compiles the extractor's modules with mypyc when it can (``setup.py``; the
modules are already fully typed for mypy): the same code, as C extension modules that sit
beside the sources, about 1.3× faster on figure-dense text with the same output claim for
claim. A machine without a C compiler, or ``WORKER_COMPILE=0`` at install time, gets the
source modules only, which behave the same.

A compiled module shadows its ``.py`` file, so a build older than the sources (an edit in a
checkout since the last ``make install``) would run old code. The build records the digest
of the sources it compiled (``native.sha256``); when the sources here differ from it, or
``WORKER_FIGURES_PURE=1`` is set, `select` puts a finder first on ``sys.meta_path`` that
loads these modules from their ``.py`` files instead. ``worker info`` shows which it is.

This module and ``worker/figures/__init__.py`` run before any compiled module is imported:
both stay source (see `NOT_COMPILED`), and this one imports only the standard library, so
that ``setup.py`` can read `compiled_sources` and `digest` without the project installed.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
PACKAGE = "worker.figures"
DIGEST_FILE = "native.sha256"
PURE_ENV = "WORKER_FIGURES_PURE"
# `model`: a Claim crosses processes (the analysis pool pickles it), which a frozen
# dataclass compiled by mypyc does not survive; `native` and `__init__` decide the rest
NOT_COMPILED = frozenset({"__init__.py", "native.py", "model.py"})


def compiled_sources(directory: Path = HERE) -> list[Path]:
    """The modules an install compiles, in a stable order."""
    return sorted(p for p in directory.glob("*.py") if p.name not in NOT_COMPILED)


def digest(sources: Sequence[Path]) -> str:
    """SHA-256 of the modules' names and contents (what the build records)."""
    h = hashlib.sha256()
    for path in sources:
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _built(directory: Path, name: str) -> bool:
    return any((directory / f"{name}{suffix}").exists()
               for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def status(directory: Path = HERE, environ: dict[str, str] | None = None) -> tuple[bool, str]:
    """(compiled, why): whether the compiled modules are the ones to load."""
    env = os.environ if environ is None else environ
    sources = compiled_sources(directory)
    built = [p for p in sources if _built(directory, p.stem)]
    if not built:
        return False, "not compiled (install without a C compiler, or WORKER_COMPILE=0)"
    if env.get(PURE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}:
        return False, f"{PURE_ENV} is set"
    if len(built) != len(sources):
        return False, "the build lacks " + ", ".join(
            p.stem for p in sources if p not in built)
    try:
        recorded = (directory / DIGEST_FILE).read_text(encoding="ascii").strip()
    except OSError:
        return False, f"{DIGEST_FILE} is missing: the build cannot be checked"
    if recorded != digest(sources):
        return False, "the sources changed since the build (make install compiles them again)"
    return True, "compiled with mypyc"


class _SourceFirst(importlib.abc.MetaPathFinder):
    """Loads the extractor's modules from their ``.py`` files, never from a build."""

    def __init__(self, directory: Path, names: frozenset[str]) -> None:
        self.directory = directory
        self.names = names

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE or name not in self.names:
            return None
        return importlib.util.spec_from_file_location(fullname, self.directory / f"{name}.py")


def select() -> tuple[bool, str]:
    """Called once by the package before it imports its modules: keep the build, or make
    the sources win (see the module docstring). Returns `status`."""
    compiled, why = status()
    if compiled or any(isinstance(f, _SourceFirst) for f in sys.meta_path):
        return compiled, why
    names = frozenset(p.stem for p in compiled_sources() if _built(HERE, p.stem))
    if names:  # a build lies beside the sources: keep it from loading
        sys.meta_path.insert(0, _SourceFirst(HERE, names))
    return compiled, why
