"""The codes the stored claims use: what a filter such as `--subject kp` can match."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, func, select

from worker.store.tables import figure_claims

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def stored_subjects(session: Session | Connection) -> list[str]:
    """Distinct subjects of the stored claims, sorted (no None). A skip scan of the claims'
    series index (subject first): one index descent per subject (`min(subject) > the last
    one`, recursively), where SELECT DISTINCT read every claim (0.7 s at 10M claims on
    PostgreSQL, for a command whose answer takes 50 ms)."""
    subject = figure_claims.c.subject
    found = select(func.min(subject).label("code")).cte("subjects", recursive=True)
    found = found.union_all(
        select(select(func.min(subject)).where(subject > found.c.code).scalar_subquery())
        .where(found.c.code.is_not(None)))
    return sorted(str(v) for v in session.execute(
        select(found.c.code).where(found.c.code.is_not(None))).scalars())


def stored_claimants(session: Session | Connection) -> list[str]:
    """Distinct claimants of the stored claims, sorted (no None)."""
    claimant = figure_claims.c.claimant
    return sorted(str(v) for v in session.execute(
        select(claimant).where(claimant.is_not(None)).distinct()).scalars())
