"""The codes the stored claims use: what a filter such as `--subject kp` can match."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from worker.store.tables import figure_claims

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def series_codes(session: Session | Connection) -> dict[str, list[str]]:
    """Distinct subjects, metrics and claimants of the stored claims, sorted (no None)."""
    found: dict[str, list[str]] = {}
    for name in ("subject", "metric", "claimant"):
        column = figure_claims.c[name]
        values = session.execute(select(column).where(column.is_not(None)).distinct()).scalars()
        found[name] = sorted(str(v) for v in values)
    return found
