"""cards.yaml: recall cards, each with an id (progress is keyed by it), a front and a back.

A card's ``kind`` defaults to "basic"; other kinds (reverse, cloze: issue 12) add their own
fields and are checked by their own reader in ``READERS``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from studyapp.core.claims import Claim
from studyapp.core.content import items
from studyapp.core.content.fields import Fields
from studyapp.core.content.model import CARD_KINDS, Card
from studyapp.core.problems import Problem

BASIC_FIELDS = ("id", "kind", "front", "back", "tags")


def _basic(fields: Fields, slug: str, card_id: str) -> Card | None:
    fields.unknown(BASIC_FIELDS)
    front = fields.text("front", required="the question")
    back = fields.text("back", required="the answer")
    tags = fields.texts("tags")
    return Card(slug, card_id, front, back, tags) if front and back else None


READERS: dict[str, Callable[[Fields, str, str], Card | None]] = {"basic": _basic}


def load(path: Path, slug: str, claims: dict[str, Claim]
         ) -> tuple[list[Card], set[str] | None, list[Problem]]:
    """The valid cards of ``path``, the claims they use (None if unreadable), a Problem for each mistake."""
    found = items.load(path, claims, "card")
    cards, problems, seen = [], list(found.problems), {}
    for fields in found.fields:
        card_id = fields.identifier(seen)
        kind = fields.data.get("kind", "basic")
        if not isinstance(kind, str) or kind not in READERS:
            fields.problem("kind", f"card kind must be one of {', '.join(CARD_KINDS)}")
            card = None
        else:
            card = READERS[kind](fields, slug, card_id)
        problems += fields.problems
        if card and card_id and not fields.problems:
            cards.append(card)
    return cards, found.used, problems
