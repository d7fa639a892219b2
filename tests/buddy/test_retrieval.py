"""Grounded answers: cited sections with contract links, highlighted words, cards, and honest refusals."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pytest

from studyapp.buddy import highlight
from studyapp.buddy.answer import FOUND, NOT_FOUND, NOT_FOUND_TEXT, ask
from studyapp.buddy.index import MARK_CLOSE, MARK_OPEN, query_words
from studyapp.buddy.passages import chunk_markdown, split_sections
from studyapp.buddy.retrieve import FOUND_COVERAGE, retrieve
from studyapp.core.content import slugify

OUTSIDE = [
    "what is the capital of france",
    "how do I bake sourdough bread",
    "who won the football world cup in 2022",
    "how do I center a div in css",
    "what's the weather like tomorrow",
    "explain photosynthesis in plants",
    "how do I install windows on a mac",
    "what is the boiling point of water on mount everest",
    "recommend a good pizza place near me",
    "how does a convolutional neural network detect edges in images",
    "what is the best stock to buy this year",
    "how do reinforcement learning agents explore",
    "translate hello into spanish",
    "what is kubernetes",
    "how to train a dog to sit",
    "asdfgh qwerty",
    "what is a random forest",
]


@pytest.mark.parametrize("question", OUTSIDE)
def test_questions_outside_the_course_get_i_could_not_find_this(index, question):
    answer = ask(index, question)
    assert answer.kind == NOT_FOUND and answer.text.startswith(NOT_FOUND_TEXT)
    assert answer.computed is None and not answer.cards
    for cite in answer.citations:  # the closest sections, offered as such, never as an answer
        assert cite.coverage < FOUND_COVERAGE


def test_a_refusal_still_offers_the_closest_sections(index):
    answer = ask(index, "how do reinforcement learning agents explore")
    assert answer.kind == NOT_FOUND and answer.citations and "closest sections" in answer.text


def test_an_answer_cites_sections_with_the_contract_link(index, course):
    answer = ask(index, "how much does double quantization save?")
    assert answer.kind == FOUND and answer.citations[0].section == "Double quantization"
    for cite in answer.citations:
        url = urlparse(cite.url)
        query = parse_qs(url.query)
        assert url.path == "/unit" and query["unit"] == [cite.unit]
        unit = course.unit(cite.unit)
        assert query["section"] == [cite.section_slug] == [slugify(cite.section)]
        assert cite.section_slug in {s.slug for s in unit.sections}
        assert cite.where == f"{unit.title} › {cite.section}"
    assert [c.n for c in answer.citations] == [1, 2, 3]


def test_matched_words_are_highlighted_in_the_passage(index):
    cite = ask(index, "how much does double quantization save?").citations[0]
    shown = cite.markdown()
    assert (
        ":orange-background[Double quantization]" in shown
        or ":orange-background[double quantization]" in shown
    )
    assert MARK_OPEN not in shown and MARK_CLOSE not in shown


def test_highlighting_leaves_code_maths_and_link_targets_as_written():
    marked = (
        f"The {MARK_OPEN}adapter{MARK_CLOSE} `{MARK_OPEN}adapter{MARK_CLOSE}_model` and "
        f"$r_{MARK_OPEN}adapter{MARK_CLOSE}$ and [open](/lab-build?{MARK_OPEN}adapter{MARK_CLOSE}=1)\n"
        f"```python\n{MARK_OPEN}adapter{MARK_CLOSE} = 1\n```"
    )
    shown = highlight.render_marks(marked, "**", "**")
    assert shown == (
        "The **adapter** `adapter_model` and $r_adapter$ and [open](/lab-build?adapter=1)\n"
        "```python\nadapter = 1\n```"
    )


def test_cards_on_the_topic_are_offered_to_drill(index, course):
    answer = ask(index, "why is B initialised to zero?")
    assert answer.cards
    for card in answer.cards:
        assert course.card(card.key) is not None and course.card(card.key).front == card.front


def test_the_unit_the_student_is_on_wins_a_near_tie(index):
    question = "what does merge_and_unload do"
    plain = retrieve(index, question).section_keys()[:2]
    on_unit = retrieve(index, question, unit="loraconfig").section_keys()[0]
    assert on_unit.startswith("loraconfig/")
    assert any(k.startswith("saving-merging-serving/") for k in plain)


def test_a_number_question_the_course_discusses_gets_a_lab_link(index):
    answer = ask(index, "how much memory do the adam moments take in full fine-tuning")
    assert answer.kind == FOUND and answer.lab_url == "/lab-memory"


@pytest.mark.parametrize("text", ['"', "AND OR NOT", "a:b", "(", "*", "   ", "NEAR(", "lora'", "", "?!"])
def test_hostile_or_empty_questions_do_not_break_the_index(index, text):
    answer = ask(index, text)
    assert answer.kind in (FOUND, NOT_FOUND)


def test_question_words_drop_phrasing_and_keep_symbols():
    assert query_words("What does lora_alpha actually do, please?") == ["lora", "alpha"]
    assert query_words("Why is B zero?") == ["b", "zero"]


def test_sections_split_at_headings_outside_code_and_chunks_keep_code_whole():
    body = (
        "Intro.\n\n## First\n\nText one.\n\n```python\n## not a heading\nx = 1\n```\n\n"
        "## Second\n\nText two.\n"
    )
    assert [t for t, _ in split_sections(body)] == ["", "First", "Second"]
    long = "\n\n".join(["word " * 50, "```python\n" + "y = 2\n" * 40 + "```", "word " * 50])
    chunks = chunk_markdown(long, max_words=60)
    assert all(c.count("```") % 2 == 0 for c in chunks)
    assert re.sub(r"\s+", " ", " ".join(chunks)).split() == re.sub(r"\s+", " ", long).split()


def test_lab_help_is_indexed_and_cited_with_its_page(index):
    found = retrieve(index, "what does lora_dropout do on the branch input")
    assert any(h.passage.lab_path == "lab-build" and h.passage.url == "/lab-build" for h in found.lab)


def test_an_answer_survives_the_round_trip_through_the_history_with_its_highlights(index):
    from studyapp.buddy.answer import Answer

    answer = ask(index, "does llama-2-7b fit a T4 in 4-bit?")
    assert Answer.from_dict(json.loads(json.dumps(answer.to_dict(marks=True)))) == answer
    plain = Answer.from_dict(json.loads(json.dumps(answer.to_dict())))
    assert plain.computed == answer.computed and MARK_OPEN not in plain.citations[0].marked
