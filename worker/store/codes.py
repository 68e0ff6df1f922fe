"""The codes the stored claims use: what a filter such as `--subject kp` can match."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.store.models import FigureClaim


def series_codes(session: Session) -> dict[str, list[str]]:
    """Distinct subjects, metrics and claimants of the stored claims, sorted (no None)."""
    found: dict[str, list[str]] = {}
    for name in ("subject", "metric", "claimant"):
        column = getattr(FigureClaim, name)
        values = session.execute(select(column).where(column.is_not(None)).distinct()).scalars()
        found[name] = sorted(str(v) for v in values)
    return found
