"""Three stored reports of the North Korean toll with their claims and lineage, for the tests
of reviews and exports (the `ids` fixture in tests/conftest.py stores them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from worker.store import lineage
from worker.store.models import Article, ArticleVersion, FigureClaim

T0 = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def claims_of(rows: list[tuple[str, str, str | None, int, str]], version_id: int,
            article_id: int, at: datetime) -> list[FigureClaim]:
    return [FigureClaim(version_id=version_id, article_id=article_id, metric=metric,
                        subject=subject, claimant=claimant, claimant_raw=claimant, value=value,
                        low=value, high=value, qualifier="approx", modality="reported",
                        scope=None, sentence=sentence, start=i * 100, end=i * 100 + 5,
                        claimed_at=at)
            for i, (metric, subject, claimant, value, sentence) in enumerate(rows)]


def three_reports(factory: sessionmaker[Session]) -> dict[str, int]:
    """Three reports of the North Korean toll: KR-NIS 100, then 300 (with a part, 120 of
    them in Kursk), then 5,000 (another war's figure, wrongly read)."""
    out: dict[str, int] = {}
    reports = [
        ("a", 0, [("killed", "KP", "KR-NIS", 100, "The NIS said 100 were killed.")]),
        ("b", 5, [("killed", "KP", "KR-NIS", 300, "Some 300 were killed, the NIS said."),
                  ("killed", "KP", "KR-NIS", 120, "Of them 120 were killed in Kursk.")]),
        ("c", 9, [("killed", "KP", "KR-NIS", 5000, "5,000 were killed in another war."),
                  ("deployed", "KP", None, 11000, "About 11,000 troops were sent.")]),
    ]
    with factory() as s, s.begin():
        for name, days, rows in reports:
            at = T0.replace(day=T0.day + days)
            a = Article(canonical_url=f"https://news.example/{name}",
                        url=f"https://news.example/{name}", title=f"Report {name}",
                        outlet="Outlet", language="en", published_at=at, relevant=True,
                        relevance=9.0, fingerprint=f"fp-{name}")
            s.add(a)
            s.flush()
            v = ArticleVersion(article_id=a.id, number=1, fetched_at=at, text="...",
                               fingerprint=f"v-{name}")
            s.add(v)
            s.flush()
            claims = claims_of(rows, v.id, a.id, at)
            s.add_all(claims)
            s.flush()
            lineage.refresh_article(s, a.id)  # as the writer does
            for i, c in enumerate(claims):
                out[f"{name}{i}"] = c.id
            out[f"v_{name}"] = v.id
    return out
