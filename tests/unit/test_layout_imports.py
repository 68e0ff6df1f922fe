"""The rooms of the test house (issue 12): shared helpers live in `tests/helpers`; no test
imports a benchmark, no benchmark imports a test module, and the helpers import neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT


def _imports(path: Path) -> list[str]:
    """Absolute names of the modules a file imports (relative imports resolved)."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    out: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            out.append(".".join([*base, *(node.module.split(".") if node.module else [])]))
    return out


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", _files("tests"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_imports_a_benchmark(path: Path) -> None:
    assert not [m for m in _imports(path) if m == "benchmarks" or m.startswith("benchmarks.")]


@pytest.mark.parametrize("path", _files("tests"), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_test_imports_another_test_module(path: Path) -> None:
    """What tests share lives in tests/helpers (a library) or tests/conftest.py (fixtures)."""
    assert not [m for m in _imports(path) if m.split(".")[-1].startswith(("test_", "conftest"))]


@pytest.mark.parametrize("path", _files("benchmarks"), ids=lambda p: str(p.relative_to(ROOT)))
def test_benchmarks_import_only_the_shared_helpers_of_the_tests(path: Path) -> None:
    tests = [m for m in _imports(path) if m == "tests" or m.startswith("tests.")]
    assert all(m == "tests.helpers" or m.startswith("tests.helpers.") for m in tests), tests


@pytest.mark.parametrize("path", _files("tests/helpers"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_helpers_import_no_test_and_no_benchmark(path: Path) -> None:
    for m in _imports(path):
        assert not m.startswith("benchmarks"), m
        assert not m.startswith("tests") or m.startswith("tests.helpers"), m


def test_the_import_reader_sees_relative_and_absolute_imports() -> None:
    probe = ROOT / "tests" / "unit" / "test_layout_imports.py"
    assert "tests.helpers.paths" in _imports(probe)
    assert "ast" in _imports(probe)
