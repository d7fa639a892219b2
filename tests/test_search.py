"""Search across units, cards and questions (SQLite FTS5 through sqlite-utils), and the search page."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs

import pytest
from markdown_it import MarkdownIt

from studyapp.core.markdown_escape import escape_markdown
from studyapp.core.search import PER_PAGE, build_index, fts_query, search, search_page

from apptest_helpers import open_page, texts
from paths import CONTENT

MD = MarkdownIt("commonmark")
PIXEL = "![x](http://127.0.0.1:9/pixel.png)"


@pytest.fixture(scope="module")
def index(course):
    return build_index(course)


def inline_tokens(markdown: str) -> list:
    return [c for t in MD.parse(markdown) if t.type == "inline" for c in t.children]


def rendered_text(markdown: str) -> str:
    """What a reader sees of one line of Markdown (code spans keep their backticks here)."""
    return "".join(f"`{t.content}`" if t.type == "code_inline" else t.content for t in inline_tokens(markdown)
                   if t.type in ("text", "code_inline"))


def test_finds_text_cards_and_questions(index):
    hits = search(index, "double quantization")
    kinds = {h.kind for h in hits}
    assert {"section", "card", "question"} <= kinds
    for hit in hits:  # every hit shows the match in bold (a question may match in its choices)
        assert "**" in hit.title_md + hit.snippet or hit.kind == "question"


def test_prefix_of_the_last_word_matches_while_typing(index):
    assert search(index, "merge_and_unl")
    assert search(index, "quantiz") and not search(index, "zzzqqq")


def test_hostile_queries_do_not_break_fts(index):
    for text in ['"', "AND OR NOT", "a:b", "(", "*", "   ", "NEAR(", "lora'", "\x00", "x" * 100_000,
                 "lora " * 20_000, PIXEL, "<script>alert(1)</script>"]:
        search_page(index, text)  # must not raise
    assert fts_query("  ") == "" and fts_query("Q_proj v_proj") == '"q_proj" "v_proj"*'


def test_title_matches_rank_first(course, index):
    unit = course.unit("lora-basics")
    hits = search(index, unit.cards[0].front)
    assert hits[0].title == unit.cards[0].front


def test_the_count_is_every_match_and_pages_cover_them_once(index):
    everything = search(index, "lora", limit=10_000)
    first = search_page(index, "lora")
    assert first.total == len(everything) > 3 * PER_PAGE  # not capped at 30
    assert first.pages == -(-first.total // PER_PAGE) and (first.first, first.last) == (1, PER_PAGE)
    seen = [h for n in range(1, first.pages + 1) for h in search_page(index, "lora", n).hits]
    assert seen == everything
    last = search_page(index, "lora", 10_000)  # past the end: the last page
    assert last.page == first.pages and last.last == first.total
    assert search_page(index, "lora", -3).page == 1
    assert search_page(index, "zzzqqq").total == 0


def test_quiz_results_show_the_prompt_and_never_the_explanation(course):
    unit = course.units[0]
    marked = replace(unit.questions[0], explanation=unit.questions[0].explanation + " zebracorn")
    unit = replace(unit, questions=(marked, *unit.questions[1:]))
    course = replace(course, units=(unit, *course.units[1:]))
    index = build_index(course)
    assert search(index, "zebracorn") == []  # the explanation is not searched: it holds the answer
    question_hits = [h for h in search(index, "quantization", limit=10_000) if h.kind == "question"]
    assert question_hits and all(h.snippet == "" for h in question_hits)
    assert all(rendered_text(h.title_md) == h.title for h in question_hits)  # the prompt, as written


def test_every_hit_leads_to_a_section_of_its_unit(course, index):
    hits = search(index, "lora", limit=10_000)
    for hit in hits:
        sections = {s.slug: s.title for s in course.unit(hit.unit_slug).sections}
        if hit.kind == "section" and hit.title != course.unit(hit.unit_slug).title:
            assert hit.section_slug in sections and hit.section_title == sections[hit.section_slug]
        assert hit.section_slug is None or hit.section_slug in sections
    placed = [h for h in hits if h.kind != "section" and h.section_slug]
    assert len(placed) == len([h for h in hits if h.kind != "section"])  # every card and question placed


def test_snippets_never_show_highlight_markup_inside_code(index):
    queries = ["merge", "merge adapter", "lora_alpha", "target_modules", "save_pretrained",
               "double quantization"]
    for query in queries:
        for hit in search(index, query, limit=10_000):
            for markdown in (hit.title_md, hit.snippet):
                for token in inline_tokens(markdown):
                    if token.type == "code_inline":
                        assert "*" not in token.content and "\x02" not in token.content, markdown
                    if token.type == "text":  # an unmatched ** or ` would be shown as typed
                        assert "**" not in token.content and "`" not in token.content, markdown


def test_a_match_inside_code_bolds_the_whole_code_span(index):
    hit = next(h for h in search(index, "merge", limit=10_000) if "merge_and_unload()`" in h.snippet)
    assert "**`merge_and_unload()`**" in hit.snippet


@pytest.mark.parametrize("text", [PIXEL, "[link](http://127.0.0.1:9/)", "<img src=x onerror=alert(1)>",
                                  "**bold** _it_ `code` $x^2$ :red[red] :material/home: # h", "a\\b&amp;c",
                                  "1. list", "- item", "> quote", "http://127.0.0.1:9/pixel.png", "x | y"])
def test_escaped_text_renders_as_typed(text):
    tokens = inline_tokens(escape_markdown(text))
    assert [t.type for t in tokens] == ["text"] and tokens[0].content == text


def test_escaping_flattens_lines_and_nul():
    assert escape_markdown("a\n# b\r\n\x00") == "a \\# b \ufffd"


def _markdown_sources(at) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "title")
    return [e.value for kind in kinds for e in getattr(at, kind)]


def test_the_query_is_shown_as_text_not_markdown(app_env):
    at = open_page("views/search.py", q=PIXEL)
    assert not at.exception
    for source in _markdown_sources(at):
        rendered = [t for t in inline_tokens(source) if t.type in ("image", "link_open", "html_inline")]
        assert not rendered, source
    assert any(PIXEL in "".join(t.content for t in inline_tokens(c.value)) for c in at.caption)


def test_the_page_shows_the_real_count_and_pages(app_env, index):
    total = search_page(index, "lora").total
    at = open_page("views/search.py", q="lora")
    assert f"{total} results for “lora” · 1–{PER_PAGE} shown, page 1 of " in texts(at)
    assert len([e for e in at.markdown if "**" in e.value]) >= PER_PAGE
    links = {e.proto.label: parse_qs(e.proto.query_string) for e in at.get("page_link")}
    assert links["More results"] == {"q": ["lora"], "page": ["2"]}
    at.query_params["page"] = "2"
    at.run()
    assert f"· {PER_PAGE + 1}–{2 * PER_PAGE} shown, page 2 of" in texts(at)


def test_open_links_go_to_the_section(app_env, course):
    at = open_page("views/search.py", q="merge_and_unload")
    targets = [parse_qs(e.proto.query_string) for e in at.get("page_link")
               if e.proto.label.startswith("Open")]
    assert targets
    for target in targets:
        sections = {s.slug for s in course.unit(target["unit"][0]).sections}
        assert target.get("section", [None])[0] in sections | {None}
    assert sum("section" in t for t in targets) >= len(targets) - 1


def test_a_new_query_in_the_sidebar_box_is_honoured_on_the_search_page(app_env):
    at = open_page("views/search.py", q="lora_alpha")
    assert "for “lora_alpha”" in texts(at)
    at.text_input(key="sidebar-search").input("double quantization").run()
    assert not at.exception
    assert "for “double quantization”" in texts(at) and "lora_alpha”" not in texts(at)
    assert at.text_input(key="search-page-q").value == "double quantization"
    assert at.query_params["q"] == ["double quantization"] or at.query_params["q"] == "double quantization"
