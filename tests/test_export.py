"""Exports (issue 12.8): the .apkg read back as Anki reads it, and the notes as Markdown files."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from datetime import timedelta

import pytest
import yaml

from studyapp.core import notes
from studyapp.core.data import anki
from studyapp.core.data.anki_html import to_html
from studyapp.core.data.notes_zip import export_notes
from studyapp.core.store import open_store

from data_helpers import account, fill_student


@pytest.fixture
def school(tmp_path, now, course):
    store = open_store(tmp_path / "school.sqlite3", now)
    for name in ("ada", "bob"):
        account(store, name, now)
    fill_student(store, course, "ada", now, reviews=40)
    yield store
    store.close()


def _collection(apkg: bytes, tmp_path, name="collection") -> sqlite3.Connection:
    with zipfile.ZipFile(io.BytesIO(apkg)) as archive:
        assert set(archive.namelist()) == {"collection.anki2", "media"}
        path = tmp_path / f"{name}.anki2"
        path.write_bytes(archive.read("collection.anki2"))
    return sqlite3.connect(path)


def _decks(conn) -> dict[int, str]:
    import json

    decks = json.loads(conn.execute("select decks from col").fetchone()[0])
    return {int(k): v["name"] for k, v in decks.items()}


def _models(conn) -> dict[int, dict]:
    import json

    return {int(k): v for k, v in json.loads(conn.execute("select models from col").fetchone()[0]).items()}


def test_the_package_has_a_deck_per_unit_three_note_types_and_every_card(school, course, now, tmp_path):
    conn = _collection(anki.export_anki(school, course, "ada", now), tmp_path)
    decks = _decks(conn)
    assert sorted(n for n in decks.values() if n.startswith(anki.PARENT_DECK + "::")) == sorted(
        f"{anki.PARENT_DECK}::{u.order}. {u.title}" for u in course.units)
    models = _models(conn)
    assert {m["name"]: (m["type"], len(m["tmpls"])) for m in models.values()} == {
        "Basic (studyapp)": (0, 1), "Basic and reversed (studyapp)": (0, 2), "Cloze (studyapp)": (1, 1)}
    note_keys = {c.note_key for c in course.cards}
    assert conn.execute("select count(*) from notes").fetchone()[0] == len(note_keys)
    assert conn.execute("select count(*) from cards").fetchone()[0] == len(course.cards)
    per_deck = dict(conn.execute("select did, count(*) from cards group by did").fetchall())
    assert {decks[d]: n for d, n in per_deck.items()} == {
        f"{anki.PARENT_DECK}::{u.order}. {u.title}": len(u.cards) for u in course.units}


def test_notes_carry_their_fields_tags_and_a_guid_from_their_key(school, course, now, tmp_path):
    conn = _collection(anki.export_anki(school, course, "ada", now), tmp_path)
    rows = {r[0]: r[1:] for r in conn.execute("select guid, flds, tags, mid from notes")}
    models = {mid: m["name"] for mid, m in _models(conn).items()}
    cloze = course.card("lora-basics/param-count-formula:c1")
    flds, tags, mid = rows[anki.guid(cloze.note_key)]
    text, extra, key = flds.split("\x1f")
    assert models[mid] == "Cloze (studyapp)" and key == "lora-basics/param-count-formula"
    assert "{{c1::\\(r(d + k)\\)}}" in text and "{{c2::\\(dk\\)}}" in text
    assert tags.split() == ["studyapp", "studyapp::lora-basics", "math"]
    reverse = course.card("qlora/compute-dtype")
    flds, _, mid = rows[anki.guid(reverse.note_key)]
    assert models[mid] == "Basic and reversed (studyapp)"
    assert flds.split("\x1f") == [to_html(reverse.front), to_html(reverse.back), "qlora/compute-dtype"]
    ords = conn.execute("select ord from cards join notes on notes.id = cards.nid where guid = ? "
                        "order by ord", (anki.guid(reverse.note_key),))
    assert ords.fetchall() == [(0,), (1,)]


def test_a_second_export_keeps_every_guid_and_id_so_anki_updates_instead_of_duplicating(
        school, course, now, tmp_path):
    first = _collection(anki.export_anki(school, course, "ada", now), tmp_path, "first")
    second = _collection(anki.export_anki(school, course, "ada", now + timedelta(days=2)), tmp_path, "second")
    query = "select guid, mid, flds from notes order by guid"
    assert first.execute(query).fetchall() == second.execute(query).fetchall()
    assert _decks(first) == _decks(second) and set(_models(first)) == set(_models(second))
    guids = {g for (g,) in first.execute("select guid from notes")}
    assert len(guids) == len({c.note_key for c in course.cards})


def test_the_students_schedule_and_reviews_go_with_the_package(school, course, now, tmp_path):
    conn = _collection(anki.export_anki(school, course, "ada", now), tmp_path)
    states = {r["card_key"]: r for r in school.query("select * from card_state where user_id = 'ada'")}
    key_of = {(anki.guid(c.note_key), c.ordinal - 1): c.key for c in course.cards}
    rows = conn.execute("select notes.guid, cards.ord, type, queue, due, reps, lapses, cards.data from cards "
                        "join notes on notes.id = cards.nid").fetchall()
    scheduled = {key_of[(g, o)]: rest for g, o, *rest in rows}
    assert {k for k, v in scheduled.items() if v[0] != 0} == set(states)
    for key, state in states.items():
        kind, queue, due, reps, lapses, data = scheduled[key]
        assert (kind, reps, lapses) == (state["state"], state["reps"], state["lapses"])
        assert f'"s": {round(state["stability"], 4)}' in data
    assert conn.execute("select count(*) from revlog").fetchone()[0] == 40
    assert conn.execute("select count(distinct id) from revlog").fetchone()[0] == 40


def test_another_students_package_has_no_schedule(school, course, now, tmp_path):
    conn = _collection(anki.export_anki(school, course, "bob", now), tmp_path)
    assert conn.execute("select count(*) from cards where type != 0 or reps != 0").fetchone()[0] == 0
    assert conn.execute("select count(*) from revlog").fetchone()[0] == 0


def test_markdown_and_maths_become_anki_html():
    assert to_html("**A** is $r \\times k$, `x_1` and </s>") == (
        "<strong>A</strong> is \\(r \\times k\\), <code>x_1</code> and &lt;/s&gt;")
    assert to_html("$$\\frac{\\alpha}{r} < 1$$") == "\\[\\frac{\\alpha}{r} &lt; 1\\]"
    assert to_html("costs $5 or $10") == "costs $5 or $10"  # dollars, not maths
    assert to_html("one\n\ntwo") == "<p>one</p>\n<p>two</p>"


def test_notes_are_one_markdown_file_per_unit_with_front_matter(school, course, now):
    notes.save_note(school, "bob", course.units[2].slug, "bob's own", now)
    with zipfile.ZipFile(io.BytesIO(export_notes(school, course, "ada", now))) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    first, second = course.units[0], course.units[1]
    assert sorted(files) == [f"studyapp-notes/01-{first.slug}.md", f"studyapp-notes/02-{second.slug}.md"]
    text = files[f"studyapp-notes/01-{first.slug}.md"]
    _, matter, body = text.split("---\n", 2)
    assert yaml.safe_load(matter) == {"unit": first.slug, "title": first.title, "order": 1,
                                      "updated_at": notes.load_note(school, "ada", first.slug).updated_at}
    assert body == "ada: $W_0 + BA$ and **bold**"
    assert "bob" not in "".join(files.values())


def test_suspended_buried_flagged_and_leech_cards_go_to_anki_as_anki_marks_them(school, course, now, tmp_path):
    from studyapp.core import card_control

    cards = course.cards  # fill_student suspended the first, buried the second and flagged the third green
    with school.writing("mark a leech in") as db:
        card_control.suspend_leech_in(db, "ada", cards[4].key, now)
    conn = _collection(anki.export_anki(school, course, "ada", now), tmp_path)
    key_of = {(anki.guid(c.note_key), c.ordinal - 1): c.key for c in course.cards}
    rows = conn.execute("select notes.guid, cards.ord, cards.queue, cards.flags, notes.tags from cards "
                        "join notes on notes.id = cards.nid").fetchall()
    marks = {key_of[(g, o)]: (queue, flags, tags.split()) for g, o, queue, flags, tags in rows}
    assert marks[cards[0].key][0] == -1 and marks[cards[4].key][0] == -1  # suspended
    assert marks[cards[1].key][0] == -3  # buried by the user, until the next day
    assert marks[cards[2].key][1] == 3  # Anki's green flag
    assert "leech" in marks[cards[4].key][2] and "leech" not in marks[cards[3].key][2]
    assert {k for k, (queue, flags, _) in marks.items() if queue < 0 or flags} == {c.key for c in cards[:3]} | {
        cards[4].key}
    # A burial that is over is not carried: the card is back in Anki's queue.
    later = anki.export_anki(school, course, "ada", now + timedelta(days=2))
    conn = _collection(later, tmp_path, "later")
    queues = {key_of[(g, o)]: q for g, o, q in conn.execute(
        "select notes.guid, cards.ord, cards.queue from cards join notes on notes.id = cards.nid")}
    assert queues[cards[1].key] >= 0
