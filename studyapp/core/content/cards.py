"""cards.yaml: notes, each with an id (progress is keyed by it), expanded to the cards a student drills.

A note's ``kind`` says how it expands, and its reader in ``READERS`` checks its own fields:

- ``basic`` (the default): ``front`` and ``back``; one card, keyed ``unit/id``.
- ``reverse``: ``front`` and ``back``, studied both ways; two cards with their own schedules. The
  forward card keeps ``unit/id`` (so a basic card turned reverse keeps its progress), the reverse
  card is ``unit/id:reverse``.
- ``cloze``: ``text`` with deletions ``[[c1::answer]]`` (``[[c1::answer::hint]]`` shows a hint;
  see ``cloze`` for why not Anki's ``{{c1::...}}``), and an optional ``extra`` shown on the back;
  one card per deletion number N, keyed ``unit/id:cN``.

A derived id puts its suffix after ':', which no author's id may contain, so keys never collide.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studyapp.core.claims import Claim
from studyapp.core.content import cloze, items
from studyapp.core.content.fields import Fields
from studyapp.core.content.model import CARD_KINDS, REVERSE_SUFFIX, Card, cloze_card_id
from studyapp.core.problems import Problem

BASIC_FIELDS = ("id", "kind", "front", "back", "tags")
CLOZE_FIELDS = ("id", "kind", "text", "extra", "tags")


def _basic(fields: Fields, slug: str, card_id: str) -> list[Card]:
    fields.unknown(BASIC_FIELDS)
    front = fields.text("front", required="the question")
    back = fields.text("back", required="the answer")
    tags = fields.texts("tags")
    return [Card(slug, card_id, front, back, tags)] if front and back else []


def _reverse(fields: Fields, slug: str, card_id: str) -> list[Card]:
    fields.unknown(BASIC_FIELDS)
    front = fields.text("front", required="one side, asked first")
    back = fields.text("back", required="the other side, asked in reverse")
    tags = fields.texts("tags")
    if not (front and back):
        return []
    return [Card(slug, card_id, front, back, tags, "reverse", card_id, 1),
            Card(slug, card_id + REVERSE_SUFFIX, back, front, tags, "reverse", card_id, 2)]


def _cloze(fields: Fields, slug: str, card_id: str) -> list[Card]:
    fields.unknown(CLOZE_FIELDS)
    text = fields.text("text", required="the sentence, with each deletion written [[c1::answer]]")
    extra, tags = fields.text("extra"), fields.texts("tags")
    deletions, mistakes = cloze.parse(text)
    for mistake in mistakes:
        fields.problem("text", mistake.message, fields.line_in("text", mistake.marker, mistake.nth))
    if text and not deletions and not mistakes:
        fields.problem("text", "a cloze card needs at least one deletion: mark the words to recall "
                               "[[c1::like this]]")
    if mistakes or not deletions:
        return []
    return [Card(slug, cloze_card_id(card_id, n), cloze.front(text, deletions, n),
                 cloze.back(text, deletions, n, extra), tags, "cloze", card_id, n, text, extra)
            for n in cloze.numbers(deletions)]


READERS: dict[str, Callable[[Fields, str, str], list[Card]]] = {
    "basic": _basic, "reverse": _reverse, "cloze": _cloze}


def load(path: Path, slug: str, claims: dict[str, Claim]
         ) -> tuple[list[Card], set[str] | None, list[Problem]]:
    """The cards of ``path`` (every note expanded), the claims they use (None if unreadable), and a
    Problem for each mistake."""
    found = items.load(path, claims, "card")
    cards, problems, seen = [], list(found.problems), {}
    for fields in found.fields:
        card_id = fields.identifier(seen)
        kind = fields.data.get("kind", "basic")
        if not isinstance(kind, str) or kind not in READERS:
            fields.problem("kind", f"card kind must be one of {', '.join(CARD_KINDS)}")
            expanded = []
        else:
            expanded = READERS[kind](fields, slug, card_id)
        problems += fields.problems
        if card_id and not fields.problems:
            cards += [(rank, len(cards) + rank, card) for rank, card in enumerate(expanded)]
    # Siblings spread out as Anki buries them: every note's first card comes before any second card,
    # so the new-card queue does not ask a reverse card right after its forward card.
    return [card for *_, card in sorted(cards, key=lambda c: c[:2])], found.used, problems
