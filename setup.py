"""Build hook: compile the figure extractor with mypyc (see worker/figures/native.py).

Everything else about the package is in pyproject.toml. The compiled modules are optional:
``WORKER_COMPILE=0`` skips them, and a machine where mypyc or the C compiler fails gets the
pure-Python package (each extension is ``optional``), which behaves the same, only slower.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
FIGURES = ROOT / "worker" / "figures"


def _extensions() -> list:
    if os.environ.get("WORKER_COMPILE", "1").strip().lower() in {"0", "false", "no", "off"}:
        return []
    native = runpy.run_path(str(FIGURES / "native.py"))  # standard library only
    sources = native["compiled_sources"](FIGURES)
    try:
        from mypyc.build import mypycify
    except ImportError as exc:  # no mypyc in the build environment
        print(f"setup.py: not compiling the figure extractor ({exc})", file=sys.stderr)
        return []
    cwd = os.getcwd()
    os.chdir(ROOT)  # mypyc names the modules after paths relative to the project
    try:
        extensions = mypycify([str(p.relative_to(ROOT)) for p in sources], opt_level="3")
    except BaseException as exc:  # a type error mypyc refuses: build the pure package
        print(f"setup.py: mypyc failed, building without it ({exc!r})", file=sys.stderr)
        return []
    finally:
        os.chdir(cwd)
    for ext in extensions:
        ext.optional = True  # no C compiler: skip it, the sources run instead
    (FIGURES / native["DIGEST_FILE"]).write_text(native["digest"](sources) + "\n",
                                                 encoding="ascii")
    return extensions


setup(ext_modules=_extensions())
