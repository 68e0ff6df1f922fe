"""Stories on SQLite and PostgreSQL: a copy of a wire story whose sentence drops the claimant
takes the claimant of the copy that names it (marked inferred), whichever arrives first; two
copies naming different claimants leave it open; the story's representative is its earliest
published article, even when a later copy was stored first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from worker.config import Settings
from worker.pipeline import CoreConfig, Document, analyse
from worker.store import queries
from worker.store.db import engine_of
from worker.store.models import Article, FigureClaim, Story
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
