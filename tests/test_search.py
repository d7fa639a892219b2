"""Search across units, cards and questions (SQLite FTS5 through sqlite-utils)."""

from __future__ import annotations

from studyapp.core.search import build_index, fts_query, search


def test_finds_text_cards_and_questions(course):
    index = build_index(course)
    hits = search(index, "double quantization")
    kinds = {h.kind for h in hits}
    assert {"section", "card", "question"} <= kinds
    for hit in hits:  # every hit shows the match, in its title or in the highlighted snippet
        assert "**" in hit.snippet or "quantiz" in hit.title.lower()


def test_prefix_of_the_last_word_matches_while_typing(course):
    index = build_index(course)
    assert search(index, "merge_and_unl")
    assert search(index, "quantiz") and not search(index, "zzzqqq")


def test_hostile_queries_do_not_break_fts(course):
    index = build_index(course)
    for text in ['"', "AND OR NOT", "a:b", "(", "*", "   ", "NEAR(", "lora'"]:
        search(index, text)  # must not raise
    assert fts_query("  ") == "" and fts_query("Q_proj v_proj") == '"q_proj" "v_proj"*'


def test_title_matches_rank_first(course):
    index = build_index(course)
    unit = course.unit("lora-basics")
    hits = search(index, unit.cards[0].front)
    assert hits[0].title == unit.cards[0].front
