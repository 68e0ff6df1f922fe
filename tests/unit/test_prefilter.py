"""The topic pre-filter is lossless: a page it rules out is one the full pipeline also judges
irrelevant, and a page it lets through is analysed exactly as without it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.paths import CORPUS, SEEDS
from worker import prefilter, topic
from worker.config import load_settings
from worker.pipeline import Analysis, CoreConfig, Document, analyse

CORE = CoreConfig.from_settings(load_settings(env={}))
FULL = dataclasses.replace(CORE, prefilter=False)
RULE = topic.cached_topic(CORE.topics)

# one North Korea term and one Russia/Kursk term: break them and nothing else is left to match
ARTICLE = ("<p>About 600 {dprk} soldiers have been killed and 2,700 wounded fighting in the "
           "{axis} region, the spy agency told lawmakers on Wednesday.</p>"
           "<p>The troops arrived last autumn, and their losses have grown since then, the "
           "agency said. The figures could not be independently verified.</p>")


def page(body: str, head: str = "") -> str:
    return (f"<html><head><meta charset='utf-8'>{head}</head><body><article>{body}"
            "</article></body></html>")


def both(doc: Document) -> tuple[Analysis, Analysis]:
    return analyse(doc, CORE), analyse(doc, FULL)


def assert_lossless(doc: Document) -> Analysis:
    fast, full = both(doc)
    if fast.prefiltered:
        assert not full.relevant, f"{doc.url}: ruled out but relevant to the full pipeline"
    else:
        assert fast == full, f"{doc.url}: analysed differently with the pre-filter"
    return fast


@pytest.mark.parametrize(("term", "pieces"), [
    ("north korea", ("north", "korea")),
    (r"n\. ?korea", ("n.", "korea")),
    ("kim jong[ -]un", ("kim", "jong", "un")),
    (r"северн\w* коре", ("северн", "коре")),
    ("nord-?cor[ée]", ("nord", "cor")),
    ("(?:north )?korea", ("korea",)),
    ("koreas?", ("korea",)),
    ("kor{1,2}ea", ("ko", "ea")),
    ("(?P<x>a)b(?P=x)", ("b",)),
    ("[a-z]+ korea", ("korea",)),
    (r"\x4eorth korea", ("orth", "korea")),
    (r"nord\u00adkorea", ("nord", "korea")),
    (r"(a)\1korea", ("korea",)),
    ("north|south", None),
    (r"\w+", ()),
])
def test_a_term_is_reduced_to_the_literal_runs_every_match_contains(
        term: str, pieces: tuple[str, ...] | None) -> None:
    assert prefilter.term_pieces(term) == pieces


TERMS = [t for g in RULE.groups if g.required for t in g.terms]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_match_of_every_required_term_contains_its_pieces(data: st.DataObject) -> None:
    term = data.draw(st.sampled_from(TERMS))
    match = data.draw(st.from_regex(term, fullmatch=True))
    pieces = prefilter.term_pieces(term)
    assert pieces is not None
    hay = prefilter.normalise(match)
    assert all(p in hay for p in pieces), (term, match)


SCREEN = prefilter.build_screen(RULE)
PIECES = sorted({p for terms in SCREEN.groups for t in terms for p in t})


def _naive(haystack: str) -> bool:
    return all(any(all(p in haystack for p in t) for t in terms) for terms in SCREEN.groups)


@settings(max_examples=500)
@given(parts=st.lists(st.one_of(st.sampled_from(PIECES),
                                st.sampled_from(PIECES).map(lambda p: p[:2]),
                                st.sampled_from(["x", "é", "ж", "한", "\u2019", "\U0001f600"])),
                      max_size=8))
def test_the_screen_decides_as_the_plain_search_of_every_term(parts: list[str]) -> None:
    # terms with Cyrillic or Hangul letters are skipped when the page has none of their
    # letters: the verdict must stay that of searching every term
    haystack = "".join(parts)
    assert SCREEN.could_match(haystack) == _naive(haystack), haystack


def test_terms_in_a_wider_script_are_found_behind_latin_ones() -> None:
    assert SCREEN.wide is not None and all(SCREEN.wide_from)
    assert SCREEN.could_match("пхеньян" + "kursk")
    assert SCREEN.could_match("north" + "korea" + "москв")
    assert not SCREEN.could_match("пхеньян" + "nothingelse")
    assert not SCREEN.could_match("koreaмосква")  # Korea alone is not North Korea


def test_a_required_group_with_an_irreducible_term_never_rules_a_page_out() -> None:
    rule = dataclasses.replace(RULE, groups=tuple(
        dataclasses.replace(g, terms=(*g.terms, "north|south")) if g.name == "dprk" else g
        for g in RULE.groups))
    screen = prefilter.build_screen(rule)
    assert len(screen.groups) == 1  # the axis group only
    assert not screen.could_match("nothingaboutthewar")


def test_an_off_topic_page_is_ruled_out_and_the_full_pipeline_agrees() -> None:
    doc = Document(url="https://example.org/recipe", locator="t", html=page(
        "<p>Whisk two eggs with sugar, fold in the flour and bake for forty minutes.</p>" * 5))
    fast = assert_lossless(doc)
    assert fast.prefiltered and not fast.relevant
    assert fast.title is None and fast.text == ""
    assert len(fast.fingerprint) == 64


def test_a_page_naming_one_side_only_is_ruled_out() -> None:
    doc = Document(url="https://example.org/ukr", locator="t", html=page(
        "<p>Russian forces shelled the Kharkiv region overnight, Ukraine's army said.</p>" * 4))
    assert assert_lossless(doc).prefiltered


ADVERSARIAL = {
    "inline tags inside a term": ("North <b>Ko</b>rean", "Ku<i>rs</i>k"),
    "entities": ("&#78;orth &#x4B;orean", "Ku&#114;sk"),
    "soft hyphens": ("North Ko&shy;rean", "Kur\u00adsk"),
    "zero-width characters": ("North Ko\u200brean", "Kur\u200bsk"),
    "wbr": ("North Ko<wbr>rean", "Kur<wbr>sk"),
    "German compound split by a tag": ("Nord<span>korea</span>s", "Kur<span>sk</span>"),
}


@pytest.mark.parametrize("case", sorted(ADVERSARIAL))
def test_terms_broken_up_in_the_markup_still_reach_the_full_pipeline(case: str) -> None:
    dprk, axis = ADVERSARIAL[case]
    doc = Document(url=f"https://example.org/{case}", locator="t",
                   html=page(ARTICLE.format(dprk=dprk, axis=axis), "<title>Briefing</title>"))
    fast, full = both(doc)
    assert full.relevant, "the page must be relevant for the case to test anything"
    assert not fast.prefiltered
    assert fast == full


BLAND = ARTICLE.format(dprk="foreign", axis="border")


@pytest.mark.parametrize(("where", "head", "feed_title"), [
    ("title", "<title>North Korean troops in Kursk: 600 killed</title>", None),
    ("og:title", "<meta property='og:title' content='Pyongyang troops in Russia'>", None),
    ("description", "<meta name='description' content='North Korea sends troops to Russia'>",
     None),
    ("feed title", "", "North Korea's losses in Russia"),
])
def test_a_term_only_in_the_titles_or_meta_tags_keeps_the_page(
        where: str, head: str, feed_title: str | None) -> None:
    doc = Document(url=f"https://example.org/{where}", locator="t", title=feed_title,
                   html=page(BLAND, head))
    fast, full = both(doc)
    assert not fast.prefiltered
    assert fast == full
    bare = Document(url=f"https://example.org/{where}", locator="t", html=page(BLAND))
    assert analyse(bare, CORE).prefiltered  # the term in the head is what keeps it


def test_a_term_only_in_json_ld_with_escapes_keeps_the_page() -> None:
    body = ("{\"@type\": \"NewsArticle\", \"articleBody\": \"\\ubd81\\ud55c\\uad70 "
            "\\ub7ec\\uc2dc\\uc544 &lt;b&gt;\\ucfe0\\ub974\\uc2a4\\ud06c&lt;/b&gt;\"}")
    html = page("<p>photo</p>", f"<script type='application/ld+json'>{body}</script>")
    doc = Document(url="https://example.org/jsonld", locator="t", html=html)
    assert "북한군러시아쿠르스크" in prefilter.haystack(html)
    assert not assert_lossless(doc).prefiltered


def test_the_setting_turns_the_pre_filter_off() -> None:
    doc = Document(url="https://example.org/off", locator="t", html=page("<p>Cakes.</p>" * 5))
    assert analyse(doc, CORE).prefiltered
    assert not analyse(doc, FULL).prefiltered
    assert load_settings(env={"WORKER_PIPELINE_PREFILTER": "false"}).pipeline.prefilter is False


def test_forced_figure_extraction_bypasses_the_pre_filter() -> None:
    doc = Document(url="https://example.org/forced", locator="t",
                   html=page("<p>Some 300 workers were hired in March.</p>" * 5))
    assert not analyse(doc, CORE, claims_always=True).prefiltered


def _pages() -> list[Path]:
    return sorted((CORPUS / "pages").glob("*.html")) + sorted(SEEDS.glob("*.html"))


@pytest.mark.slow
@pytest.mark.skipif(not (CORPUS / "pages").is_dir(), reason=f"no corpus at {CORPUS}")
def test_lossless_on_the_real_corpus_and_the_fixture_feed() -> None:
    skipped = kept = 0
    for path in _pages():
        doc = Document(url=f"https://example.org/{path.name}", locator=str(path),
                       html=path.read_bytes())
        if assert_lossless(doc).prefiltered:
            skipped += 1
        else:
            kept += 1
    # the corpus says nothing about North Korea: most of it must be ruled out, or the
    # pre-filter is not doing its job (and the seeds' relevant pages are kept)
    assert skipped >= 150
    assert kept >= 10


def test_a_page_the_parser_gives_up_on_is_searched_whole() -> None:
    # past the HTML parser's depth limit the tree ends; the source still names both sides
    deep = "<div>" * 5000 + ARTICLE.format(dprk="North Korean", axis="Kursk") + "</div>" * 5000
    doc = Document(url="https://example.org/deep", locator="t", html=page(deep))
    assert not assert_lossless(doc).prefiltered


def test_a_less_than_sign_in_the_text_hides_no_term() -> None:
    text = "<p>If 3 < 4 then North Korean troops > 0 in Kursk, and the losses grow.</p>"
    assert prefilter.cached_screen(CORE.topics).could_match(prefilter.haystack(page(text)))


def test_a_term_after_a_less_than_sign_in_a_script_is_still_searched() -> None:
    # the tag pattern takes "<n" for a tag and cuts up to the next ">": the script's body is
    # searched as it is too
    script = ("<script>for (i = 0; i<n; i++) {} var headline = 'Pyongyang sends troops to "
              "Kursk'; if (a > b) {}</script>")
    screen = prefilter.cached_screen(CORE.topics)
    assert screen.could_match(prefilter.haystack(page("<p>Cakes.</p>", script)))


def test_json_escaped_twice_is_decoded() -> None:
    # Discourse keeps its posts as JSON inside a JSON string inside an attribute
    posts = ("{&quot;topic_1&quot;: &quot;{\\&quot;cooked\\&quot;: \\&quot;"
             "\\\\ubd81\\\\ud55c\\\\uad70 \\\\ub7ec\\\\uc2dc\\\\uc544\\&quot;}&quot;}")
    html = page("<div id='data-preloaded' data-preloaded=\"" + posts + "\"></div>")
    assert "북한군러시아" in prefilter.haystack(html)


def test_an_attribute_value_left_open_runs_to_the_end_of_the_page() -> None:
    html = "<html><head><meta property='og:title' content='North Korea and Russia"
    assert prefilter.cached_screen(CORE.topics).could_match(prefilter.haystack(html))


@pytest.mark.parametrize("attribute", [
    "<a href='/north-korea/russia' title='North Korea Russia'>{}</a>",
    "<img alt='North Korean troops in Kursk' src='x.jpg'>{}",
    "<div class='korea-north russia'>{}</div>",
])
def test_attributes_trafilatura_never_reads_do_not_keep_a_page(attribute: str) -> None:
    # links, image alt text and class names are not text: the page is ruled out, and the
    # full pipeline agrees
    doc = Document(url="https://example.org/attr", locator="t",
                   html=page(attribute.format("<p>Whisk two eggs with sugar and flour.</p>" * 4)))
    assert assert_lossless(doc).prefiltered
