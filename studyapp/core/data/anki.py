"""The course's cards as an Anki package (.apkg), with the student's schedule, built with genanki.

- One deck per unit, under one parent deck: ``LoRA & QLoRA (studyapp)::1. <unit title>``.
- Three note types, as in Anki: Basic, Basic (and reversed card), Cloze. A reverse note is one
  Anki note with two cards and a cloze note one with a card per deletion, as in the drill.
- A note's GUID is derived from its key (``unit/note_id``), and the deck and note type ids are
  fixed, so importing a newer export updates the notes already in Anki instead of duplicating them.
- Tags: the card's own, plus ``studyapp`` and ``studyapp::<unit slug>``.
- Fields are HTML (``anki_html``): Markdown rendered, maths in MathJax delimiters.
- The student's progress goes with it: each card they reviewed carries its FSRS state (due date,
  interval, stability and difficulty in Anki's card data, reps, lapses), and every review is a
  row of Anki's review log, so Anki (with "import any learning progress" ticked) carries on from
  where they were. Cards never reviewed are new.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from studyapp.core import card_control
from studyapp.core.content import Card, Course
from studyapp.core.content import cloze as cloze_mod
from studyapp.core.data.anki_html import to_html
from studyapp.core.store import Store

PARENT_DECK = "LoRA & QLoRA (studyapp)"
# Fixed ids: Anki matches note types and decks by id when a newer export is imported.
BASIC_MODEL_ID, REVERSE_MODEL_ID, CLOZE_MODEL_ID = 1_607_392_319, 1_607_392_320, 1_607_392_321
COLLECTION_CREATED = 1_411_124_400  # genanki's collection 'crt' (epoch s): review due days count from it
CSS = (".card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; color: #1f2430;"
       " background: white; max-width: 40em; margin: auto; line-height: 1.45; }\n"
       "code { font-family: ui-monospace, monospace; font-size: 0.9em; background: #f2f2f5;"
       " padding: 0 .2em; }\n"
       ".cloze { font-weight: bold; color: #6c4ce0; }\n.tags { color: #888; font-size: 0.7em; }\n")


def guid(note_key: str) -> str:
    """The Anki GUID of a note: the same for the same key in every export."""
    import genanki

    return genanki.guid_for("studyapp", note_key)


def deck_id(name: str) -> int:
    """A stable deck id from the deck's name (Anki wants a positive 64-bit integer)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:6], "big") + (1 << 40)


def _models() -> dict[str, object]:
    import genanki

    def basic(model_id: int, name: str, reverse: bool):
        templates = [{"name": "Card 1", "qfmt": "{{Front}}",
                      "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}]
        if reverse:
            templates.append({"name": "Card 2", "qfmt": "{{Back}}",
                              "afmt": "{{FrontSide}}<hr id=answer>{{Front}}"})
        return genanki.Model(model_id, name, fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Key"}],
                             templates=templates, css=CSS)

    cloze = genanki.Model(CLOZE_MODEL_ID, "Cloze (studyapp)", model_type=genanki.Model.CLOZE,
                          fields=[{"name": "Text"}, {"name": "Back Extra"}, {"name": "Key"}],
                          templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}",
                                      "afmt": "{{cloze:Text}}<br><br>{{Back Extra}}"}], css=CSS)
    return {"basic": basic(BASIC_MODEL_ID, "Basic (studyapp)", False),
            "reverse": basic(REVERSE_MODEL_ID, "Basic and reversed (studyapp)", True), "cloze": cloze}


def _tags(card: Card) -> list[str]:
    return ["studyapp", f"studyapp::{card.unit_slug}", *(t.replace(" ", "_") for t in card.tags)]


def _note(card: Card, models: dict):
    """The Anki note of the note ``card`` is the first card of."""
    import genanki

    if card.kind == "cloze":
        deletions, _ = cloze_mod.parse(card.cloze)
        fields = [to_html(cloze_mod.to_anki(card.cloze, deletions)), to_html(card.extra), card.note_key]
    else:
        fields = [to_html(card.front), to_html(card.back), card.note_key]
    return genanki.Note(model=models[card.kind], fields=fields, tags=_tags(card), guid=guid(card.note_key))


def build_package(course: Course):
    """The genanki Package of every valid unit's cards, one deck per unit."""
    import genanki

    models, decks = _models(), []
    for unit in course.units:
        name = f"{PARENT_DECK}::{unit.order}. {unit.title}"
        deck = genanki.Deck(deck_id(name), name, description=unit.summary)
        firsts = {}
        for card in unit.cards:
            firsts.setdefault(card.note_key, card)  # a note's first card carries the note's fields
        for card in firsts.values():
            deck.add_note(_note(card, models))
        decks.append(deck)
    return genanki.Package(decks)


def export_anki(store: Store, course: Course, user_id: str, now: datetime) -> bytes:
    """The .apkg bytes of the course with ``user_id``'s schedule and review history.

    Raises:
        StoreError: the database could not be read.
    """
    package = build_package(course)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(path)
        package.write_to_db(conn.cursor(), now.timestamp(), _ids(now))
        _schedule(conn, course, store, user_id, now)
        conn.commit()
        conn.close()
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as apkg:
            apkg.write(path, "collection.anki2")
            apkg.writestr("media", "{}")
    return out.getvalue()


def _ids(now: datetime):
    import itertools

    return itertools.count(int(now.timestamp() * 1000))


@dataclass(frozen=True)
class _AnkiCard:
    id: int
    key: str


def _anki_cards(conn: sqlite3.Connection, course: Course) -> list[_AnkiCard]:
    """Each Anki card with the studyapp key it is (matched by note GUID and card ordinal)."""
    by_note = {(guid(c.note_key), _ord(c)): c.key for c in course.cards}
    rows = conn.execute("select cards.id, notes.guid, cards.ord from cards "
                        "join notes on notes.id = cards.nid")
    return [_AnkiCard(cid, by_note[(g, o)]) for cid, g, o in rows if (g, o) in by_note]


def _ord(card: Card) -> int:
    # Anki counts card templates from 0; a cloze card's ord is its deletion number minus one.
    return card.ordinal - 1


def _schedule(conn: sqlite3.Connection, course: Course, store: Store, user_id: str, now: datetime) -> None:
    states = {r["card_key"]: r for r in store.query("select * from card_state where user_id = ?", (user_id,))}
    cards = _anki_cards(conn, course)
    for card in cards:
        if card.key in states:
            conn.execute("update cards set type = ?, queue = ?, due = ?, ivl = ?, factor = 2500, reps = ?, "
                         "lapses = ?, left = ?, data = ? where id = ?",
                         (*_card_fields(states[card.key]), card.id))
    _controls(conn, cards, card_control.controls(store, user_id), now)
    ids = {c.key: c.id for c in cards}
    rows = store.query("select * from review_log where user_id = ? order by reviewed_at, id", (user_id,))
    used: set[int] = set()
    for row in rows:
        if row["card_key"] in ids:
            conn.execute("insert into revlog values (?, ?, -1, ?, ?, 0, 2500, ?, ?)", _revlog(row, ids, used))


def _controls(conn: sqlite3.Connection, cards: list[_AnkiCard], controls: dict, now: datetime) -> None:
    """What the student did to cards, in Anki's own columns: a suspended card has queue -1, a card
    buried until later -3 (buried by the user), a flag is the low bits of ``flags``; a leech's
    note is tagged ``leech``, as Anki tags it."""
    for card in cards:
        control = controls.get(card.key)
        if control is None:
            continue
        if control.suspended:
            conn.execute("update cards set queue = -1 where id = ?", (card.id,))
        elif control.buried_until and datetime.fromisoformat(control.buried_until) > now:
            conn.execute("update cards set queue = -3 where id = ?", (card.id,))
        conn.execute("update cards set flags = ? where id = ?", (control.flag, card.id))
        if control.leech:
            _tag_note(conn, card.id, "leech")


def _tag_note(conn: sqlite3.Connection, card_id: int, tag: str) -> None:
    # Anki keeps a note's tags as one string, space-separated and padded: " lora unit-1 ".
    nid, tags = conn.execute("select n.id, n.tags from notes n join cards c on c.nid = n.id where c.id = ?",
                             (card_id,)).fetchone()
    if tag not in tags.split():
        conn.execute("update notes set tags = ? where id = ?", (f" {' '.join([*tags.split(), tag])} ", nid))


def _card_fields(row: dict) -> tuple:
    """(type, queue, due, ivl, reps, lapses, left, data) of Anki's cards table for one state row."""
    card = json.loads(row["card_json"])
    due = datetime.fromisoformat(row["due"])
    memory = {"s": row["stability"], "d": row["difficulty"]}  # Anki's FSRS memory state
    data = json.dumps({k: round(v, 4) for k, v in memory.items() if v is not None})
    if row["state"] == 2:  # Review: due is a day number counted from the collection's creation
        last = datetime.fromisoformat(card["last_review"]) if card.get("last_review") else due
        days = (due.timestamp() - COLLECTION_CREATED) // 86400
        interval = max(1, round((due - last).total_seconds() / 86400))
        return 2, 2, int(days), interval, row["reps"], row["lapses"], 0, data
    # Learning (1) and relearning (3): due is a moment (epoch s), one step left today.
    return row["state"], 1, int(due.timestamp()), 0, row["reps"], row["lapses"], 1001, data


def _revlog(row: dict, ids: dict[str, int], used: set[int]) -> tuple:
    """(id, cid, ease, ivl, time, type) of one review; the id is its time in ms (unique)."""
    at = int(datetime.fromisoformat(row["reviewed_at"]).astimezone(timezone.utc).timestamp() * 1000)
    while at in used:
        at += 1
    used.add(at)
    days = row["interval_days"] or 0.0
    interval = round(days) if days >= 1 else -round(days * 86400)  # Anki: days, or -seconds when < 1 day
    kind = {0: 0, 1: 0, 2: 1, 3: 2}.get(row["state_before"], 0)  # learn, review, relearn
    return at, ids[row["card_key"]], row["rating"], interval, min(row["duration_ms"] or 0, 60_000), kind
