"""Reverse and cloze cards (issue 12.3): how a note expands, every mistake at its line, own schedules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from studyapp.cli import main
from studyapp.core import srs
from studyapp.core.content import load_course

from apptest_helpers import open_page, texts

UNIT = "01-lora-basics"
NOTES = """
- id: scale-name
  kind: reverse
  front: lora_alpha / r
  back: the factor peft multiplies the LoRA update by
  tags: [scaling]

- id: param-formula
  kind: cloze
  text: >-
    A rank-r adapter on a d x k matrix trains [[c1::$r(d + k)$]] parameters,
    against [[c2::$dk$::how many?]] for a full update.
  extra: "At r = 8 on 4096 x 4096: {{lora_4096_r8}}."
  tags: [math]
"""


def _append(root: Path, text: str) -> int:
    """Append ``text`` to unit 1's cards.yaml; return the file's line count before it."""
    path = root / "units" / UNIT / "cards.yaml"
    before = path.read_text()
    path.write_text(before.rstrip("\n") + "\n" + text)
    return len(before.rstrip("\n").splitlines())


def _cards(root: Path) -> dict:
    course = load_course(root)
    assert course.problems == []
    return {c.key: c for c in course.unit("lora-basics").cards}


def test_a_reverse_note_is_two_cards_the_forward_one_keeps_the_note_key(content_copy):
    _append(content_copy, NOTES)
    cards = _cards(content_copy)
    forward, reverse = cards["lora-basics/scale-name"], cards["lora-basics/scale-name:reverse"]
    assert forward.front == "lora_alpha / r"
    assert forward.back == "the factor peft multiplies the LoRA update by"
    assert (reverse.front, reverse.back) == (forward.back, forward.front)
    assert [(c.kind, c.note_id, c.ordinal, c.note_key) for c in (forward, reverse)] == [
        ("reverse", "scale-name", 1, "lora-basics/scale-name"),
        ("reverse", "scale-name", 2, "lora-basics/scale-name")]
    assert forward.tags == reverse.tags == ("scaling",)


def test_a_cloze_note_is_one_card_per_deletion_with_claims_filled_first(content_copy):
    _append(content_copy, NOTES)
    cards = _cards(content_copy)
    one, two = cards["lora-basics/param-formula:c1"], cards["lora-basics/param-formula:c2"]
    assert one.front == ("A rank-r adapter on a d x k matrix trains […] parameters, against $dk$ for a "
                         "full update.")
    assert one.back == ("A rank-r adapter on a d x k matrix trains **$r(d + k)$** parameters, against $dk$ "
                        "for a full update.\n\nAt r = 8 on 4096 x 4096: 65,536.")
    assert two.front.endswith("against [how many?] for a full update.")  # the hint replaces the blank
    assert "**$dk$**" in two.back and "$r(d + k)$ parameters" in two.back
    assert [(c.kind, c.note_id, c.ordinal) for c in (one, two)] == [("cloze", "param-formula", 1),
                                                                   ("cloze", "param-formula", 2)]
    assert one.cloze == two.cloze and "[[c1::$r(d + k)$]]" in one.cloze
    assert one.extra == "At r = 8 on 4096 x 4096: 65,536."


def test_siblings_are_spread_every_first_card_before_any_second(content_copy):
    _append(content_copy, NOTES)
    keys = [c.key for c in load_course(content_copy).unit("lora-basics").cards]
    firsts = keys.index("lora-basics/param-formula:c1")
    assert keys.index("lora-basics/scale-name") < firsts < keys.index("lora-basics/scale-name:reverse")
    assert keys[-2:] == ["lora-basics/scale-name:reverse", "lora-basics/param-formula:c2"]


BROKEN = """
- id: cloze-mistakes
  kind: cloze
  text: |
    fine so far [[c1::ok]]
    numbered from zero [[c0::bad]] and an empty one [[c2::]]
    no number [[a word]] and inside maths $a + [[c3::b]]$
    a stray ]] and one never closed [[c4::lost
- id: cloze-nested
  kind: cloze
  text: "outer [[c1::inner [[c2::x]] y]]"
- id: cloze-none
  kind: cloze
  text: There is nothing to recall here.
- id: cloze-fields
  kind: cloze
  front: a cloze has no front
  text: "[[c1::ok]]"
- id: cloze-empty
  kind: cloze
- id: reverse-half
  kind: reverse
  front: only one side
- id: odd-kind
  kind: image
  front: f
  back: b
"""


def test_every_mistake_is_reported_at_its_own_line(content_copy):
    start = _append(content_copy, BROKEN)
    got = sorted((p.line - start, p.message) for p in load_course(content_copy).problems)
    assert got == sorted([
        (6, "deletion numbers start at 1 ([[c1::...]]); each number is one card"),
        (6, "deletion c2 hides nothing: put the words to recall between '::' and ']]'"),
        (7, "a deletion inside $...$ maths would break the formula on the card: put the whole formula "
            "in it, [[c1::$...$]]"),
        (7, "write a deletion as [[c1::answer]] or [[c1::answer::hint]]: 'c', its card number, '::', "
            "then the hidden words"),
        (8, "']]' closes no deletion: open it with '[[c1::'"),
        (8, "deletion never closed: end it with ']]'"),
        (11, "a deletion cannot hold another '[[': close the first with ']]' before opening the next"),
        (11, "']]' closes no deletion: open it with '[[c1::'"),
        (14, "a cloze card needs at least one deletion: mark the words to recall [[c1::like this]]"),
        (17, "unknown field 'front' in card; known fields: id, kind, text, extra, tags"),
        (19, "card needs a non-empty 'text' (the sentence, with each deletion written [[c1::answer]])"),
        (21, "card needs a non-empty 'back' (the other side, asked in reverse)"),
        (25, "card kind must be one of basic, reverse, cloze"),
    ])


def test_check_lists_cloze_mistakes_as_path_line(content_copy, capsys):
    start = _append(content_copy, BROKEN)
    assert main(["check", str(content_copy)]) == 1
    out = capsys.readouterr().out
    where = content_copy / "units" / UNIT / "cards.yaml"
    assert f"{where}:{start + 6}: deletion numbers start at 1" in out
    assert f"{where}:{start + 25}: card kind must be one of basic, reverse, cloze" in out


def test_a_broken_note_adds_no_card_and_keeps_the_unit_broken(content_copy):
    _append(content_copy, BROKEN)
    course = load_course(content_copy)
    assert course.unit("lora-basics") is None and course.broken_unit("lora-basics")


def test_cards_of_one_note_schedule_independently(content_copy, store, scheduler, now):
    """Fixed dates, fuzzing off: rating the forward card leaves the reverse card new, and back."""
    _append(content_copy, NOTES)
    cards = _cards(content_copy)
    forward, reverse = "lora-basics/scale-name", "lora-basics/scale-name:reverse"
    srs.record_review(store, "local", forward, srs.preview(scheduler, None, now)[srs.Rating.Easy], now)
    assert srs.load_state(store, "local", reverse) is None
    later = now + timedelta(minutes=5)
    srs.record_review(store, "local", reverse, srs.preview(scheduler, None, later)[srs.Rating.Again], later)
    states = srs.load_states(store, "local")
    assert states[forward].card.due == now + timedelta(days=8)  # Easy on a new card, no fuzz
    assert states[reverse].card.due == later + timedelta(minutes=1)  # Again: the first learning step
    assert (states[forward].reps, states[reverse].reps) == (1, 1)
    keys = [k for k in cards if k.startswith(("lora-basics/scale-name", "lora-basics/param-formula"))]
    queue = srs.due_queue(store, "local", keys, later + timedelta(minutes=2))
    assert queue == [reverse, "lora-basics/param-formula:c1", "lora-basics/param-formula:c2"]


@pytest.fixture
def tiny_course(tmp_path, monkeypatch):
    """A one-unit course holding a cloze and a reverse note, served to AppTest."""
    from reliability.test_broken_units import unit_files

    files = unit_files("tiny", "Tiny", 1)
    files["cards.yaml"] += ("- id: two\n  kind: cloze\n  text: One plus one is [[c1::{{n}}]].\n"
                            "- id: plus\n  kind: reverse\n  front: the sign +\n  back: plus\n")
    folder = tmp_path / "content" / "units" / "01-tiny"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    monkeypatch.setenv("STUDYAPP_CONTENT", str(tmp_path / "content"))
    monkeypatch.setenv("STUDYAPP_DB", str(tmp_path / "app.sqlite3"))
    return tmp_path / "app.sqlite3"


def _rate_good(at) -> None:
    at.button(key="drill-flip").click().run()
    at.button(key="drill-rate-3").click().run()
    assert not at.exception


def test_the_drill_asks_a_cloze_and_both_sides_of_a_reverse_card(tiny_course):
    from studyapp.core.store import open_store

    at = open_page("views/review.py")
    assert "**4 new · 0 learning · 0 due**" in texts(at)
    _rate_good(at)  # the basic card
    assert "One plus one is […]." in [m.value for m in at.markdown]
    at.button(key="drill-flip").click().run()
    assert "One plus one is **2**." in texts(at)
    at.button(key="drill-rate-3").click().run()
    assert "the sign +" in [m.value for m in at.markdown]
    _rate_good(at)
    assert "plus" in [m.value for m in at.markdown]  # the reverse card asks the back
    at.button(key="drill-flip").click().run()
    assert "the sign +" in texts(at)
    at.button(key="drill-rate-1").click().run()
    store = open_store(tiny_course)
    states = srs.load_states(store, "local")
    assert set(states) == {"tiny/c1", "tiny/two:c1", "tiny/plus", "tiny/plus:reverse"}
    assert states["tiny/plus"].card.due > states["tiny/plus:reverse"].card.due  # Good vs Again
    store.close()


def test_quiz_me_and_search_use_the_new_cards(tiny_course, now):
    from studyapp.buddy import quiz
    from studyapp.core import search
    from studyapp.core.store import open_store

    course = load_course(tiny_course.parent / "content")
    keys = [c.key for c in course.cards]
    assert keys == ["tiny/c1", "tiny/two:c1", "tiny/plus", "tiny/plus:reverse"]
    store = open_store(tiny_course, now)
    assert quiz.quiz_queue(store, srs.make_scheduler(False), "local", keys, now) == keys
    store.close()
    found = search.search(search.build_index(course), "sign")
    # Both cards of the reverse note are found: "the sign +" is the front of one, the back of the other.
    assert sorted((h.kind, h.title) for h in found) == [("card", "plus"), ("card", "the sign +")]
    cloze_hit = search.search(search.build_index(course), "one plus")
    assert ("card", "One plus one is […].") in {(h.kind, h.title) for h in cloze_hit}


def test_the_buddy_quizzes_a_cloze_and_a_reverse_card(tiny_course, monkeypatch):
    monkeypatch.delenv("STUDYAPP_LLM_BASE_URL", raising=False)
    at = open_page("views/buddy.py")
    fronts = []
    at.chat_input[0].set_value("quiz me").run()
    assert "QUIZ · card 1 of 4" in texts(at)
    for number in range(1, 5):
        asked = [m.value for m in at.markdown if m.value.startswith("**") and m.value.endswith("**")]
        fronts.append(asked[-1])  # the card being asked is drawn below the conversation so far
        at.chat_input[0].set_value("my answer").run()
        assert "THE CARD SAYS" in texts(at)
        if number == 2:
            assert "One plus one is **2**." in texts(at)
        next(b for b in at.button if b.key == "buddy-page-quiz-rate-3").click().run()
        assert not at.exception
    assert fronts == ["**What is one plus one?**", "**One plus one is […].**", "**the sign +**", "**plus**"]
    store = open_store_at(tiny_course)
    assert {r["card_key"] for r in store.query("select card_key from review_log")} == {
        "tiny/c1", "tiny/two:c1", "tiny/plus", "tiny/plus:reverse"}
    store.close()


def open_store_at(path):
    from studyapp.core.store import open_store

    return open_store(path)
