"""Shim: the Alembic environment lives in the package (worker/migrations/env.py); this runs it
for an Alembic configuration that still names this directory as its script location."""

from __future__ import annotations

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).resolve().parents[1] / "worker" / "migrations" / "env.py"))
