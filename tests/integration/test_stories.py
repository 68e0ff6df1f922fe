"""Stories on SQLite and PostgreSQL: a copy of a wire story whose sentence drops the claimant
takes the claimant of the copy that names it (marked inferred), whichever arrives first; two
copies naming different claimants leave it open; the story's representative is its earliest
published article, even when a later copy was stored first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings
from worker.pipeline import CoreConfig, Document, analyse
from worker.store import queries
from worker.store.db import alembic_config, engine_of
from worker.store.lineage_sql import _CHANGE_SOURCE
from worker.store.models import Article, FigureChangeRow, FigureClaim, FigureStatement, Story
from worker.store.writer import Store

BODY = """The agency {told} members of parliament's intelligence committee in a closed session that
the soldiers had been moved to new positions along the border after the spring fighting, and
that training with drones had continued {over} the summer months.

{Lawmakers} who attended the session said the agency expected a further rotation of units
before winter, but gave no date. They added that the North had supplied more artillery shells
and that Moscow was paying for the deployment with fuel and food.

{Agency} said that it was still checking reports that several units had been pulled back from
the front for rest. Officials in Kyiv did not comment on the briefing, and the Russian defence
ministry has never confirmed the presence of the North Korean units."""

ORIGINAL = ("Seoul spy agency puts North Korean death toll in Kursk at 2,000\n\n"
            "South Korea's National Intelligence Service said on Thursday that about 2,000 "
            "North Korean soldiers have been killed since Pyongyang sent its troops to fight "
            "for Russia in the Kursk region.\n\n"
            + BODY.format(told="told", over="over", Lawmakers="Lawmakers", Agency="The agency"))
# another desk's edit: new headline, the claimant dropped from the lede, a word changed in
# most sentences, an abbreviation added
COPY = ("North Korea has lost 2,000 soldiers in Russia's war, Seoul says\n\n"
        "About 2,000 North Korean soldiers have been killed since Pyongyang sent its troops "
        "to fight for Russia in the Kursk region.\n\n"
        + BODY.format(told="has told", over="through", Lawmakers="Legislators",
                      Agency="The National Intelligence Service (NIS)"))
OTHER_CLAIMANT = ("Kyiv's military intelligence puts North Korean toll at 2,000\n\n"
                  "Ukraine's military intelligence said on Thursday that about 2,000 North "
                  "Korean soldiers have been killed since Pyongyang sent its troops to fight "
                  "for Russia in the Kursk region.\n\n"
                  + BODY.format(told="told", over="over", Lawmakers="Lawmakers",
                                Agency="The agency"))


def _doc(name: str, text: str, published: str) -> Document:
    return Document(url=f"https://{name}.example/story", locator=name, text=text,
                    source=name, language="en",
                    published=datetime.fromisoformat(published).replace(tzinfo=UTC))


def _store(factory: sessionmaker[Session], settings: Settings, docs: list[Document]) -> None:
    store = Store(engine_of(factory), settings.dedupe)
    core = CoreConfig.from_settings(settings)
    for doc in docs:
        assert store.save(doc, analyse(doc, core)).outcome == "new"


def _killed(factory: sessionmaker[Session]) -> dict[str, tuple[str | None, bool]]:
    with factory() as s:
        rows = s.execute(select(Article.outlet, FigureClaim.claimant,
                                FigureClaim.claimant_inferred)
                         .join(Article, Article.id == FigureClaim.article_id)
                         .where(FigureClaim.metric == "killed", FigureClaim.value == 2000))
        return {outlet: (claimant, inferred) for outlet, claimant, inferred in rows}


@pytest.mark.parametrize("copy_first", [False, True], ids=["original-first", "copy-first"])
def test_a_copy_takes_the_claimant_of_its_story_whatever_the_order(
        factory: sessionmaker[Session], settings: Settings, copy_first: bool) -> None:
    docs = [_doc("agency", ORIGINAL, "2025-09-04T06:00"),
            _doc("desk", COPY, "2025-09-04T09:30")]
    _store(factory, settings, docs[::-1] if copy_first else docs)
    assert _killed(factory) == {"agency": ("KR-NIS", False), "desk": ("KR-NIS", True)}
    with factory() as s:
        articles = {a.outlet: a for a in s.scalars(select(Article))}
        assert articles["agency"].story_id == articles["desk"].story_id is not None
        story = s.get(Story, articles["agency"].story_id)
        assert story is not None and story.first_article_id == articles["agency"].id
        listed = queries.stories(s)
        latest = queries.latest_figures(s, subject="KP")
    assert [st["earliest_url"] for st in listed] == ["https://agency.example/story"]
    # one series for the killed figure, not a parallel claimant-less one
    assert [(r["metric"], r["claimant"]) for r in latest if r["metric"] == "killed"] == [
        ("killed", "KR-NIS")]


def test_two_claimants_for_one_figure_leave_the_copy_without_one(
        factory: sessionmaker[Session], settings: Settings) -> None:
    _store(factory, settings, [_doc("agency", ORIGINAL, "2025-09-04T06:00"),
                               _doc("desk", COPY, "2025-09-04T09:30")])
    assert _killed(factory)["desk"] == ("KR-NIS", True)
    _store(factory, settings, [_doc("kyiv", OTHER_CLAIMANT, "2025-09-04T10:00")])
    killed = _killed(factory)
    with factory() as s:
        stories = {a.outlet: a.story_id for a in s.scalars(select(Article))}
    assert stories["kyiv"] == stories["agency"]  # the same wire text: one story
    assert killed == {"agency": ("KR-NIS", False), "kyiv": ("UA-HUR", False),
                      "desk": (None, False)}


def _change_rows(factory: sessionmaker[Session]) -> list[Any]:
    """figure_change_rows as stored, and as derived from the statements, claims and articles
    (every column compared, the article's copies included)."""
    table = FigureChangeRow.__table__
    with factory() as s:
        kept = s.execute(select(table).order_by(table.c.claim_id)).all()
        assert kept == s.execute(_CHANGE_SOURCE.order_by(FigureStatement.claim_id)).all()
    return kept


def test_the_change_rows_follow_a_new_title_and_story_of_their_article(
        factory: sessionmaker[Session], settings: Settings) -> None:
    """A change row copies its article's title and story; a new version with a new headline
    and the same figures writes no statement of the first version again, so the writer
    copies the article's fields itself (without it, the first version's change keeps the old
    title); a later copy joining the story leaves the rows of both exact."""
    first = _doc("agency", ORIGINAL, "2025-09-04T06:00")
    _store(factory, settings, [first])
    before = _change_rows(factory)
    assert before and {r.title for r in before} == {ORIGINAL.split("\n")[0]}
    headline = "Seoul's spy agency: 2,000 North Korean soldiers killed in Kursk"
    revised = Document(url=first.url, locator=first.locator,
                       text=headline + ORIGINAL[ORIGINAL.index("\n"):] + "\n\nUpdated.",
                       source=first.source, language="en", published=first.published)
    store = Store(engine_of(factory), settings.dedupe)
    assert store.save(revised, analyse(revised, CoreConfig.from_settings(settings))
                      ).outcome == "revised"
    after = _change_rows(factory)
    assert {r.claim_id for r in before} <= {r.claim_id for r in after}
    assert {r.title for r in after} == {headline}
    _store(factory, settings, [_doc("desk", COPY, "2025-09-04T09:30")])
    rows = _change_rows(factory)
    with factory() as s:
        story = s.scalar(select(Article.story_id).where(Article.outlet == "agency"))
    assert story is not None and {r.story_id for r in rows if r.outlet == "agency"} == {story}


def test_the_change_row_copies_migration_fills_them_from_what_is_stored(
        factory: sessionmaker[Session], settings: Settings) -> None:
    """Down to `change_rows` (the table without the copies, filled by its own SQL) and up
    again: the revision `change_row_copies` makes the same rows as the write path, article
    fields and ISO times included."""
    from alembic import command

    _store(factory, settings, [_doc("agency", ORIGINAL, "2025-09-04T06:00"),
                               _doc("desk", COPY, "2025-09-04T09:30")])
    written = _change_rows(factory)
    assert written and all(r.url and r.stated_for_iso.endswith("+00:00") for r in written)
    engine = engine_of(factory)
    for step in (command.downgrade, command.upgrade):
        with engine.begin() as conn:
            cfg = alembic_config(engine)
            cfg.attributes["connection"] = conn
            step(cfg, "change_rows" if step is command.downgrade else "head")
            if step is command.downgrade:
                assert "url" not in {c["name"] for c in inspect(conn).get_columns(
                    "figure_change_rows")}
    assert _change_rows(factory) == written
